/**
 * The whole per-page job: keep a page's own text layer (mode `auto`) or rasterise it and
 * recognise it, and report how long each stage took.
 */
import type { OcrOptions, PageResult } from '../../shared/model.ts';
import type { AnyDocument } from './pdfDocument.ts';
import type { OpenedDocument, RasterImage } from './ocrTypes.ts';
import { DEFAULT_DPI } from './ocrTypes.ts';
import type { Recognizer } from './recognize.ts';

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
 * OCRs page `pageNumber` (1-based) of an opened document. In mode `auto` a PDF page that already
 * has a text layer keeps it (`source: 'text-layer'`, no OCR); `force` recognises every page.
 * Word boxes are in pixels of the recognised raster (`width` × `height`, origin top-left).
 */
export async function ocrPage(
  doc: OpenedDocument,
  pageNumber: number,
  options: OcrOptions,
  recognizer: Recognizer,
): Promise<PageResult> {
  const start = performance.now();
  const document = doc as AnyDocument;
  const requestedDpi = options.dpi > 0 ? options.dpi : DEFAULT_DPI;
  let raster: RasterImage;
  let openMs: number | undefined;
  let rasterizeMs: number;
  if (document.kind === 'pdf') {
    if (options.mode === 'auto') {
      const t = performance.now();
      const layer = await document.textLayer(pageNumber);
      openMs = ms(t);
      if (layer.chars >= MIN_TEXT_LAYER_CHARS) {
        return {
          text: layer.text,
          words: [],
          meanConfidence: null,
          source: 'text-layer',
          width: 0,
          height: 0,
          dpi: requestedDpi,
          timings: { open: openMs, total: ms(start) },
        };
      }
    }
    const t = performance.now();
    raster = (await document.render(pageNumber, requestedDpi)).raster;
    rasterizeMs = ms(t);
  } else {
    const t = performance.now();
    raster = await document.raster(pageNumber);
    rasterizeMs = ms(t);
  }
  const t = performance.now();
  const recognition = await recognizer.recognize(raster, options.languages);
  const recognizeMs = ms(t);
  return {
    text: recognition.text,
    words: recognition.words,
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
}
