/**
 * What Tesseract was given for a page: the page rasterised and preprocessed exactly as the page
 * task does it (`pageRaster` + `preprocess` with `preprocessOptions` of the document's own
 * options), drawn for the review window beside the original so a person can see why a page reads
 * badly: a photo not flattened, specks left, a page turned the wrong way.
 *
 * It is recomputed on demand (by the light helper worker) rather than kept from the OCR run:
 * preprocessing a page costs ~0.1–0.3 s of CPU, once per look, where keeping every prepared page
 * would cost ~1–8 MB each for pages nobody opens, and a page recognised on another machine (a
 * cluster node) or before a restart has no copy here. The same functions run with the same
 * options on the same file, so the picture is the raster recognised, pixel for pixel
 * (test/integration/prepared-picture.test.ts).
 */
import type { OcrOptions } from '../../shared/model.ts';
import type { AnyDocument } from './pdfDocument.ts';
import type { RasterImage } from './ocrTypes.ts';
import { preprocess, type PreprocessReport } from './preprocess/preprocess.ts';
import { pageRaster, preprocessOptions } from './ocrPage.ts';
import { encodePicture } from './preview.ts';
import type { RenderResult } from './protocol.ts';

/**
 * The prepared raster of page `pageNumber` as a lossless PNG (a JPEG's ringing would hide the very
 * specks a person looks for), at full size up to `maxSide` (scaled down beyond: a poster), with
 * what preprocessing did in words.
 */
export async function preparedPicture(
  document: AnyDocument,
  pageNumber: number,
  options: OcrOptions,
  maxSide: number,
): Promise<RenderResult> {
  const raster = await pageRaster(document, pageNumber, options);
  const prepared = await preprocess(raster, preprocessOptions(options));
  const picture = await encodePicture(prepared.raster, maxSide, 'png');
  return {
    ...picture,
    steps: describeSteps(prepared.report, !samePixels(prepared.raster, raster), prepared.raster.dpi),
  };
}

/** Whether preprocessing handed the input's own pixels on (it may still correct the DPI told). */
function samePixels(a: RasterImage, b: RasterImage): boolean {
  if (a.kind === 'encoded') return b.kind === 'encoded' && a.bytes === b.bytes;
  return b.kind === 'pixels' && a.data === b.data;
}

const thousands = (n: number): string => n.toLocaleString('en-US');

/** What preprocessing did to the page, in a person's words, in the order it was done. */
export function describeSteps(report: PreprocessReport, changed: boolean, toldDpi: number): string[] {
  const steps: string[] = [];
  if (report.photo?.applied) {
    const why = report.photo.reasons.length > 0 ? ` (${report.photo.reasons.join(', ')})` : '';
    steps.push(
      report.photo.corners
        ? `Photo${why}: page cut out of its surround, perspective undone, light flattened`
        : `Photo${why}: light flattened`,
    );
  }
  if (report.specks && report.specks.removed > 0)
    steps.push(
      `${thousands(report.specks.removed)} specks removed` +
        (report.specks.filled > 0 ? `, ${thousands(report.specks.filled)} pinholes filled` : '') +
        (report.specks.median ? ', then a 3 × 3 median' : ''),
    );
  if (report.orientation !== 0) steps.push(`Turned ${report.orientation}° clockwise`);
  if (report.deskewDegrees !== 0) steps.push(`Straightened by ${Math.abs(report.deskewDegrees).toFixed(1)}°`);
  if (report.rulePixels > 0) steps.push(`Table rules painted out (${thousands(report.rulePixels)} pixels)`);
  if (report.scale !== 1)
    steps.push(`Scaled ${report.scale < 1 ? 'down' : 'up'} ×${report.scale.toFixed(2)}`);
  steps.push(
    (report.xHeight > 0 ? `Text x-height ${report.xHeight} px; ` : '') +
      `Tesseract told ${Math.round(toldDpi)} DPI`,
  );
  if (!changed) steps.unshift('Unchanged: Tesseract read the page as it is');
  return steps;
}
