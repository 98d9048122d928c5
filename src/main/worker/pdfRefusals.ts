/**
 * What pdf.js opened but we refuse before drawing, each with a reason in the user's words: pages
 * pdf.js counted but cannot fetch, dynamic XFA forms, and pages with no area or too large to read.
 */
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { InputError } from '../common/errors.ts';
import { MIN_READABLE_DPI, type Limits } from './ocrTypes.ts';
import { pdfjsOpenOptions } from './pdfjsOptions.ts';
import { fitDpi } from './rasterize.ts';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

/** True when a page pdf.js counted cannot be fetched (it met a loop or a broken entry). */
export async function losesPages(doc: PDFDocumentProxy, limits: Limits): Promise<boolean> {
  for (let n = 1; n <= Math.min(doc.numPages, limits.maxPages); n++) {
    try {
      await doc.getPage(n);
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * A dynamic XFA form holds its real content in an XML form description that only Adobe Acrobat
 * and Reader lay out; its PDF pages are a placeholder ("Please wait…"). OCRmyPDF refuses these
 * too. pdf.js says whether a form is one (it lays it out when asked to): only asked when the
 * document has XFA at all.
 */
export async function refuseDynamicXfa(
  pdfjs: PdfJs,
  doc: PDFDocumentProxy,
  bytes: Uint8Array,
  limits: Limits,
  assets: string,
): Promise<void> {
  const { info } = await doc.getMetadata().catch(() => ({ info: {} }));
  if (!(info as { IsXFAPresent?: boolean }).IsXFAPresent) return;
  const task = pdfjs.getDocument(
    pdfjsOpenOptions(bytes.slice(), limits, assets, pdfjs.VerbosityLevel.ERRORS, { xfaCheck: true }),
  );
  let dynamic = false;
  try {
    dynamic = (await task.promise).isPureXfa;
  } catch {
    // Unreadable as XFA: read the PDF pages.
  } finally {
    await task.destroy().catch(() => undefined);
  }
  if (dynamic)
    throw new InputError(
      'UNSUPPORTED_FORMAT',
      'the PDF is a dynamic XFA form (made with Adobe LiveCycle Designer): its pages are drawn only by Adobe Acrobat and Adobe Reader, and other readers show a placeholder page; open it in Adobe Reader, print it to a PDF and add that file instead',
    );
}

/**
 * Refuses a page that cannot be rendered usefully before any canvas is allocated: one with no area
 * (an empty or inverted MediaBox), and one so large that fitting it into `maxPagePixels` would take
 * a resolution at which nothing can be read (a 1,000,000-point MediaBox).
 */
export function checkRenderable(
  pageNumber: number,
  size: { width: number; height: number },
  dpi: number,
  limits: Limits,
): void {
  const { width, height } = size;
  if (!(width >= 1 && height >= 1) || !Number.isFinite(width * height))
    throw new InputError(
      'DAMAGED_FILE',
      `page ${pageNumber} of the PDF has no usable size (its MediaBox is ${Math.round(width)} × ${Math.round(height)} points)`,
    );
  const fitted = fitDpi(width, height, dpi, limits.maxPagePixels);
  if (fitted < MIN_READABLE_DPI) {
    const inches = (pt: number): string => Math.round(pt / 72).toLocaleString('en-US');
    throw new InputError(
      'TOO_LARGE',
      `page ${pageNumber} is ${inches(width)} × ${inches(height)} inches; within the ${Math.round(limits.maxPagePixels / 1e6)}-megapixel limit ` +
        `it could only be rendered at ${fitted < 1 ? 'under 1' : Math.floor(fitted)} dpi, too coarse to read (at least ${MIN_READABLE_DPI} dpi is needed)`,
    );
  }
}
