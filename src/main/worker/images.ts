/**
 * Image inputs: header sniffing (size, pages, resolution, without decoding a pixel), decoding of
 * one page, and the opened-document form the worker keeps while it OCRs the pages of one file.
 *
 * Decoders: TIFF (any compression utif2 reads, notably CCITT G4 fax) through utif2; PNG, JPEG,
 * GIF (first frame), WebP and BMP through @napi-rs/canvas, the one copy pdf.js also uses.
 * PNG and JPEG are never decoded for OCR at all: their bytes go to Tesseract as they are.
 */
import { readFile } from 'node:fs/promises';
import { createCanvas, Image } from '@napi-rs/canvas';
import UTIF from 'utif2';
import { InputError } from './errors.ts';
import { sniff } from './sniff.ts';
import type {
  DecodedImage,
  ImageFormat,
  ImageInfo,
  Limits,
  OpenedDocument,
  RasterImage,
} from './ocrTypes.ts';

/** Most pages a TIFF may declare (a guard against IFD loops and absurd files). */
const MAX_TIFF_PAGES = 10_000;

const FORMAT_NAMES: Record<ImageFormat, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  tiff: 'TIFF',
  bmp: 'BMP',
  gif: 'GIF',
  webp: 'WebP',
};

export function formatName(format: ImageFormat): string {
  return FORMAT_NAMES[format];
}

// ---------------------------------------------------------------------------------------------
// Header sniffing

/**
 * Reads format, size, page count and resolution from the header only. Returns null when the
 * bytes are not a supported image or the header is unreadable (e.g. a JPEG without a frame
 * header). TIFF needs the whole file (its directories may sit at the end); the others need only
 * the first few kilobytes (PNG: up to the first IDAT for pHYs).
 */
export function sniffImage(bytes: Uint8Array): ImageInfo | null {
  const s = sniff(bytes);
  if (s.kind !== 'image') return null;
  try {
    switch (s.format) {
      case 'png':
        return sniffPng(bytes);
      case 'jpeg':
        return sniffJpeg(bytes);
      case 'tiff':
        return sniffTiff(bytes);
      case 'bmp':
        return sniffBmp(bytes);
      case 'gif':
        return single('gif', u16le(bytes, 6), u16le(bytes, 8), null, null);
      case 'webp':
        return sniffWebp(bytes);
    }
  } catch {
    // A header that points outside the file: not a readable image.
    return null;
  }
}

function single(
  format: ImageFormat,
  width: number,
  height: number,
  dpiX: number | null,
  dpiY: number | null,
): ImageInfo | null {
  if (!(width > 0 && height > 0)) return null;
  return { format, width, height, pages: 1, dpiX, dpiY, maxPagePixels: width * height };
}

function need(bytes: Uint8Array, end: number): void {
  if (end > bytes.length) throw new RangeError('header past end of file');
}
function u16le(b: Uint8Array, o: number): number {
  need(b, o + 2);
  return b[o] | (b[o + 1] << 8);
}
function u16be(b: Uint8Array, o: number): number {
  need(b, o + 2);
  return (b[o] << 8) | b[o + 1];
}
function u32le(b: Uint8Array, o: number): number {
  need(b, o + 4);
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}
function u32be(b: Uint8Array, o: number): number {
  need(b, o + 4);
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}
function roundDpi(dpi: number): number | null {
  return Number.isFinite(dpi) && dpi > 0 ? Math.round(dpi * 100) / 100 : null;
}

function sniffPng(b: Uint8Array): ImageInfo | null {
  // Signature (8), IHDR length (4) and type (4), then width and height.
  if (u32be(b, 12) !== 0x49484452) return null; // 'IHDR'
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  let dpiX: number | null = null;
  let dpiY: number | null = null;
  for (let o = 8; o + 8 <= b.length;) {
    const len = u32be(b, o);
    const type = u32be(b, o + 4);
    if (type === 0x49444154) break; // 'IDAT': pHYs must come before it
    if (type === 0x70485973 && len >= 9 && o + 17 <= b.length && b[o + 16] === 1) {
      // 'pHYs' in pixels per metre
      dpiX = roundDpi(u32be(b, o + 8) * 0.0254);
      dpiY = roundDpi(u32be(b, o + 12) * 0.0254);
    }
    o += 12 + len;
  }
  return single('png', width, height, dpiX, dpiY);
}

function sniffJpeg(b: Uint8Array): ImageInfo | null {
  let dpiX: number | null = null;
  let dpiY: number | null = null;
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) return null; // lost sync: not a JPEG we can read
    const marker = b[o + 1];
    if (marker === 0xff) {
      o += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      o += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image / scan before any frame header
    const len = u16be(b, o + 2);
    if (len < 2) return null;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      const height = u16be(b, o + 5);
      const width = u16be(b, o + 7);
      return single('jpeg', width, height, dpiX, dpiY);
    }
    if (
      marker === 0xe0 &&
      len >= 14 &&
      o + 18 <= b.length &&
      new TextDecoder().decode(b.subarray(o + 4, o + 9)) === 'JFIF\0'
    ) {
      const units = b[o + 11];
      const x = u16be(b, o + 12);
      const y = u16be(b, o + 14);
      if (units === 1 || units === 2) {
        const f = units === 1 ? 1 : 2.54;
        dpiX = roundDpi(x * f);
        dpiY = roundDpi(y * f);
      }
    }
    o += 2 + len;
  }
  return null;
}

function sniffBmp(b: Uint8Array): ImageInfo | null {
  const dib = u32le(b, 14);
  if (dib === 12) return single('bmp', u16le(b, 18), u16le(b, 20), null, null);
  const width = u32le(b, 18) | 0;
  const height = Math.abs(u32le(b, 22) | 0); // negative height = top-down rows
  const ppmX = dib >= 40 ? u32le(b, 38) : 0;
  const ppmY = dib >= 40 ? u32le(b, 42) : 0;
  return single('bmp', width, height, roundDpi(ppmX * 0.0254), roundDpi(ppmY * 0.0254));
}

function sniffWebp(b: Uint8Array): ImageInfo | null {
  const chunk = new TextDecoder().decode(b.subarray(12, 16));
  if (chunk === 'VP8 ') {
    need(b, 30);
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
    return single('webp', u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff, null, null);
  }
  if (chunk === 'VP8L') {
    need(b, 25);
    const [b0, b1, b2, b3] = [b[21], b[22], b[23], b[24]];
    const width = 1 + (((b1 & 0x3f) << 8) | b0);
    const height = 1 + (((b3 & 0x0f) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6));
    return single('webp', width, height, null, null);
  }
  if (chunk === 'VP8X') {
    need(b, 30);
    const width = 1 + (b[24] | (b[25] << 8) | (b[26] << 16));
    const height = 1 + (b[27] | (b[28] << 8) | (b[29] << 16));
    return single('webp', width, height, null, null);
  }
  return null;
}

interface TiffPageHeader {
  width: number;
  height: number;
  dpiX: number | null;
  dpiY: number | null;
}

/** Walks the TIFF directory chain (classic TIFF; BigTIFF is not supported) reading only tags. */
function sniffTiff(b: Uint8Array): ImageInfo | null {
  const le = b[0] === 0x49;
  const u16 = (o: number): number => (le ? u16le(b, o) : u16be(b, o));
  const u32 = (o: number): number => (le ? u32le(b, o) : u32be(b, o));
  const pages: TiffPageHeader[] = [];
  const seen = new Set<number>();
  let ifd = u32(4);
  while (ifd !== 0 && pages.length < MAX_TIFF_PAGES) {
    if (seen.has(ifd)) break; // a loop in the chain: stop at what we have
    seen.add(ifd);
    const count = u16(ifd);
    const page: TiffPageHeader = { width: 0, height: 0, dpiX: null, dpiY: null };
    let unit = 2;
    let resX = 0;
    let resY = 0;
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      const tag = u16(e);
      const type = u16(e + 2);
      const value = (): number => (type === 3 ? u16(e + 8) : u32(e + 8));
      const rational = (): number => {
        const at = u32(e + 8);
        const den = u32(at + 4);
        return den ? u32(at) / den : 0;
      };
      if (tag === 256) page.width = value();
      else if (tag === 257) page.height = value();
      else if (tag === 282) resX = rational();
      else if (tag === 283) resY = rational();
      else if (tag === 296) unit = value();
    }
    const f = unit === 3 ? 2.54 : unit === 2 ? 1 : 0;
    page.dpiX = roundDpi(resX * f);
    page.dpiY = roundDpi(resY * f);
    if (!(page.width > 0 && page.height > 0)) return null;
    pages.push(page);
    ifd = u32(ifd + 2 + count * 12);
  }
  if (pages.length === 0) return null;
  const first = pages[0];
  return {
    format: 'tiff',
    width: first.width,
    height: first.height,
    pages: pages.length,
    dpiX: first.dpiX,
    dpiY: first.dpiY,
    maxPagePixels: Math.max(...pages.map((p) => p.width * p.height)),
  };
}

// ---------------------------------------------------------------------------------------------
// Decoding

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  if (
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
  )
    return bytes.buffer;
  return bytes.slice().buffer;
}

/**
 * Decodes page `index` (0-based) of an image file. Greyscale and bilevel TIFF pages come back
 * with one channel, everything else as RGBA. The caller checks the size limits first
 * (`sniffImage`): this function allocates the full image.
 */
export async function decodeImagePage(bytes: Uint8Array, index: number): Promise<DecodedImage> {
  const info = sniffImage(bytes);
  if (!info) throw new InputError('UNSUPPORTED_FORMAT', 'not a supported image');
  if (index < 0 || index >= info.pages)
    throw new RangeError(`page ${index + 1} is outside the image's ${info.pages} page(s)`);
  // Resolution from the header (for a multi-page TIFF: the first page's).
  const dpiX = info.dpiX ?? 0;
  const dpiY = info.dpiY ?? info.dpiX ?? 0;
  if (info.format === 'tiff') return decodeTiffPage(bytes, index, dpiX, dpiY);
  const image = new Image();
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = (error: unknown) => reject(error instanceof Error ? error : new Error(String(error)));
    image.src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }).catch((error: unknown) => {
    throw new InputError(
      'DAMAGED_FILE',
      `the ${formatName(info.format)} image is damaged or incomplete: ${messageOf(error)}`,
    );
  });
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  // Transparent areas become white paper, not black.
  context.fillStyle = '#fff';
  context.fillRect(0, 0, image.width, image.height);
  context.drawImage(image, 0, 0);
  const data = new Uint8Array(canvas.data());
  return { width: image.width, height: image.height, channels: 4, data, dpiX, dpiY };
}

function decodeTiffPage(bytes: Uint8Array, index: number, dpiX: number, dpiY: number): DecodedImage {
  const buffer = arrayBufferOf(bytes);
  let ifds: UTIF.IFD[];
  try {
    ifds = UTIF.decode(buffer);
    UTIF.decodeImage(buffer, ifds[index]);
  } catch (error) {
    throw new InputError(
      'DAMAGED_FILE',
      `the TIFF image is damaged or uses an unsupported compression: ${messageOf(error)}`,
    );
  }
  const ifd = ifds[index];
  const width = ifd.width;
  const height = ifd.height;
  const tag = (name: string): number | undefined => (ifd[name] as number[] | undefined)?.[0];
  const photometric = tag('t262') ?? 0;
  const bps = tag('t258') ?? 1;
  const samples = tag('t277') ?? 1;
  const data = ifd.data;
  if (!data || data.length === 0)
    throw new InputError('DAMAGED_FILE', `TIFF page ${index + 1} has no image data`);
  if (samples === 1 && (photometric === 0 || photometric === 1) && (bps === 1 || bps === 8)) {
    // Grey and bilevel pages straight to one 8-bit channel: a quarter of RGBA's memory and the
    // format Tesseract gets anyway. Same bit conventions as UTIF.toRGBA8.
    const grey = new Uint8Array(width * height);
    const bpl = Math.ceil((bps * width) / 8);
    const invert = photometric === 0;
    for (let y = 0; y < height; y++) {
      const row = y * bpl;
      const out = y * width;
      if (bps === 1) {
        for (let x = 0; x < width; x++) {
          const bit = (data[row + (x >> 3)] >> (7 - (x & 7))) & 1;
          grey[out + x] = (invert ? 1 - bit : bit) * 255;
        }
      } else {
        for (let x = 0; x < width; x++) grey[out + x] = invert ? 255 - data[row + x] : data[row + x];
      }
    }
    return { width, height, channels: 1, data: grey, dpiX, dpiY };
  }
  return { width, height, channels: 4, data: UTIF.toRGBA8(ifd), dpiX, dpiY };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------
// Opened image documents

/** An opened image file: its bytes and header, pages decoded on demand. */
export interface ImageDocument extends OpenedDocument {
  kind: 'image';
  info: ImageInfo;
  /** The raster for page `pageNumber` (1-based), ready for the recogniser. */
  raster(pageNumber: number): Promise<RasterImage>;
}

/** Resolution assumed for images whose header does not say (the common scanner setting). */
const ASSUMED_IMAGE_DPI = 300;

/**
 * Checks an image's header against the limits; throws `TOO_LARGE` before anything is decoded.
 * Used by both `probeFile` and `openImageDocument`.
 */
export function checkImageLimits(info: ImageInfo, limits: Limits): void {
  if (info.maxPagePixels > limits.maxImagePixels) {
    const big = info.pages > 1 ? ' (largest page)' : '';
    throw new InputError(
      'TOO_LARGE',
      `image is ${info.width} × ${info.height} pixels${big}; the limit is ${Math.round(limits.maxImagePixels / 1e6)} megapixels`,
    );
  }
}

export function openImageBytes(bytes: Uint8Array, info: ImageInfo, limits: Limits): ImageDocument {
  checkImageLimits(info, limits);
  let data: Uint8Array | null = bytes;
  return {
    kind: 'image',
    pageCount: info.pages,
    info,
    async raster(pageNumber: number): Promise<RasterImage> {
      if (!data) throw new Error('document is closed');
      if (pageNumber < 1 || pageNumber > info.pages)
        throw new RangeError(`page ${pageNumber} does not exist (the image has ${info.pages})`);
      if (info.format === 'png' || info.format === 'jpeg') {
        // Tesseract's Leptonica decodes these itself: hand over the file's bytes, no copy.
        const dpi = info.dpiX ?? ASSUMED_IMAGE_DPI;
        return { kind: 'encoded', width: info.width, height: info.height, bytes: data, dpi };
      }
      const decoded = await decodeImagePage(data, pageNumber - 1);
      const dpi = decoded.dpiX || ASSUMED_IMAGE_DPI;
      return {
        kind: 'pixels',
        width: decoded.width,
        height: decoded.height,
        channels: decoded.channels,
        data: decoded.data,
        dpi,
      };
    },
    close(): Promise<void> {
      data = null;
      return Promise.resolve();
    },
  };
}

export async function openImageDocument(path: string, limits: Limits): Promise<ImageDocument> {
  const bytes = new Uint8Array(await readFile(path));
  const info = sniffImage(bytes);
  if (!info) throw new InputError('UNSUPPORTED_FORMAT', 'not a valid image');
  return openImageBytes(bytes, info, limits);
}
