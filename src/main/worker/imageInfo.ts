/**
 * Image headers: format, size, page count and resolution, read without decoding a pixel, so
 * limits are enforced before any allocation (a 100000 × 100000 PNG is refused from 872 bytes).
 */
import { sniff } from './sniff.ts';
import type { ImageFormat, ImageInfo } from './ocrTypes.ts';
import { netpbmHeader } from './netpbm.ts';
import { tiffOrientation, type Orientation } from './orientation.ts';

/** Most pages a TIFF may declare (a guard against IFD loops and absurd files). */
const MAX_TIFF_PAGES = 10_000;

const FORMAT_NAMES: Record<ImageFormat, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  tiff: 'TIFF',
  bmp: 'BMP',
  gif: 'GIF',
  webp: 'WebP',
  pbm: 'PBM',
  pgm: 'PGM',
  ppm: 'PPM',
};

export function formatName(format: ImageFormat): string {
  return FORMAT_NAMES[format];
}

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
      case 'pbm':
      case 'pgm':
      case 'ppm': {
        const header = netpbmHeader(bytes);
        return header ? single(s.format, header.width, header.height, null, null) : null;
      }
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
  orientation: Orientation = 1,
): ImageInfo | null {
  if (!(width > 0 && height > 0)) return null;
  const largestPage = { width, height };
  return {
    format,
    width,
    height,
    pages: 1,
    dpiX,
    dpiY,
    maxPagePixels: width * height,
    largestPage,
    orientation,
  };
}

/** The orientation in an EXIF block at `at`: "Exif\0\0" and a TIFF structure, or the TIFF structure alone (PNG, WebP). */
function exifBlockOrientation(b: Uint8Array, at: number): Orientation {
  const prefixed = b[at] === 0x45 && b[at + 1] === 0x78 && b[at + 2] === 0x69 && b[at + 3] === 0x66; // "Exif"
  return tiffOrientation(b, prefixed ? at + 6 : at);
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
  let orientation: Orientation = 1;
  for (let o = 8; o + 8 <= b.length;) {
    const len = u32be(b, o);
    const type = u32be(b, o + 4);
    // 'eXIf' (before IDAT, as the PNG 1.5 extension says; browsers and viewers honour its orientation)
    if (type === 0x65584966 && o + 8 + len <= b.length) orientation = exifBlockOrientation(b, o + 8);
    if (type === 0x49444154) break; // 'IDAT': pHYs must come before it
    if (type === 0x70485973 && len >= 9 && o + 17 <= b.length && b[o + 16] === 1) {
      // 'pHYs' in pixels per metre
      dpiX = roundDpi(u32be(b, o + 8) * 0.0254);
      dpiY = roundDpi(u32be(b, o + 12) * 0.0254);
    }
    o += 12 + len;
  }
  return single('png', width, height, dpiX, dpiY, orientation);
}

function sniffJpeg(b: Uint8Array): ImageInfo | null {
  let dpiX: number | null = null;
  let dpiY: number | null = null;
  let orientation: Orientation = 1;
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
      return single('jpeg', width, height, dpiX, dpiY, orientation);
    }
    if (marker === 0xe1 && orientation === 1 && o + 2 + len <= b.length)
      orientation = exifBlockOrientation(b, o + 4);
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
    // The EXIF chunk usually follows the image data: look for it when the flags say there is one.
    let orientation: Orientation = 1;
    if (b[20] & 0x08)
      for (let o = 12; o + 8 <= b.length; o += 8 + u32le(b, o + 4) + (u32le(b, o + 4) & 1))
        if (new TextDecoder().decode(b.subarray(o, o + 4)) === 'EXIF') {
          orientation = exifBlockOrientation(b, o + 8);
          break;
        }
    return single('webp', width, height, null, null, orientation);
  }
  return null;
}

interface TiffPageHeader {
  width: number;
  height: number;
  dpiX: number | null;
  dpiY: number | null;
  orientation: Orientation;
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
    const page: TiffPageHeader = { width: 0, height: 0, dpiX: null, dpiY: null, orientation: 1 };
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
      else if (tag === 274 && value() >= 1 && value() <= 8) page.orientation = value() as Orientation;
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
  const largest = pages.reduce((a, p) => (p.width * p.height > a.width * a.height ? p : a));
  return {
    format: 'tiff',
    width: first.width,
    height: first.height,
    pages: pages.length,
    dpiX: first.dpiX,
    dpiY: first.dpiY,
    maxPagePixels: largest.width * largest.height,
    largestPage: { width: largest.width, height: largest.height },
    orientation: first.orientation,
  };
}
