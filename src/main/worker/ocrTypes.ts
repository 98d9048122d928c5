/**
 * Types shared by the OCR half of the worker (probe, open, rasterise, recognise). Plain data;
 * the opened-document implementations live in pdfDocument.ts and images.ts.
 */
import type { DocumentKind } from '../../shared/model.ts';
import type { Orientation } from './orientation.ts';

/** Hard limits applied before and while decoding an input. All sizes in pixels. */
export interface Limits {
  /**
   * Largest raster handed to Tesseract for one page. A PDF page that would exceed it at the
   * requested DPI is rendered at a lower DPI that fits (the page's `dpi` in the result says so).
   */
  maxPagePixels: number;
  /**
   * Largest image input (per page/frame) that is decoded at all; decided from the header, so a
   * decompression bomb is rejected before any allocation. Also caps images embedded in PDFs.
   */
  maxImagePixels: number;
  /** Most pages one document may have (a PDF, a multi-page TIFF); more is refused at the probe. */
  maxPages: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxPagePixels: 150_000_000,
  maxImagePixels: 150_000_000,
  maxPages: 10_000,
};

/**
 * Below this resolution no text is readable (10-point type is under 3 pixels tall): a page so large
 * that it would have to be rendered coarser than this to fit `maxPagePixels` is refused instead.
 */
export const MIN_READABLE_DPI = 20;

/** The refusal of a document with more pages than `Limits.maxPages`. */
export function tooManyPagesMessage(pages: number, limits: Limits): string {
  return `the document has ${pages.toLocaleString('en-US')} pages; the limit is ${limits.maxPages.toLocaleString('en-US')} pages per document (the page limit in Settings, or --max-pages)`;
}

/** Megapixels as a person reads them: "1,200", "150", "0.4". */
export function megapixels(pixels: number): string {
  const mp = pixels / 1e6;
  return mp < 10 ? String(Math.round(mp * 10) / 10) : Math.round(mp).toLocaleString('en-US');
}

/**
 * The refusal of an image over `Limits.maxImagePixels`: its size when known, the limit, and how
 * to let it through (the setting OCRmyPDF calls --max-image-mpixels). `page`: the PDF page that
 * holds the image; null for an image file (`largest`: the largest page of a multi-page TIFF).
 */
export function imageTooLargeMessage(
  where: { page: number } | { file: true; largest?: boolean },
  size: { width: number; height: number } | null,
  limits: Limits,
): string {
  const how = (needed: string): string =>
    `to read it, allow larger images: --max-image-mpixels ${needed} on the command line, or "Largest image" in Settings`;
  if (!size) {
    const subject = 'page' in where ? `page ${where.page} holds an image` : 'the image is';
    return `${subject} larger than ${megapixels(limits.maxImagePixels)} megapixels, the limit; ${how('N')}`;
  }
  const pixels = size.width * size.height;
  const dims = `${size.width} × ${size.height} pixels (${megapixels(pixels)} megapixels)`;
  const subject =
    'page' in where
      ? `page ${where.page} holds an image of ${dims}`
      : `the image is ${dims}${where.largest ? ' (its largest page)' : ''}`;
  return `${subject}; the limit is ${megapixels(limits.maxImagePixels)} megapixels; ${how(String(Math.ceil(pixels / 1e6)))}`;
}

export function resolveLimits(limits?: Partial<Limits>): Limits {
  return { ...DEFAULT_LIMITS, ...limits };
}

/** Image formats recognised by content sniffing. */
export type ImageFormat = 'png' | 'jpeg' | 'tiff' | 'bmp' | 'gif' | 'webp' | 'pbm' | 'pgm' | 'ppm';

/** What an image header says, read without decoding any pixels. */
export interface ImageInfo {
  format: ImageFormat;
  /** Size of the first page/frame. */
  width: number;
  height: number;
  /** Number of pages (multi-page TIFF); 1 for the other formats (animations: first frame only). */
  pages: number;
  /** Resolution from the header, or null when the file does not say. */
  dpiX: number | null;
  dpiY: number | null;
  /** Largest page of a multi-page file, in pixels (equals width × height for single-page files). */
  maxPagePixels: number;
  /** The size of that page. */
  largestPage: { width: number; height: number };
  /**
   * EXIF orientation of the first page (1–8; 1 when the file has none): how the stored pixels are
   * turned to be shown. `width` and `height` are the stored size.
   */
  orientation: Orientation;
}

/** Decoded pixels of one image page, rows top to bottom, no padding. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
  dpiX: number;
  dpiY: number;
}

/**
 * What the recogniser is given: either pixels (converted to 8-bit grey PGM on the way in) or an
 * encoded image Tesseract's Leptonica decodes itself: the input's own PNG/JPEG bytes (no
 * re-encoding) or a PGM made by the rasteriser.
 */
export type RasterImage =
  | { kind: 'pixels'; width: number; height: number; channels: 1 | 3 | 4; data: Uint8Array; dpi: number }
  | { kind: 'encoded'; width: number; height: number; bytes: Uint8Array; dpi: number };

/**
 * An opened input, kept open by the worker while it processes pages of the same file.
 * `close()` releases pdf.js / decoded buffers; it is safe to call twice.
 */
export interface OpenedDocument {
  kind: DocumentKind;
  pageCount: number;
  close(): Promise<void>;
}

/** Default rasterisation resolution for PDF pages. */
export const DEFAULT_DPI = 300;
