/**
 * The whole per-page job: keep a page's own text layer (mode `auto`) or rasterise it and
 * recognise it, and report how long each stage took.
 */
import type { OcrOptions, PageResult } from '../../shared/model.ts';
import type { AnyDocument } from './pdfDocument.ts';
import type { OpenedDocument, RasterImage } from './ocrTypes.ts';
import { DEFAULT_DPI } from './ocrTypes.ts';
import type { Recognizer } from './recognize.ts';
import { preprocess, type PreprocessOptions, type PreprocessReport } from './preprocess/preprocess.ts';

/**
 * A page whose text layer has at least this many non-whitespace characters counts as having
 * text. Low on purpose: an earlier OCR's invisible layer on a mostly graphic page (a chart with
 * a caption) is text too, while an empty or whitespace-only layer (some scanners write one) is not.
 */
export const MIN_TEXT_LAYER_CHARS = 3;

function ms(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}

/**
 * Languages written in the Latin alphabet. Orientation detection decides which way is up from
 * ascenders outnumbering descenders, which holds for these; for other scripts (CJK has neither,
 * Devanagari hangs from a headline, lowercase Cyrillic has more descenders) it could turn a
 * page over, so pages in them are recognised as they come.
 */
const LATIN_SCRIPT = new Set(
  (
    'eng fra deu spa ita por nld pol dan nor swe fin isl ces slk slv hrv bos hun ron tur cat glg eus ' +
    'gle cym lat est lav lit sqi mlt afr ind msa tgl swa vie frm enm ita_old spa_old deu_latf'
  ).split(' '),
);

/** The preprocessing steps an `OcrOptions` asks for: each one on unless set to false. */
export function preprocessOptions(options: OcrOptions): PreprocessOptions {
  return {
    rotate: options.rotate !== false && options.languages.every((code) => LATIN_SCRIPT.has(code)),
    deskew: options.deskew !== false,
    rules: options.removeRules !== false,
    resolution: options.estimateDpi !== false,
    photo: options.correctPhotos !== false,
    despeckle: options.despeckle !== false,
  };
}

/** The page's raster as the page task rasterises it: a PDF page at the job's DPI, an image as stored. */
export async function pageRaster(
  document: AnyDocument,
  pageNumber: number,
  options: OcrOptions,
): Promise<RasterImage> {
  if (document.kind === 'pdf')
    return (await document.render(pageNumber, options.dpi > 0 ? options.dpi : DEFAULT_DPI)).raster;
  return document.raster(pageNumber);
}

/**
 * OCRs page `pageNumber` (1-based) of an opened document. In mode `auto` a PDF page that already
 * has a text layer keeps it (`source: 'text-layer'`, no OCR); `force` recognises every page.
 * Before recognition the page is turned upright, straightened and cleared of table rules
 * (preprocess/); word boxes still come back in pixels of the page as the user sees it
 * (`width` × `height`, origin top-left), whatever was turned for recognition.
 */
export async function ocrPage(
  doc: OpenedDocument,
  pageNumber: number,
  options: OcrOptions,
  recognizer: Recognizer,
): Promise<PageResult> {
  return (await ocrPageDetailed(doc, pageNumber, options, recognizer)).result;
}

/** `ocrPage`, plus what preprocessing did and how long each step took (null for text-layer pages). */
export async function ocrPageDetailed(
  doc: OpenedDocument,
  pageNumber: number,
  options: OcrOptions,
  recognizer: Recognizer,
): Promise<{ result: PageResult; preprocess: PreprocessReport | null }> {
  const start = performance.now();
  const document = doc as AnyDocument;
  const requestedDpi = options.dpi > 0 ? options.dpi : DEFAULT_DPI;
  let openMs: number | undefined;
  if (document.kind === 'pdf' && options.mode === 'auto') {
    const t = performance.now();
    const layer = await document.textLayer(pageNumber);
    openMs = ms(t);
    if (layer.chars >= MIN_TEXT_LAYER_CHARS) {
      const result: PageResult = {
        text: layer.text,
        words: [],
        meanConfidence: null,
        source: 'text-layer',
        width: 0,
        height: 0,
        dpi: requestedDpi,
        timings: { open: openMs, total: ms(start) },
      };
      return { result, preprocess: null };
    }
  }
  // The review window's "what Tesseract saw" runs these same two calls (preparedPicture.ts).
  const t0 = performance.now();
  const raster = await pageRaster(document, pageNumber, options);
  const rasterizeMs = ms(t0);
  const prepared = await preprocess(raster, preprocessOptions(options));
  const t = performance.now();
  const recognition = await recognizer.recognize(prepared.raster, options.languages);
  const recognizeMs = ms(t);
  const result: PageResult = {
    text: recognition.text,
    words: prepared.mapWords(recognition.words),
    meanConfidence: recognition.meanConfidence,
    source: 'ocr',
    width: raster.width,
    height: raster.height,
    dpi: raster.dpi,
    timings: {
      ...(openMs !== undefined ? { open: openMs } : {}),
      rasterize: rasterizeMs,
      recognize: recognizeMs,
      total: ms(start),
    },
  };
  return { result, preprocess: prepared.report };
}
