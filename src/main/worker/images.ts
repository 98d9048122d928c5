/**
 * Image inputs: decoding of one page (headers are read in imageInfo.ts, re-exported here), and
 * the opened-document form the worker keeps while it OCRs the pages of one file.
 *
 * Decoders: TIFF (any compression utif2 reads, notably CCITT G4 fax) through utif2; PNG, JPEG,
 * GIF (first frame), WebP and BMP through @napi-rs/canvas, the one copy pdf.js also uses; Netpbm
 * (PBM, PGM, PPM) in netpbm.ts. Pixels always come out as the image is shown: EXIF orientation
 * applied (orientation.ts). PNG and JPEG shown as stored are never decoded for OCR at all: their
 * bytes go to Tesseract as they are.
 */
import { readFile } from 'node:fs/promises';
import { createCanvas, Image } from '@napi-rs/canvas';
import UTIF from 'utif2';
import { InputError } from '../common/errors.ts';
import { lumaInto } from './rasterize.ts';
import { formatName, sniffImage } from './imageInfo.ts';
import { decodeNetpbm, netpbmHeader } from './netpbm.ts';
import { orientPixels, type Orientation } from './orientation.ts';
import { imageTooLargeMessage, tooManyPagesMessage } from './ocrTypes.ts';
import type {
  DecodedImage,
  ImageFormat,
  ImageInfo,
  Limits,
  OpenedDocument,
  RasterImage,
} from './ocrTypes.ts';
import { count } from '../../shared/words.ts';

export { formatName, sniffImage } from './imageInfo.ts';

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
 * Decodes page `index` (0-based) of an image file, as it is shown (EXIF orientation applied).
 * Greyscale and bilevel TIFF, PBM and PGM pages come back with one channel, PPM as RGB, everything
 * else as RGBA, or everything as one grey channel with `grey` (converted straight from the
 * decoder's canvas: no RGBA copy is made). The caller checks the size limits first (`sniffImage`):
 * this function allocates the full image.
 */
export async function decodeImagePage(
  bytes: Uint8Array,
  index: number,
  options: { grey?: boolean } = {},
): Promise<DecodedImage> {
  const info = sniffImage(bytes);
  if (!info) throw new InputError('UNSUPPORTED_FORMAT', 'not a supported image');
  if (index < 0 || index >= info.pages)
    throw new RangeError(`page ${index + 1} is outside the image's ${count(info.pages, 'page')}`);
  // Resolution from the header (for a multi-page TIFF: the first page's).
  const dpiX = info.dpiX ?? 0;
  const dpiY = info.dpiY ?? info.dpiX ?? 0;
  const grey = (page: DecodedImage): DecodedImage => {
    if (!options.grey || page.channels === 1) return page;
    const out = new Uint8Array(page.width * page.height);
    lumaInto(out, page.data, page.channels);
    return { ...page, channels: 1, data: out };
  };
  if (info.format === 'tiff') {
    const { image, orientation } = decodeTiffPage(bytes, index, dpiX, dpiY);
    return orientPixels(grey(image), orientation);
  }
  if (info.format === 'pbm' || info.format === 'pgm' || info.format === 'ppm') {
    const header = netpbmHeader(bytes);
    if (!header)
      throw new InputError('DAMAGED_FILE', `the ${formatName(info.format)} image's header is damaged`);
    return grey({ ...decodeNetpbm(bytes, header), dpiX, dpiY });
  }
  const decoded = await withCanvasPixels(bytes, info.format, (width, height, pixels): DecodedImage => {
    if (options.grey) {
      const out = new Uint8Array(width * height);
      lumaInto(out, pixels, 4);
      return { width, height, channels: 1, data: out, dpiX, dpiY };
    }
    return { width, height, channels: 4, data: new Uint8Array(pixels), dpiX, dpiY };
  });
  // The canvas decoder (Skia) turns JPEG and WebP by their EXIF orientation itself; PNG's eXIf it
  // leaves alone (test/unit/image-orientation.test.ts checks both).
  return info.format === 'png' ? orientPixels(decoded, info.orientation) : decoded;
}

/**
 * Decodes a PNG, JPEG, GIF, WebP or BMP with @napi-rs/canvas onto a white canvas (transparent
 * areas become white paper, not black) and hands the canvas's own pixels to `use` while the canvas
 * lives: RGBA, opaque, so premultiplied equals straight; no copy is made. A file that cannot be
 * decoded throws `InputError` DAMAGED_FILE.
 */
export async function withCanvasPixels<T>(
  bytes: Uint8Array,
  format: ImageFormat,
  use: (width: number, height: number, rgba: Uint8Array) => T,
): Promise<T> {
  const image = new Image();
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = (event: unknown) =>
      reject(event instanceof Error ? event : new Error(decoderMessage(event)));
    image.src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }).catch((error: unknown) => {
    throw new InputError(
      'DAMAGED_FILE',
      `the ${formatName(format)} image is damaged or incomplete: ${messageOf(error)}`,
    );
  });
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, image.width, image.height);
  context.drawImage(image, 0, 0);
  return use(image.width, image.height, canvas.data());
}

function decodeTiffPage(
  bytes: Uint8Array,
  index: number,
  dpiX: number,
  dpiY: number,
): { image: DecodedImage; orientation: Orientation } {
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
  const turn = tag('t274') ?? 1;
  const orientation = (turn >= 1 && turn <= 8 ? turn : 1) as Orientation;
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
    return { image: { width, height, channels: 1, data: grey, dpiX, dpiY }, orientation };
  }
  return { image: { width, height, channels: 4, data: UTIF.toRGBA8(ifd), dpiX, dpiY }, orientation };
}

/** @napi-rs/canvas reports a failed decode with a bare Event: no detail beyond "error". */
function decoderMessage(event: unknown): string {
  const detail = event as { error?: unknown; message?: unknown } | null;
  if (detail?.error instanceof Error) return detail.error.message;
  if (typeof detail?.message === 'string' && detail.message !== '') return detail.message;
  return 'the decoder could not read it';
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
    const largest = info.pages > 1 ? info.largestPage : { width: info.width, height: info.height };
    throw new InputError(
      'TOO_LARGE',
      imageTooLargeMessage({ file: true, largest: info.pages > 1 }, largest, limits),
    );
  }
  if (info.pages > limits.maxPages)
    throw new InputError('TOO_LARGE', tooManyPagesMessage(info.pages, limits));
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
      if ((info.format === 'png' || info.format === 'jpeg') && info.orientation === 1) {
        // Tesseract's Leptonica decodes these itself: hand over the file's bytes, no copy. (It
        // ignores EXIF orientation: a turned photo is decoded here, upright.)
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
