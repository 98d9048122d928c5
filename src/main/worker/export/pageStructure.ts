import { basename } from 'node:path';
import type { DocumentKind } from '../../../shared/model.ts';
import { openBytes, type PdfDocument } from '../pdfDocument.ts';
import { resolveLimits } from '../ocrTypes.ts';
import { pageLayout, type LayoutBlock } from './pageLayout.ts';
import type { ExportPage } from './exportDocument.ts';

/**
 * A document as the structured formats (ALTO, hOCR) write it: per page, the raster the
 * coordinates are in pixels of, its resolution, and its blocks, lines and words (pageLayout.ts).
 */
export interface StructuredDocument {
  /** The source file's name (no folders): the image the coordinates refer to. */
  sourceName: string;
  pages: StructuredPage[];
}

export interface StructuredPage {
  /** 1-based. */
  number: number;
  /** Size in pixels of the page as recognised (image input: the image's own pixels); 0 if unknown. */
  width: number;
  height: number;
  /** Pixels per inch of that raster; 0 if unknown. */
  dpi: number;
  /** `text-layer`: the text is the PDF's own (no recognition, no confidence). */
  source: 'ocr' | 'text-layer';
  /** Recognition failed: the page is there, empty. */
  failed: boolean;
  blocks: LayoutBlock[];
}

/** The resolution assumed for a page that does not say (pages stored before it was passed on). */
const UNKNOWN_DPI = 0;

/**
 * The structure of every page. A page kept with the PDF's own text layer has no stored boxes:
 * its words and their boxes are read from the source PDF again (textLayerWords.ts), at the
 * resolution its OCR would have used, so every page of the file has coordinates.
 */
export async function structureDocument(
  pages: readonly ExportPage[],
  sourcePath: string,
  kind: DocumentKind,
  source: () => Promise<Uint8Array>,
): Promise<StructuredDocument> {
  const out: StructuredPage[] = pages.map((p, i) => ({
    number: i + 1,
    width: p.width,
    height: p.height,
    dpi: p.dpi ?? UNKNOWN_DPI,
    source: p.source,
    failed: p.failed === true,
    blocks: p.failed ? [] : pageLayout(p.text, p.words),
  }));
  const kept = out.filter((p) => p.source === 'text-layer' && !p.failed);
  if (kind === 'pdf' && kept.length > 0) {
    const bytes = await source();
    // A plain Uint8Array (pdf.js refuses a Buffer); openBytes hands pdf.js its own copy.
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const doc = (await openBytes(view, sourcePath, resolveLimits())) as PdfDocument;
    try {
      for (const page of kept) {
        try {
          const found = await doc.textLayerWords(page.number, page.dpi > 0 ? page.dpi : 300);
          Object.assign(page, {
            width: found.width,
            height: found.height,
            dpi: found.dpi,
            blocks: pageLayout(pages[page.number - 1].text, found.words),
          });
        } catch {
          // Its text was read from this page before: if its positions cannot be read now, the
          // text is still written, without boxes (both formats allow that), rather than nothing.
        }
      }
    } finally {
      await doc.close();
    }
  }
  return { sourceName: basename(sourcePath), pages: out };
}

/** Text for XML character data and attribute values: escaped, and without characters XML 1.0 forbids. */
export function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
