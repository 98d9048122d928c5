/**
 * EXIF orientation: how a camera or phone says its picture is to be shown. The sensor's pixels are
 * stored as they were read (a portrait photo is often stored lying on its side) and a tag says
 * which of eight turns and mirrorings shows it upright. Every image viewer and OCRmyPDF honour it;
 * Tesseract does not, so a page OCR'd as stored is read sideways (or not at all).
 *
 * Here: the tag read from a TIFF structure (a JPEG's APP1 Exif block, a PNG's eXIf chunk, a WebP's
 * EXIF chunk, a TIFF's own directory), the pixels turned to how they are shown, and the matrix
 * that draws the stored image upright on a PDF page (the file's JPEG bytes are kept as they are).
 */
import type { DecodedImage } from './ocrTypes.ts';

/** 1: as stored; 2: mirrored left-right; 3: turned 180°; 4: mirrored top-bottom; 5: transposed;
 * 6: turned 90° clockwise; 7: transversed; 8: turned 90° anticlockwise (to be shown upright). */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** The EXIF/TIFF Orientation tag. */
const ORIENTATION_TAG = 0x0112;

/**
 * The Orientation tag of the first directory of a TIFF structure starting at `start` (its byte
 * order mark), or 1 when there is none or it is not a valid value.
 */
export function tiffOrientation(b: Uint8Array, start: number): Orientation {
  if (start + 8 > b.length) return 1;
  const le = b[start] === 0x49 && b[start + 1] === 0x49;
  if (!le && !(b[start] === 0x4d && b[start + 1] === 0x4d)) return 1;
  const u16 = (o: number): number => (le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1]);
  const u32 = (o: number): number =>
    le
      ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000
      : b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
  const ifd = start + u32(start + 4);
  if (ifd + 2 > b.length) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > b.length) return 1;
    if (u16(e) !== ORIENTATION_TAG) continue;
    const value = u16(e + 2) === 3 ? u16(e + 8) : u16(e + 2) === 4 ? u32(e + 8) : 0;
    return value >= 1 && value <= 8 ? (value as Orientation) : 1;
  }
  return 1;
}

/** Orientations 5–8 show the stored width as the height. */
export function swapsAxes(o: Orientation): boolean {
  return o >= 5;
}

/**
 * The pixels as they are shown: `image` turned and mirrored by orientation `o` (a new buffer;
 * `image` itself for 1). The resolution follows the axes.
 */
export function orientPixels(image: DecodedImage, o: Orientation): DecodedImage {
  if (o === 1) return image;
  const { width: sw, height: sh, channels, data } = image;
  const swap = swapsAxes(o);
  const dw = swap ? sh : sw;
  const dh = swap ? sw : sh;
  const out = new Uint8Array(dw * dh * channels);
  // For each shown pixel (x, y), the stored pixel it comes from.
  const source = (x: number, y: number): number => {
    switch (o) {
      case 2:
        return y * sw + (sw - 1 - x);
      case 3:
        return (sh - 1 - y) * sw + (sw - 1 - x);
      case 4:
        return (sh - 1 - y) * sw + x;
      case 5:
        return x * sw + y;
      case 6:
        return (sh - 1 - x) * sw + y;
      case 7:
        return (sh - 1 - x) * sw + (sw - 1 - y);
      default: // 8
        return x * sw + (sw - 1 - y);
    }
  };
  for (let y = 0, k = 0; y < dh; y++)
    for (let x = 0; x < dw; x++) {
      const from = source(x, y) * channels;
      for (let c = 0; c < channels; c++) out[k++] = data[from + c];
    }
  return {
    width: dw,
    height: dh,
    channels,
    data: out,
    dpiX: swap ? image.dpiY : image.dpiX,
    dpiY: swap ? image.dpiX : image.dpiY,
  };
}

/**
 * The `cm` matrix that paints a stored image (PDF's image unit square, first row at the top) so
 * that it is shown upright on a page of `width` × `height` points (the shown size).
 */
export function orientationMatrix(
  o: Orientation,
  width: number,
  height: number,
): [number, number, number, number, number, number] {
  const [w, h] = [width, height];
  switch (o) {
    case 2:
      return [-w, 0, 0, h, w, 0];
    case 3:
      return [-w, 0, 0, -h, w, h];
    case 4:
      return [w, 0, 0, -h, 0, h];
    case 5:
      return [0, -h, -w, 0, w, h];
    case 6:
      return [0, -h, w, 0, 0, h];
    case 7:
      return [0, h, w, 0, 0, 0];
    case 8:
      return [0, h, -w, 0, w, 0];
    default:
      return [w, 0, 0, h, 0, 0];
  }
}
