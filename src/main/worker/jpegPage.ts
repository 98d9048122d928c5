/**
 * Scanned PDF pages that are one JPEG (DCTDecode) image drawn 1:1, decoded natively. Most scanners
 * write exactly that; pdf.js would decode the JPEG with its JavaScript decoder while building the
 * page's operator list (~250 ms of CPU for a grey A4 page at 300 DPI). Here the image's own bytes,
 * found without pdf.js (pageContent.ts), go through the decoder image files use (@napi-rs/canvas,
 * libjpeg-turbo: ~60 ms), and the pixels are placed on the page exactly as imagePage.ts places
 * pdf.js's decoded image.
 *
 * JPEG decoders differ by ±1 in their IDCT rounding, so the grey levels can differ from pdf.js's by
 * one (test/unit/jpeg-page.test.ts measures it). Anything this path is not sure to decode as pdf.js
 * would (colour spaces other than DeviceGray/DeviceRGB, CMYK, an Adobe colour transform, an
 * embedded ICC profile or EXIF orientation, which the native decoder would apply and pdf.js
 * ignores, a Decode array, masks, a truncated stream, a size that disagrees with the PDF) returns
 * a reason instead, and the page is rendered by pdf.js as before.
 */
import { PDFArray, PDFDict, PDFName, PDFNumber, type PDFRawStream } from '@cantoo/pdf-lib';
import { InputError } from '../common/errors.ts';
import { multiply, placement, placeRows, type Matrix } from './imagePage.ts';
import { withCanvasPixels } from './images.ts';
import { soleImageStream, type PageIdentity, type RawPdf, type SoleImageStream } from './pageContent.ts';

/** What a JPEG's header says, read without decoding. */
export interface JpegFrame {
  width: number;
  height: number;
  /** 1: grey; 3: YCbCr (RGB once decoded). */
  components: 1 | 3;
  progressive: boolean;
}

export type Refusal = { ok: false; reason: string };
const refuse = (reason: string): Refusal => ({ ok: false, reason });

/** Markers of frames other than baseline, extended and progressive Huffman (lossless, arithmetic). */
const UNSUPPORTED_FRAMES = new Set([0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

const ascii = (bytes: Uint8Array, from: number, text: string): boolean =>
  [...text].every((ch, i) => bytes[from + i] === ch.charCodeAt(0));

/**
 * The frame of a JPEG this path decodes the way pdf.js does, or why not. Reads the markers up to
 * the frame header and checks that the data ends with an end-of-image marker.
 */
export function jpegFrame(bytes: Uint8Array): ({ ok: true } & JpegFrame) | Refusal {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8)
    return refuse('the JPEG has no start marker');
  // The end: EOI, possibly followed by a few bytes of padding (an end of line before `endstream`).
  let end = bytes.length;
  while (end > 2 && bytes.length - end < 16 && bytes[end - 1] !== 0xd9) end--;
  if (bytes[end - 1] !== 0xd9 || bytes[end - 2] !== 0xff)
    return refuse('the JPEG has no end marker (truncated)');
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return refuse('the JPEG’s markers are damaged');
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    const body = at + 4;
    if (length < 2 || at + 2 + length > bytes.length) return refuse('the JPEG’s markers are damaged');
    if (marker === 0xe1 && ascii(bytes, body, 'Exif\0'))
      return refuse('the JPEG has EXIF data (orientation)');
    if (marker === 0xe2 && ascii(bytes, body, 'ICC_PROFILE\0'))
      return refuse('the JPEG embeds an ICC profile');
    if (marker === 0xee && ascii(bytes, body, 'Adobe'))
      return refuse('the JPEG has an Adobe colour transform marker');
    if (UNSUPPORTED_FRAMES.has(marker)) return refuse('the JPEG is lossless or arithmetic-coded');
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      if (length < 8) return refuse('the JPEG’s frame header is damaged');
      const precision = bytes[body];
      const height = (bytes[body + 1] << 8) | bytes[body + 2];
      const width = (bytes[body + 3] << 8) | bytes[body + 4];
      const components = bytes[body + 5];
      if (precision !== 8) return refuse(`the JPEG has ${precision}-bit samples`);
      if (width === 0 || height === 0) return refuse('the JPEG’s height is given later (DNL)');
      if (components !== 1 && components !== 3) return refuse(`the JPEG has ${components} components`);
      if (length < 8 + components * 3) return refuse('the JPEG’s frame header is damaged');
      // Components named R, G, B: stored without the YCbCr transform (decoders disagree on that).
      if (components === 3 && ascii(bytes, body + 6, 'R') && ascii(bytes, body + 9, 'G'))
        return refuse('the JPEG stores RGB without a colour transform');
      return { ok: true, width, height, components, progressive: marker === 0xc2 };
    }
    if (marker === 0xda || marker === 0xd9) break;
    at += 2 + length;
  }
  return refuse('the JPEG has no frame header');
}

/** Image dictionary keys that cannot change how the image is decoded or painted. */
const PLAIN_IMAGE_KEYS = new Set([
  'Type',
  'Subtype',
  'Width',
  'Height',
  'ColorSpace',
  'BitsPerComponent',
  'Filter',
  'DecodeParms',
  'Length',
  'DL',
  'Interpolate',
  'Intent',
  'Name',
  'Metadata',
  'StructParent',
  'ID',
]);

/** A PDF image that is a plain JPEG this path decodes: its bytes and the header's frame. */
export type PdfJpeg = { ok: true; bytes: Uint8Array; frame: JpegFrame } | Refusal;

/**
 * The image stream as a plain JPEG: DCTDecode only, DeviceGray (1 component) or DeviceRGB
 * (3 components), 8 bits, no masks, no Decode array, the size the PDF declares, at most
 * `maxImagePixels` (a larger image goes to pdf.js, which refuses it with the usual message).
 */
export function pdfJpeg(image: PDFRawStream, maxImagePixels: number): PdfJpeg {
  const dict = image.dict;
  const get = (key: string): unknown => dict.context.lookup(dict.get(PDFName.of(key)));
  for (const [key] of dict.entries())
    if (!PLAIN_IMAGE_KEYS.has(key.decodeText())) return refuse(`the image has /${key.decodeText()}`);
  const filter = get('Filter');
  const filters = filter instanceof PDFArray ? filter.asArray().map((f) => dict.context.lookup(f)) : [filter];
  if (filters.length !== 1 || filters[0] !== PDFName.of('DCTDecode'))
    return refuse('the image is not (only) a JPEG');
  const parms = get('DecodeParms');
  const parm = parms instanceof PDFArray ? dict.context.lookup(parms.get(0)) : parms;
  if (parm instanceof PDFDict && parm.has(PDFName.of('ColorTransform')))
    return refuse('the image sets its own colour transform');
  const number = (key: string): number | null => {
    const value = get(key);
    return value instanceof PDFNumber ? value.asNumber() : null;
  };
  if (number('BitsPerComponent') !== 8) return refuse('the image does not have 8 bits per component');
  const space = get('ColorSpace');
  const components = space === PDFName.of('DeviceGray') ? 1 : space === PDFName.of('DeviceRGB') ? 3 : 0;
  if (components === 0) return refuse('the image is in a colour space other than DeviceGray or DeviceRGB');
  const width = number('Width');
  const height = number('Height');
  if (width === null || height === null || !Number.isInteger(width) || !Number.isInteger(height))
    return refuse('the image has no valid size');
  if (width * height > maxImagePixels) return refuse('the image is over the pixel limit');
  const bytes = image.contents;
  const frame = jpegFrame(bytes);
  if (!frame.ok) return frame;
  if (frame.components !== components) return refuse('the JPEG’s components disagree with the colour space');
  if (frame.width !== width || frame.height !== height)
    return refuse('the JPEG’s size disagrees with the PDF');
  return { ok: true, bytes, frame };
}

/** The page as grey PGM from its JPEG, or why this path does not apply (the page is rendered). */
export type JpegPage = { ok: true; pgm: Uint8Array } | Refusal;

/**
 * The page as 8-bit grey PGM (`width` × `height`, `viewport` the transform of the render it
 * replaces) when it is one plain JPEG drawn 1:1; otherwise the reason it is not. Never throws for
 * a bad JPEG or an object pdf-lib cannot read: that is a refusal too, and pdf.js gets to try.
 */
export async function jpegPagePgm(
  raw: RawPdf,
  page: PageIdentity,
  viewport: Matrix,
  width: number,
  height: number,
  maxImagePixels: number,
): Promise<JpegPage> {
  let sole: SoleImageStream;
  let jpeg: PdfJpeg;
  try {
    sole = soleImageStream(raw, page);
    if (!sole.ok) return sole;
    jpeg = pdfJpeg(sole.image, maxImagePixels);
    if (!jpeg.ok) return jpeg;
  } catch (error) {
    // pdf-lib throws on objects of the wrong type (a MediaBox that is not an array…): pdf.js decides.
    return refuse(`pdf-lib cannot read the page: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { width: iw, height: ih, components } = jpeg.frame;
  const at = placement(multiply(viewport, sole.ctm), iw, ih);
  if (!at) return refuse('the image is not drawn 1:1');
  try {
    return await withCanvasPixels(jpeg.bytes, 'jpeg', (dw, dh, rgba): JpegPage => {
      if (dw !== iw || dh !== ih) return refuse('the decoder gave another size');
      const pgm = placeRows(width, height, at, iw, ih, (j, dest) => {
        // Grey decodes to R = G = B, where the luma of the render's PGM is R itself.
        let k = j * iw * 4;
        if (components === 1) for (let i = 0; i < iw; i++, k += 4) dest[i] = rgba[k];
        else
          for (let i = 0; i < iw; i++, k += 4)
            dest[i] = (rgba[k] * 77 + rgba[k + 1] * 150 + rgba[k + 2] * 29) >> 8;
      });
      return { ok: true, pgm };
    });
  } catch (error) {
    if (error instanceof InputError) return refuse(`the native decoder refused the JPEG: ${error.message}`);
    throw error;
  }
}
