/**
 * Opening inputs for OCR. `openDocument` sniffs the content (never the extension) and returns a
 * PDF opened with pdf.js or an image; the worker keeps it open while it processes pages of the
 * same file, so pdf.js parses the file once.
 *
 * pdf.js runs in this thread (no pdf.js worker in Node), legacy build, no eval (pdf.js 6 has none),
 * fonts, CMaps, ICC profiles and its WASM decoders from the pdfjs-dist package on disk.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PDFDocumentLoadingTask, PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { InputError } from '../common/errors.ts';
import { openImageBytes, sniffImage, formatName } from './images.ts';
import {
  imageTooLargeMessage,
  resolveLimits,
  tooManyPagesMessage,
  type Limits,
  type OpenedDocument,
} from './ocrTypes.ts';
import { pdfjsOpenOptions } from './pdfjsOptions.ts';
import { precheckPdf } from './pdfPrecheck.ts';
import { describeStart, sniff } from './sniff.ts';
import { jpegPagePgm, pdfJpeg } from './jpegPage.ts';
import { loadRawPdf, MAX_RAW_PDF_BYTES, soleImageStream, type RawPdf } from './pageContent.ts';
import { multiply, type Matrix } from './imagePage.ts';
import { withRebuiltPageTree } from './pdfRepair/sourcePdf.ts';
import { largestImage } from './pageImages.ts';
import { pageGeometry, renderPage, type RenderedPage } from './rasterize.ts';
import { wordsFromContent, type BoxedWord } from './textLayerWords.ts';
import { checkRenderable, losesPages, refuseDynamicXfa } from './pdfRefusals.ts';

export type { OpenedDocument } from './ocrTypes.ts';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

let pdfjsPromise: Promise<PdfJs> | null = null;
/** pdf.js is large: load it once, on first use. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjsPromise ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsPromise;
}

const require = createRequire(import.meta.url);
let assetDir: string | null = null;
/** pdfjs-dist's folder with a trailing slash: pdf.js joins file names onto these "URLs". */
function pdfjsAssets(): string {
  assetDir ??= path.dirname(require.resolve('pdfjs-dist/package.json')) + path.sep;
  return assetDir;
}

/** Text found in a page's own text layer. */
export interface TextLayer {
  text: string;
  /** Non-whitespace characters in it. */
  chars: number;
}

/** An opened PDF. Pages are loaded on demand; the pdf.js document stays open until `close()`. */
export interface PdfDocument extends OpenedDocument {
  kind: 'pdf';
  /** The page's existing text (a born-digital page, or an earlier OCR's invisible layer). */
  textLayer(pageNumber: number): Promise<TextLayer>;
  /** Renders a page (1-based) at `dpi`, lowered to fit `Limits.maxPagePixels`. */
  render(pageNumber: number, dpi: number): Promise<RenderedPage>;
  /**
   * The page's JPEG, still encoded, when the page is one plain JPEG and nothing else (a scanner's
   * page), with where it lands at `dpi`: for a quick picture drawn straight from the JPEG, at any
   * scale (preview.ts). Null for any other page.
   */
  pageJpeg(pageNumber: number, dpi: number): Promise<PageJpeg | null>;
  /** The text layer's words with boxes in pixels of the page at `dpi` (for ALTO and hOCR). */
  textLayerWords(pageNumber: number, dpi: number): Promise<TextLayerWords>;
}

/** A page's sole JPEG and its placement: `transform` maps the image's unit square to the raster. */
export interface PageJpeg {
  bytes: Uint8Array;
  transform: Matrix;
  /** The raster (the page as the user sees it at that dpi), in pixels. */
  width: number;
  height: number;
}

/** A text-layer page's words and the raster their boxes refer to. */
export interface TextLayerWords {
  words: BoxedWord[];
  width: number;
  height: number;
  dpi: number;
}

export type AnyDocument = PdfDocument | import('./images.ts').ImageDocument;

/**
 * Opens a file for OCR: sniffs the content, checks limits, and for a PDF parses it with pdf.js.
 * Throws `InputError` with a specific code for every kind of bad input.
 */
export async function openDocument(filePath: string, limits?: Partial<Limits>): Promise<AnyDocument> {
  const resolved = resolveLimits(limits);
  const bytes = await readInput(filePath);
  return openBytes(bytes, filePath, resolved);
}

/** Reads a file, mapping file-system failures to input errors. */
export async function readInput(filePath: string): Promise<Uint8Array> {
  let buffer: Buffer;
  try {
    buffer = await readFile(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError('NOT_FOUND', 'file not found (it was moved or deleted)');
    if (code === 'EISDIR') throw new InputError('UNSUPPORTED_FORMAT', 'this is a folder, not a file');
    throw new InputError('UNREADABLE', `file cannot be read: ${(error as Error).message}`);
  }
  if (buffer.length === 0) throw new InputError('EMPTY_FILE', 'file is empty (0 bytes)');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

const EXTENSION_FORMAT: Record<string, string> = {
  '.pdf': 'PDF',
  '.png': 'PNG image',
  '.jpg': 'JPEG image',
  '.jpeg': 'JPEG image',
  '.tif': 'TIFF image',
  '.tiff': 'TIFF image',
  '.bmp': 'BMP image',
  '.gif': 'GIF image',
  '.webp': 'WebP image',
  '.pbm': 'PBM image',
  '.pgm': 'PGM image',
  '.ppm': 'PPM image',
  '.pnm': 'Netpbm image',
};

/** Sniffs bytes and opens them as a PDF or an image. */
export async function openBytes(bytes: Uint8Array, filePath: string, limits: Limits): Promise<AnyDocument> {
  const kind = sniff(bytes.subarray(0, 1024));
  if (kind.kind === 'image') {
    const info = sniffImage(bytes);
    if (!info)
      throw new InputError(
        'DAMAGED_FILE',
        `not a valid ${formatName(kind.format)} image (its header is damaged or incomplete)`,
      );
    return openImageBytes(bytes, info, limits);
  }
  if (kind.kind === 'pdf') return openPdfBytes(bytes, limits);
  // The extension only shapes the message: "not a valid JPEG image" reads better for a .jpg.
  const claimed = EXTENSION_FORMAT[path.extname(filePath).toLowerCase()];
  const start = describeStart(bytes);
  if (claimed)
    throw new InputError('UNSUPPORTED_FORMAT', `not a valid ${claimed} (the content starts with ${start})`);
  throw new InputError('UNSUPPORTED_FORMAT', `not a PDF or a supported image (starts with ${start})`);
}

function pdfError(error: unknown): InputError {
  if (error instanceof InputError) return error;
  const name = (error as { name?: string } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException')
    return new InputError('PASSWORD_PROTECTED', 'the PDF is password protected');
  return new InputError('DAMAGED_FILE', `the PDF is damaged or incomplete: ${message}`);
}

/**
 * Runs a pdf.js call while collecting the warnings it prints (pdf.js reports recoverable damage
 * only through `console.warn("Warning: …")`): they are returned, not printed.
 */
export async function withPdfWarnings<T>(fn: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]): void => {
    const first = args[0];
    if (typeof first === 'string' && first.startsWith('Warning: ')) warnings.push(first.slice(9));
    else original(...args);
  };
  try {
    return { value: await fn(), warnings };
  } finally {
    console.warn = original;
  }
}

/** pdf.js's own message when an embedded image is over `maxImageSize`. */
const IMAGE_REMOVED = /Image exceeded maximum allowed size/;

/** pdf.js's warning when a page tree's /Count is wrong and it counts the pages itself. */
const INVALID_PAGE_TREE = /invalid \/Pages tree/;

export async function openPdfBytes(
  bytes: Uint8Array,
  limits: Limits,
  options: { rebuiltTree?: boolean } = {},
): Promise<PdfDocument> {
  const pdfjs = await loadPdfJs();
  const assets = pdfjsAssets();
  // A PDF ends with %%EOF. pdf.js "recovers" files cut off mid-way (a half-downloaded or
  // half-copied file) by scanning for objects, which can yield some pages or blank ones: refuse
  // instead of reporting a partial document as OCR'd.
  if (lastIndexOf(bytes, '%%EOF') < 0) {
    throw new InputError(
      'DAMAGED_FILE',
      'the PDF is damaged or incomplete: it has no end-of-file marker (%%EOF), so it was probably cut off',
    );
  }
  await precheckPdf(bytes);
  let task: PDFDocumentLoadingTask | null = null;
  let doc: PDFDocumentProxy;
  let warnings: string[];
  try {
    // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
    task = pdfjs.getDocument(pdfjsOpenOptions(bytes.slice(), limits, assets, pdfjs.VerbosityLevel.WARNINGS));
    const loading = task;
    ({ value: doc, warnings } = await withPdfWarnings(() => loading.promise));
  } catch (error) {
    await task?.destroy().catch(() => undefined);
    throw pdfError(error);
  }
  // A page tree whose /Count is wrong is counted again by pdf.js, which stops at a loop in it
  // (the pages after it would be lost, where other readers show them): the file is read with its
  // tree rebuilt from the pages a reader finds (pdfRepair/), as the searchable PDF will be.
  if (
    !options.rebuiltTree &&
    warnings.some((w) => INVALID_PAGE_TREE.test(w)) &&
    (await losesPages(doc, limits))
  ) {
    const rebuilt =
      bytes.length <= MAX_RAW_PDF_BYTES ? await withRebuiltPageTree(bytes, limits.maxPages) : null;
    if (rebuilt) {
      await task.destroy();
      return openPdfBytes(rebuilt, limits, { rebuiltTree: true });
    }
  }
  try {
    await refuseDynamicXfa(pdfjs, doc, bytes, limits, assets);
  } catch (error) {
    await task.destroy();
    throw error;
  }
  if (doc.numPages < 1) {
    await task.destroy();
    throw new InputError('NO_PAGES', 'the PDF has no pages');
  }
  if (doc.numPages > limits.maxPages) {
    await task.destroy();
    throw new InputError('TOO_LARGE', tooManyPagesMessage(doc.numPages, limits));
  }
  const loadingTask = task;
  let closed = false;
  const refused = new Map<number, InputError>();
  // pdf-lib's view of the file, for pages that are one JPEG (jpegPage.ts): parsed when the first
  // page is rendered, from pdf.js's copy of the bytes, so a document whose pages all keep their
  // text layer never pays for it. Null: not usable (encrypted, unparseable, too large).
  const fileBytes = bytes.length;
  let raw: Promise<RawPdf | null> | null = null;
  const rawPdf = (): Promise<RawPdf | null> =>
    (raw ??=
      fileBytes > MAX_RAW_PDF_BYTES
        ? Promise.resolve(null)
        : doc.getData().then(
            (data) => loadRawPdf(data),
            () => null,
          ));

  /** The page from its JPEG, decoded natively, when it is one JPEG drawn 1:1; else null. */
  async function nativeJpeg(
    page: PDFPageProxy,
    pageNumber: number,
    dpi: number,
  ): Promise<RenderedPage | null> {
    const rawDoc = await rawPdf();
    if (!rawDoc) return null;
    checkRenderable(pageNumber, page.getViewport({ scale: 1 }), dpi, limits);
    const at = pageGeometry(page, dpi, limits.maxPagePixels);
    const identity = { ref: page.ref, view: page.view, rotate: page.rotate };
    const jpeg = await jpegPagePgm(
      rawDoc,
      identity,
      at.transform,
      at.width,
      at.height,
      limits.maxImagePixels,
    );
    if (!jpeg.ok) return null;
    page.cleanup();
    const raster = {
      kind: 'encoded' as const,
      width: at.width,
      height: at.height,
      bytes: jpeg.pgm,
      dpi: at.dpi,
    };
    return { raster, dpi: at.dpi, via: 'jpeg' };
  }

  async function getPage(pageNumber: number): Promise<PDFPageProxy> {
    if (closed) throw new Error('document is closed');
    if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > doc.numPages) {
      throw new RangeError(`page ${pageNumber} does not exist (the PDF has ${doc.numPages})`);
    }
    try {
      return await doc.getPage(pageNumber);
    } catch (error) {
      throw new InputError(
        'DAMAGED_FILE',
        `page ${pageNumber} of the PDF is damaged: ${(error as Error).message}`,
      );
    }
  }

  return {
    kind: 'pdf',
    pageCount: doc.numPages,
    async textLayer(pageNumber: number): Promise<TextLayer> {
      const refusal = refused.get(pageNumber);
      if (refusal) throw refusal;
      const page = await getPage(pageNumber);
      try {
        const { value: content } = await withPdfWarnings(() => page.getTextContent());
        return textFromContent(content.items);
      } catch {
        // An unreadable text layer is no text layer: the page gets OCR'd.
        return { text: '', chars: 0 };
      }
    },
    async textLayerWords(pageNumber: number, dpi: number): Promise<TextLayerWords> {
      const page = await getPage(pageNumber);
      const geometry = pageGeometry(page, dpi, limits.maxPagePixels);
      const { value: content } = await withPdfWarnings(() => page.getTextContent());
      const words = wordsFromContent(content.items, geometry.transform);
      return { words, width: geometry.width, height: geometry.height, dpi: geometry.dpi };
    },
    async render(pageNumber: number, dpi: number): Promise<RenderedPage> {
      const refusal = refused.get(pageNumber);
      if (refusal) throw refusal;
      const page = await getPage(pageNumber);
      try {
        // A scanned JPEG page first: without pdf.js's operator list, which would decode the JPEG.
        const jpeg = await nativeJpeg(page, pageNumber, dpi);
        if (jpeg) return jpeg;
        // Parse the page (and decode its images) first, before a canvas is allocated: an image
        // over the limit is dropped by pdf.js with only a warning, and a page rendered without it
        // would be OCR'd as blank. The operator list is cached and reused by render().
        const { value: ops, warnings } = await withPdfWarnings(() => page.getOperatorList());
        if (warnings.some((w) => IMAGE_REMOVED.test(w))) {
          // pdf.js warns once: the cached operator list no longer has the image, so remember the
          // refusal, or a retry on this open document would OCR a blank page as a success.
          const rawDoc = await rawPdf();
          const error = new InputError(
            'TOO_LARGE',
            imageTooLargeMessage(
              { page: pageNumber },
              rawDoc ? largestImage(rawDoc, page.ref) : null,
              limits,
            ),
          );
          refused.set(pageNumber, error);
          page.cleanup();
          throw error;
        }
        checkRenderable(pageNumber, page.getViewport({ scale: 1 }), dpi, limits);
        const parsed = { ops, OPS: pdfjs.OPS };
        return (await withPdfWarnings(() => renderPage(doc, page, dpi, limits.maxPagePixels, parsed))).value;
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw new InputError(
          'DAMAGED_FILE',
          `page ${pageNumber} of the PDF cannot be rendered: ${(error as Error).message}`,
        );
      }
    },
    async pageJpeg(pageNumber: number, dpi: number): Promise<PageJpeg | null> {
      if (refused.has(pageNumber)) return null;
      const rawDoc = await rawPdf();
      if (!rawDoc) return null;
      const page = await getPage(pageNumber);
      try {
        const sole = soleImageStream(rawDoc, { ref: page.ref, view: page.view, rotate: page.rotate });
        if (!sole.ok) return null;
        const jpeg = pdfJpeg(sole.image, limits.maxImagePixels);
        if (!jpeg.ok) return null;
        const at = pageGeometry(page, dpi, limits.maxPagePixels);
        return {
          bytes: jpeg.bytes,
          transform: multiply(at.transform, sole.ctm),
          width: at.width,
          height: at.height,
        };
      } catch {
        return null; // pdf-lib cannot read the page: the picture is rendered by pdf.js instead
      } finally {
        page.cleanup();
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      raw = null;
      await loadingTask.destroy();
    },
  };
}

interface ContentItem {
  str?: string;
  hasEOL?: boolean;
}

/** Joins pdf.js text items into lines (pdf.js marks line ends with `hasEOL`). */
export function textFromContent(items: readonly unknown[]): TextLayer {
  let text = '';
  for (const raw of items) {
    const item = raw as ContentItem;
    if (typeof item.str === 'string') text += item.str;
    if (item.hasEOL) text += '\n';
  }
  text = text
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line, i, all) => line !== '' || (i > 0 && all[i - 1] !== ''))
    .join('\n')
    .trim();
  return { text, chars: text.replace(/\s/g, '').length };
}

function lastIndexOf(bytes: Uint8Array, marker: string): number {
  const m = [...marker].map((c) => c.charCodeAt(0));
  outer: for (let i = bytes.length - m.length; i >= 0; i--) {
    for (let j = 0; j < m.length; j++) if (bytes[i + j] !== m[j]) continue outer;
    return i;
  }
  return -1;
}
