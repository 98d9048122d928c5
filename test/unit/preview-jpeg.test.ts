/**
 * The page view's picture of a scanner's page is drawn straight from the page's JPEG (preview.ts),
 * not rendered by pdf.js: it must show the same page the same way up, cropped the same, at the
 * same size, for every rotation; anything that is not one plain JPEG is still rendered by pdf.js.
 */
import { PDFDocument, PDFName, StandardFonts, degrees } from '@cantoo/pdf-lib';
import { createCanvas, Image } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../../src/main/worker/ocrTypes.ts';
import { openPdfBytes, type PdfDocument } from '../../src/main/worker/pdfDocument.ts';
import { renderPreview } from '../../src/main/worker/preview.ts';

const limits = resolveLimits();

/** A 600 × 800 JPEG (colour, as Skia writes it) that is not symmetric: a dark block top left, a grey bar along the bottom. */
async function scanJpeg(): Promise<Uint8Array> {
  const c = createCanvas(600, 800);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, 600, 800);
  ctx.fillStyle = '#000';
  ctx.fillRect(40, 40, 200, 120);
  ctx.fillStyle = '#888';
  ctx.fillRect(0, 700, 600, 100);
  return withoutIccProfile(new Uint8Array(await c.encode('jpeg', 95)));
}

/** Skia's JPEG carries an ICC profile (APP2), which the native page path leaves to pdf.js; a scanner's has none. */
function withoutIccProfile(jpeg: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [jpeg.subarray(0, 2)];
  let i = 2;
  while (jpeg[i] === 0xff && jpeg[i + 1] >= 0xe0 && jpeg[i + 1] <= 0xef) {
    const end = i + 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
    if (jpeg[i + 1] !== 0xe2) parts.push(jpeg.subarray(i, end));
    i = end;
  }
  parts.push(jpeg.subarray(i));
  return new Uint8Array(Buffer.concat(parts));
}

/** A one-page PDF drawing the JPEG over the whole page, as a scanner does, optionally turned or cropped. */
async function scanPdf(
  options: { rotate?: number; crop?: number[]; text?: boolean } = {},
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([288, 384]); // 600 × 800 px at 150 dpi
  const image = pdf.context.stream(await scanJpeg(), {
    Type: 'XObject',
    Subtype: 'Image',
    Width: 600,
    Height: 800,
    ColorSpace: 'DeviceRGB',
    BitsPerComponent: 8,
    Filter: 'DCTDecode',
  });
  page.node.setXObject(PDFName.of('Im0'), pdf.context.register(image));
  const content = pdf.context.stream('q 288 0 0 384 0 0 cm /Im0 Do Q');
  page.node.set(PDFName.of('Contents'), pdf.context.obj([pdf.context.register(content)]));
  if (options.rotate) page.setRotation(degrees(options.rotate));
  if (options.crop) page.node.set(PDFName.of('CropBox'), pdf.context.obj(options.crop));
  if (options.text) {
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    page.drawText('A stamp over the scan', { x: 20, y: 20, size: 14, font });
  }
  return pdf.save({ useObjectStreams: false });
}

/** Grey pixels of a JPEG. */
async function grey(jpeg: Uint8Array): Promise<{ width: number; height: number; px: Uint8Array }> {
  const image = new Image();
  await new Promise<void>((ok, fail) => {
    image.onload = () => ok();
    image.onerror = (e: unknown) => fail(e instanceof Error ? e : new Error(String(e)));
    image.src = Buffer.from(jpeg);
  });
  const c = createCanvas(image.width, image.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const rgba = ctx.getImageData(0, 0, image.width, image.height).data;
  const px = new Uint8Array(image.width * image.height);
  for (let i = 0; i < px.length; i++) px[i] = rgba[i * 4];
  return { width: image.width, height: image.height, px };
}

/** The picture as pdf.js renders the page (the path every page took before). */
async function viaPdfjs(
  doc: PdfDocument,
  dpi: number,
): Promise<{ width: number; height: number; px: Uint8Array }> {
  const page = await doc.render(1, dpi);
  const { width, height, bytes } = page.raster;
  return { width, height, px: bytes.subarray(bytes.length - width * height) };
}

const meanDifference = (a: Uint8Array, b: Uint8Array): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
};

describe('the page view picture of a scanned JPEG page', () => {
  for (const rotate of [0, 90, 180, 270])
    it(`is the page as pdf.js draws it, turned ${rotate}°`, async () => {
      const doc = await openPdfBytes(await scanPdf({ rotate }), limits);
      try {
        expect(await doc.pageJpeg(1, 72)).not.toBeNull();
        const quick = await grey((await renderPreview(doc, 1, 72, 2000)).image);
        const slow = await viaPdfjs(doc, 72);
        expect([quick.width, quick.height]).toEqual([slow.width, slow.height]);
        expect([quick.width, quick.height]).toEqual(rotate % 180 === 0 ? [288, 384] : [384, 288]);
        // JPEG re-encoding and resampling differ by a few levels; a page drawn the wrong way up
        // differs by tens (the black block and the grey bar land elsewhere).
        expect(meanDifference(quick.px, slow.px)).toBeLessThan(4);
      } finally {
        await doc.close();
      }
    });

  it('honours a CropBox and fits the picture within the largest side asked for', async () => {
    const doc = await openPdfBytes(await scanPdf({ crop: [0, 192, 144, 384] }), limits);
    try {
      expect(await doc.pageJpeg(1, 144)).not.toBeNull();
      const quick = await grey((await renderPreview(doc, 1, 144, 2000)).image);
      const slow = await viaPdfjs(doc, 144);
      expect([quick.width, quick.height]).toEqual([slow.width, slow.height]);
      expect(meanDifference(quick.px, slow.px)).toBeLessThan(4);
      const small = await renderPreview(doc, 1, 144, 100);
      expect(Math.max(small.width, small.height)).toBe(100);
    } finally {
      await doc.close();
    }
  });

  it('leaves a page with anything besides its JPEG to pdf.js', async () => {
    const doc = await openPdfBytes(await scanPdf({ text: true }), limits);
    try {
      expect(await doc.pageJpeg(1, 72)).toBeNull();
      const picture = await renderPreview(doc, 1, 72, 2000);
      expect([picture.width, picture.height]).toEqual([288, 384]);
    } finally {
      await doc.close();
    }
  });
});
