/**
 * Rendering one PDF page to pixels with pdf.js, as the user sees it (CropBox, /Rotate), at the
 * requested DPI or lower when the page would exceed the pixel limit.
 */
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { imagePagePgm, type ImagePageOps, type PDFOperatorList } from './imagePage.ts';
import type { RasterImage } from './ocrTypes.ts';

/** Skia's largest canvas side; pdf.js would fail on a larger one. */
const MAX_CANVAS_SIDE = 32_767;

/** A canvas as @napi-rs/canvas makes it (through pdf.js's canvasFactory, never imported directly). */
interface NodeCanvas {
  width: number;
  height: number;
  /** Stored pixels, premultiplied RGBA; on an opaque white background equal to straight RGBA. */
  data?: () => Uint8Array;
}
interface CanvasAndContext {
  canvas: NodeCanvas | null;
  context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
interface CanvasFactory {
  create(width: number, height: number): CanvasAndContext;
  destroy(canvasAndContext: CanvasAndContext): void;
}

/**
 * The DPI a page is rendered at: the requested one, lowered so that the raster stays within
 * `maxPixels` and the canvas side limit. Page size in PDF points (1/72 inch) as the user sees it.
 */
export function fitDpi(widthPt: number, heightPt: number, requestedDpi: number, maxPixels: number): number {
  const px = (dpi: number): [number, number] => [
    Math.ceil((widthPt * dpi) / 72 - 1e-6),
    Math.ceil((heightPt * dpi) / 72 - 1e-6),
  ];
  let dpi = requestedDpi;
  const [w, h] = px(dpi);
  if (w * h > maxPixels) dpi = requestedDpi * Math.sqrt(maxPixels / (w * h));
  const side = Math.max(...px(dpi));
  if (side > MAX_CANVAS_SIDE) dpi = (dpi * MAX_CANVAS_SIDE) / side;
  // Round down to 0.01 dpi and re-check so rounding never crosses the limit.
  dpi = Math.floor(dpi * 100) / 100;
  while (dpi > 1) {
    const [fw, fh] = px(dpi);
    if (fw * fh <= maxPixels && Math.max(fw, fh) <= MAX_CANVAS_SIDE) break;
    dpi -= 0.5;
  }
  return dpi;
}

export interface RenderedPage {
  /** The page as 8-bit grey PGM, ready for the recogniser. */
  raster: RasterImage & { kind: 'encoded' };
  /** The DPI actually used (lower than asked when the page hit the pixel limit). */
  dpi: number;
  /**
   * How the pixels were made: a pdf.js render on a canvas, pdf.js's decoded image copied 1:1
   * (imagePage.ts), or the page's JPEG decoded natively without pdf.js (jpegPage.ts).
   */
  via: 'render' | 'image' | 'jpeg';
}

/** The raster a page is rendered to: DPI, size in pixels and pdf.js's viewport transform. */
export interface PageGeometry {
  dpi: number;
  width: number;
  height: number;
  transform: [number, number, number, number, number, number];
}

/** Where `page` lands at `requestedDpi`, lowered to fit `maxPixels` (`fitDpi`). */
export function pageGeometry(page: PDFPageProxy, requestedDpi: number, maxPixels: number): PageGeometry {
  // The viewport honours the CropBox (page.view) and /Rotate (page.rotate) by default.
  const unit = page.getViewport({ scale: 1 });
  const dpi = fitDpi(unit.width, unit.height, requestedDpi, maxPixels);
  const viewport = page.getViewport({ scale: dpi / 72 });
  // Tolerance: 612 pt at 300 dpi is 2550 px, not 2551 after a floating-point hair.
  const width = Math.ceil(viewport.width - 1e-6);
  const height = Math.ceil(viewport.height - 1e-6);
  return { dpi, width, height, transform: viewport.transform as PageGeometry['transform'] };
}

/** The page's operator list (already parsed) and pdf.js's operator codes, for `imagePagePgm`. */
export interface ParsedPage {
  ops: PDFOperatorList;
  OPS: ImagePageOps;
}

/**
 * Renders `page` onto a white canvas made by the document's own canvas factory (so the one
 * @napi-rs/canvas copy pdf.js loaded is used) and converts it straight to grey PGM while the
 * canvas is alive: the RGBA pixels are read in place where the canvas allows it, and the PGM is
 * the only buffer that outlives this call. A page that is one scanned image drawn 1:1 (`parsed`
 * given) skips the canvas: its decoded pixels are the render (imagePage.ts).
 */
export async function renderPage(
  doc: PDFDocumentProxy,
  page: PDFPageProxy,
  requestedDpi: number,
  maxPixels: number,
  parsed?: ParsedPage,
): Promise<RenderedPage> {
  const { dpi, width, height, transform } = pageGeometry(page, requestedDpi, maxPixels);
  if (parsed) {
    const pgm = await imagePagePgm(page, parsed.ops, parsed.OPS, transform, width, height);
    if (pgm) {
      page.cleanup();
      return { raster: { kind: 'encoded', width, height, bytes: pgm, dpi }, dpi, via: 'image' };
    }
  }
  const viewport = page.getViewport({ scale: dpi / 72 });
  const factory = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
  const target = factory.create(width, height);
  try {
    const canvas = target.canvas as unknown as HTMLCanvasElement;
    // `background` paints the page white first: no transparent pixels reach the grey conversion.
    await page.render({ canvas, viewport, background: 'rgb(255,255,255)' }).promise;
    const c = target.canvas as NodeCanvas;
    const rgba =
      typeof c.data === 'function' ? c.data() : target.context!.getImageData(0, 0, width, height).data;
    const pgm = toPgm(width, height, 4, rgba);
    return { raster: { kind: 'encoded', width, height, bytes: pgm, dpi }, dpi, via: 'render' };
  } finally {
    page.cleanup();
    factory.destroy(target);
  }
}

/**
 * Pixels → 8-bit grey PGM (P5): Leptonica reads it without decompression, and for tesseract.js
 * grey gave the same accuracy as colour PNG at a fraction of the encoding cost (STACK-NOTES).
 * Luma with integer weights (0.299, 0.587, 0.114 scaled by 256); alpha is ignored (pdf.js renders
 * onto white, image decoding composites onto white).
 */
export function toPgm(
  width: number,
  height: number,
  channels: 1 | 3 | 4,
  data: Uint8Array | Uint8ClampedArray,
): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
  const pixels = width * height;
  if (data.length < pixels * channels)
    throw new Error(`pixel buffer too short: ${data.length} < ${pixels * channels}`);
  const out = new Uint8Array(header.length + pixels);
  out.set(header, 0);
  if (channels === 1) {
    out.set(data.subarray(0, pixels), header.length);
    return out;
  }
  lumaInto(out.subarray(header.length), data, channels);
  return out;
}

/**
 * Grey levels of RGB(A) pixels into `grey` (one byte per pixel, `grey.length` pixels): luma with
 * integer weights (0.299, 0.587, 0.114 scaled by 256), alpha ignored. The one conversion every
 * path uses (render, image decoding, preprocessing), so a page is the same grey whichever way
 * it came.
 */
export function lumaInto(grey: Uint8Array, data: Uint8Array | Uint8ClampedArray, channels: number): void {
  for (let i = 0, j = 0; i < grey.length; i++, j += channels) {
    grey[i] = (data[j] * 77 + data[j + 1] * 150 + data[j + 2] * 29) >> 8;
  }
}
