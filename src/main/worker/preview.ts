/**
 * A page's picture for the review window's page view: the page as the user sees it (PDF
 * CropBox and /Rotate applied, images as stored), scaled down to a modest size and encoded as
 * JPEG. It has the geometry the word boxes refer to (`PageResult.width/height` are the same page
 * at the recognition resolution), so the window scales the boxes by `width / page.width`.
 */
import { createCanvas, Image, ImageData, type Canvas } from '@napi-rs/canvas';
import type { AnyDocument, PageJpeg } from './pdfDocument.ts';
import type { RasterImage } from './ocrTypes.ts';

export interface PagePreview {
  /** JPEG (the page) or PNG (the prepared page) bytes. */
  image: Uint8Array;
  mime: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

const JPEG_QUALITY = 82;

/**
 * Renders page `pageNumber` (1-based): a PDF page at `dpi` (the caller picks one that keeps the
 * longer side near `maxSide`), an image page scaled to fit `maxSide`.
 */
export async function renderPreview(
  doc: AnyDocument,
  pageNumber: number,
  dpi: number,
  maxSide: number,
): Promise<PagePreview> {
  if (doc.kind === 'pdf') {
    // A scanner's page is one JPEG: drawn straight from it, decoded natively and scaled in one
    // step (~0.2 s of CPU for an A4 page at 300 dpi, where pdf.js decodes it in JavaScript: ~1 s).
    const jpeg = await doc.pageJpeg(pageNumber, dpi);
    if (jpeg) {
      const quick = await fromPageJpeg(jpeg, maxSide).catch(() => null);
      if (quick) return quick;
    }
  }
  const raster: RasterImage =
    doc.kind === 'pdf' ? (await doc.render(pageNumber, dpi)).raster : await doc.raster(pageNumber);
  return encodePicture(raster, maxSide, 'jpeg');
}

/**
 * A raster as a picture for the window, scaled down to fit `maxSide`. As PNG (lossless, for the
 * prepared page: what Tesseract saw, pixel for pixel), a PNG or JPEG file that fits is its own bytes.
 */
export async function encodePicture(
  raster: RasterImage,
  maxSide: number,
  format: 'jpeg' | 'png',
): Promise<PagePreview> {
  const scale = Math.min(1, maxSide / Math.max(raster.width, raster.height));
  if (format === 'png' && scale === 1 && raster.kind === 'encoded') {
    const mime = isPng(raster.bytes) ? 'image/png' : isJpeg(raster.bytes) ? 'image/jpeg' : null;
    if (mime) return { image: raster.bytes, mime, width: raster.width, height: raster.height };
  }
  const width = Math.max(1, Math.round(raster.width * scale));
  const height = Math.max(1, Math.round(raster.height * scale));
  const source = await toDrawable(raster);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  if (scale === 1) {
    ctx.drawImage(source, 0, 0);
  } else {
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(source, 0, 0, width, height);
  }
  const image = format === 'png' ? await canvas.encode('png') : await canvas.encode('jpeg', JPEG_QUALITY);
  return {
    image: new Uint8Array(image.buffer, image.byteOffset, image.byteLength),
    mime: `image/${format}`,
    width,
    height,
  };
}

/** The page drawn from its JPEG with the page's own placement (rotation, crop), scaled to fit `maxSide`. */
async function fromPageJpeg(jpeg: PageJpeg, maxSide: number): Promise<PagePreview> {
  const image = await decoded(jpeg.bytes);
  const scale = Math.min(1, maxSide / Math.max(jpeg.width, jpeg.height));
  const width = Math.max(1, Math.round(jpeg.width * scale));
  const height = Math.max(1, Math.round(jpeg.height * scale));
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  const [a, b, c, d, e, f] = jpeg.transform;
  ctx.setTransform(a * scale, b * scale, c * scale, d * scale, e * scale, f * scale);
  // PDF image space: the unit square, the image's first row at the top (y = 1).
  ctx.transform(1 / image.width, 0, 0, -1 / image.height, 0, 1);
  ctx.drawImage(image, 0, 0);
  const bytes = await canvas.encode('jpeg', JPEG_QUALITY);
  return {
    image: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    mime: 'image/jpeg',
    width,
    height,
  };
}

async function decoded(bytes: Uint8Array): Promise<Image> {
  const image = new Image();
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = (e: unknown) => reject(e instanceof Error ? e : new Error(String(e)));
    image.src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  });
  return image;
}

type Drawable = Image | Canvas;

/** Something drawImage takes: the file's own PNG/JPEG decoded, or the pixels put on a canvas. */
async function toDrawable(raster: RasterImage): Promise<Drawable> {
  if (raster.kind === 'encoded' && !isPgm(raster.bytes)) return decoded(raster.bytes);
  const { width, height } = raster;
  const [channels, data] =
    raster.kind === 'encoded'
      ? [1 as const, raster.bytes.subarray(raster.bytes.length - width * height)]
      : [raster.channels, raster.data];
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i++, j += channels) {
    const o = i * 4;
    if (channels === 1) {
      rgba[o] = rgba[o + 1] = rgba[o + 2] = data[j];
    } else {
      rgba[o] = data[j];
      rgba[o + 1] = data[j + 1];
      rgba[o + 2] = data[j + 2];
    }
    rgba[o + 3] = 255;
  }
  const canvas = createCanvas(width, height);
  canvas.getContext('2d').putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas;
}

const isPng = (b: Uint8Array): boolean => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array): boolean => b[0] === 0xff && b[1] === 0xd8;

/** The rasteriser's grey PGM (P5): pixels follow a short text header. */
function isPgm(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x35;
}
