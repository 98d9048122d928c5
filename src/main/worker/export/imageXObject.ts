import { deflateSync } from 'node:zlib';
import type { PDFDocument, PDFRef } from '@cantoo/pdf-lib';
import type { DecodedImage } from '../ocrTypes.ts';
import type { Orientation } from '../orientation.ts';

/**
 * Image XObjects for image input, keeping the file's own compression where PDF can carry it:
 * JPEG as it is (DCTDecode), PNG's zlib data as it is (FlateDecode with the PNG predictors) for
 * the common non-interlaced, non-transparent kinds; CCITT Group 4 TIFF pages (fax, most bilevel
 * scans) as they are (CCITTFaxDecode); everything else from decoded pixels, packed to 1 bit per
 * pixel when the page is pure black and white.
 */

export interface EmbeddedImage {
  ref: PDFRef;
  width: number;
  height: number;
}

/** An image kept as the file stores it, with the EXIF orientation that shows it upright. */
export interface StoredImage extends EmbeddedImage {
  orientation: Orientation;
}

function u32be(b: Uint8Array, o: number): number {
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

/**
 * PNG without re-encoding: IDAT data are a zlib stream of filtered rows, which is exactly what
 * FlateDecode with `/Predictor 15` decodes. Returns null for what this path does not handle
 * (interlacing, alpha, tRNS transparency): the caller then embeds through pdf-lib's PNG decoder.
 */
export function embedPngPassThrough(doc: PDFDocument, bytes: Uint8Array): EmbeddedImage | null {
  if (bytes.length < 33 || u32be(bytes, 12) !== 0x49484452) return null;
  const width = u32be(bytes, 16);
  const height = u32be(bytes, 20);
  const bitDepth = bytes[24];
  const colorType = bytes[25];
  const interlace = bytes[28];
  if (interlace !== 0 || ![0, 2, 3].includes(colorType)) return null;
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | null = null;
  for (let o = 8; o + 8 <= bytes.length;) {
    const len = u32be(bytes, o);
    const type = String.fromCharCode(bytes[o + 4], bytes[o + 5], bytes[o + 6], bytes[o + 7]);
    if (o + 12 + len > bytes.length) return null;
    const data = bytes.subarray(o + 8, o + 8 + len);
    if (type === 'IDAT') idat.push(data);
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') return null;
    else if (type === 'IEND') break;
    o += 12 + len;
  }
  if (idat.length === 0 || (colorType === 3 && !palette)) return null;
  const colors = colorType === 2 ? 3 : 1;
  const { context } = doc;
  const colorSpace =
    colorType === 3 && palette
      ? context.obj([
          'Indexed',
          'DeviceRGB',
          palette.length / 3 - 1,
          context.register(context.stream(palette)),
        ])
      : context.obj(colorType === 2 ? 'DeviceRGB' : 'DeviceGray');
  const stream = context.stream(Buffer.concat(idat), {
    Type: 'XObject',
    Subtype: 'Image',
    Width: width,
    Height: height,
    BitsPerComponent: bitDepth,
    ColorSpace: colorSpace,
    Filter: 'FlateDecode',
    DecodeParms: { Predictor: 15, Colors: colors, BitsPerComponent: bitDepth, Columns: width },
  });
  return { ref: context.register(stream), width, height };
}

/** A TIFF directory's tags: the first value of each, and the value count. */
interface TiffTags {
  value(tag: number): number | undefined;
  count(tag: number): number;
}

/** The tags of page `index` (0-based) of a classic TIFF, or null when it has no such page. */
function tiffPageTags(b: Uint8Array, index: number): TiffTags | null {
  if (b.length < 8) return null;
  const le = b[0] === 0x49 && b[1] === 0x49;
  if (!le && !(b[0] === 0x4d && b[1] === 0x4d)) return null;
  const u16 = (o: number): number => (le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1]);
  const u32 = (o: number): number =>
    le ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000 : u32be(b, o);
  if (u16(2) !== 42) return null;
  let ifd = u32(4);
  const seen = new Set<number>();
  for (let page = 0; page < index; page++) {
    if (ifd === 0 || seen.has(ifd) || ifd + 2 > b.length) return null;
    seen.add(ifd);
    ifd = u32(ifd + 2 + u16(ifd) * 12);
  }
  if (ifd === 0 || ifd + 2 > b.length) return null;
  const entries = u16(ifd);
  if (ifd + 2 + entries * 12 > b.length) return null;
  const values = new Map<number, number>();
  const counts = new Map<number, number>();
  for (let i = 0; i < entries; i++) {
    const e = ifd + 2 + i * 12;
    const type = u16(e + 2);
    // SHORT and LONG values stored in the entry itself (one of them); others are not needed here.
    if (type !== 3 && type !== 4) continue;
    counts.set(u16(e), u32(e + 4));
    values.set(u16(e), type === 3 ? u16(e + 8) : u32(e + 8));
  }
  return { value: (tag) => values.get(tag), count: (tag) => counts.get(tag) ?? 0 };
}

/**
 * A CCITT Group 4 TIFF page without decoding it: its one strip is exactly what CCITTFaxDecode
 * with K −1 decodes (decoding and re-compressing a fax page costs ~150 ms; this, nothing).
 * Returns null for what this path does not handle (other compressions, several strips, bit
 * order reversed, uncompressed mode): the caller decodes the page instead. A page the TIFF says
 * is shown turned keeps its data as stored; `orientation` says how to draw it.
 */
export function embedTiffFaxPassThrough(
  doc: PDFDocument,
  bytes: Uint8Array,
  index: number,
): StoredImage | null {
  const tags = tiffPageTags(bytes, index);
  if (!tags) return null;
  const width = tags.value(256) ?? 0;
  const height = tags.value(257) ?? 0;
  const photometric = tags.value(262);
  const offset = tags.value(273) ?? 0;
  const length = tags.value(279) ?? 0;
  const plain =
    tags.value(259) === 4 && // CCITT T.6 (Group 4)
    (tags.value(258) ?? 1) === 1 &&
    (tags.value(277) ?? 1) === 1 &&
    (photometric === 0 || photometric === 1) &&
    (tags.value(266) ?? 1) === 1 && // bits most significant first
    ((tags.value(293) ?? 0) & 2) === 0 && // no uncompressed mode
    tags.count(273) === 1 &&
    tags.count(279) === 1;
  if (!plain || width <= 0 || height <= 0 || length <= 0 || offset + length > bytes.length) return null;
  const { context } = doc;
  const stream = context.stream(bytes.subarray(offset, offset + length), {
    Type: 'XObject',
    Subtype: 'Image',
    Width: width,
    Height: height,
    BitsPerComponent: 1,
    ColorSpace: 'DeviceGray',
    Filter: 'CCITTFaxDecode',
    // A TIFF's fax codes give black runs as 1 bits, which WhiteIsZero (0) shows as black and
    // BlackIsZero (1) as white: BlackIs1 makes the PDF show them the same way.
    DecodeParms: { K: -1, Columns: width, Rows: height, BlackIs1: photometric === 1 },
  });
  const turn = tags.value(274) ?? 1;
  const orientation = (turn >= 1 && turn <= 8 ? turn : 1) as Orientation;
  return { ref: context.register(stream), width, height, orientation };
}

/** Packs 8-bit grey to 1 bit per pixel if every pixel is pure black or white; else null. */
function packBilevel(image: DecodedImage): Uint8Array | null {
  const { width, height, data } = image;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0 && data[i] !== 255) return null;
  const rowBytes = Math.ceil(width / 8);
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const src = y * width;
    const dst = y * rowBytes;
    for (let x = 0; x < width; x++) if (data[src + x] === 255) out[dst + (x >> 3)] |= 0x80 >> (x & 7);
  }
  return out;
}

/**
 * An image XObject from decoded pixels. RGBA loses its alpha: the decoder already composited
 * transparent areas onto white paper.
 */
export function embedPixels(doc: PDFDocument, image: DecodedImage): EmbeddedImage {
  const { width, height, channels, data } = image;
  let pixels: Uint8Array;
  let bits = 8;
  let colorSpace = 'DeviceRGB';
  if (channels === 1) {
    colorSpace = 'DeviceGray';
    const packed = packBilevel(image);
    if (packed) {
      pixels = packed;
      bits = 1;
    } else pixels = data;
  } else if (channels === 3) {
    pixels = data;
  } else {
    pixels = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; j < pixels.length; i += 4, j += 3) {
      pixels[j] = data[i];
      pixels[j + 1] = data[i + 1];
      pixels[j + 2] = data[i + 2];
    }
  }
  const { context } = doc;
  const stream = context.stream(deflateSync(pixels, { level: 6 }), {
    Type: 'XObject',
    Subtype: 'Image',
    Width: width,
    Height: height,
    BitsPerComponent: bits,
    ColorSpace: colorSpace,
    Filter: 'FlateDecode',
  });
  return { ref: context.register(stream), width, height };
}
