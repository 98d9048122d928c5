import { deflateSync } from 'node:zlib';
import type { PDFDocument, PDFRef } from '@cantoo/pdf-lib';
import type { DecodedImage } from '../../worker/ocrTypes.ts';

/**
 * Image XObjects for image input, keeping the file's own compression where PDF can carry it:
 * JPEG as it is (DCTDecode), PNG's zlib data as it is (FlateDecode with the PNG predictors) for
 * the common non-interlaced, non-transparent kinds; everything else from decoded pixels, packed
 * to 1 bit per pixel when the page is pure black and white (fax TIFFs).
 */

export interface EmbeddedImage {
  ref: PDFRef;
  width: number;
  height: number;
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
