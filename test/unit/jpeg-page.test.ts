/**
 * Scanned pages that are one JPEG drawn 1:1, decoded natively without pdf.js (jpegPage.ts): the
 * path must be taken for the scanner-made pages of the corpus, give pdf.js's pixels within one grey
 * level (JPEG decoders differ in IDCT rounding), leave every other page to pdf.js, and turn a bad
 * JPEG into a fallback or a clean error, never a crash.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PDFDocument, PDFName, PDFRawStream, PDFDict, StandardFonts, degrees } from '@cantoo/pdf-lib';
import { describe, expect, it } from 'vitest';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { InputError } from '../../src/main/common/errors.ts';
import { jpegFrame, jpegPagePgm } from '../../src/main/worker/jpegPage.ts';
import { resolveLimits } from '../../src/main/worker/ocrTypes.ts';
import { loadRawPdf, objectCount } from '../../src/main/worker/pageContent.ts';
import { openPdfBytes, type PdfDocument } from '../../src/main/worker/pdfDocument.ts';
import { pdfjsOpenOptions } from '../../src/main/worker/pdfjsOptions.ts';
import { pageGeometry, renderPage, type RenderedPage } from '../../src/main/worker/rasterize.ts';

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus');
const require = createRequire(import.meta.url);
const assets = path.dirname(require.resolve('pdfjs-dist/package.json')) + path.sep;
const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
const limits = resolveLimits();

const read = (file: string): Uint8Array => new Uint8Array(readFileSync(path.join(corpus, file)));

/** The page as the path before this one made it: pdf.js's operator list, its decoded image or a render. */
async function viaPdfjs(bytes: Uint8Array, pageNumber: number): Promise<RenderedPage> {
  const options = pdfjsOpenOptions(bytes.slice(), limits, assets, pdfjs.VerbosityLevel.ERRORS);
  const doc: PDFDocumentProxy = await pdfjs.getDocument(options).promise;
  try {
    const page = await doc.getPage(pageNumber);
    const ops = await page.getOperatorList();
    return await renderPage(doc, page, 300, limits.maxPagePixels, { ops, OPS: pdfjs.OPS });
  } finally {
    await doc.loadingTask.destroy();
  }
}

/** The page as the worker renders it now (`PdfDocument.render`). */
async function viaWorker(bytes: Uint8Array, pageNumber: number): Promise<RenderedPage> {
  const doc: PdfDocument = await openPdfBytes(bytes, limits);
  try {
    return await doc.render(pageNumber, 300);
  } finally {
    await doc.close();
  }
}

/** Why jpegPagePgm does not take a page (null: it does). */
async function refusal(bytes: Uint8Array, pageNumber: number): Promise<string | null> {
  const raw = await loadRawPdf(bytes);
  if (!raw) return 'pdf-lib cannot read the file';
  const options = pdfjsOpenOptions(bytes.slice(), limits, assets, pdfjs.VerbosityLevel.ERRORS);
  const doc = await pdfjs.getDocument(options).promise;
  try {
    const page = await doc.getPage(pageNumber);
    const at = pageGeometry(page, 300, limits.maxPagePixels);
    const identity = { ref: page.ref, view: page.view, rotate: page.rotate };
    const result = await jpegPagePgm(raw, identity, at.transform, at.width, at.height, limits.maxImagePixels);
    return result.ok ? null : result.reason;
  } finally {
    await doc.loadingTask.destroy();
  }
}

/** Largest difference and share of differing pixels between two PGMs of the same size. */
function difference(a: Uint8Array, b: Uint8Array): { max: number; share: number } {
  expect(b.length).toBe(a.length);
  let max = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > 0) differing++;
    if (d > max) max = d;
  }
  return { max, share: differing / a.length };
}

/** The JPEG bytes of synthetic/s01 (grey, 2550 × 3300, written by the corpus's scanner simulation). */
async function s01Jpeg(): Promise<Uint8Array> {
  const doc = await PDFDocument.load(read('synthetic/s01-letter.pdf'));
  const xobjects = doc.getPage(0).node.Resources()!.lookup(PDFName.of('XObject'), PDFDict);
  const image = doc.context.lookup(xobjects.get(PDFName.of('Im0')));
  if (!(image instanceof PDFRawStream)) throw new Error('s01 has no /Im0 stream');
  return image.contents;
}

interface JpegPdfOptions {
  /** Entries added to (or replacing) the image dictionary's. */
  image?: Record<string, unknown>;
  /** The content stream; default: the image over the whole US-letter page. */
  content?: string;
  rotate?: number;
  /** Draw a line of text over the image with pdf-lib. */
  text?: boolean;
  /** Replaces the page's MediaBox. */
  mediaBox?: Record<string, number>;
}

/** A one-page US-letter PDF drawing `jpeg` (2550 × 3300 grey unless said otherwise) as a scanner does. */
async function jpegPdf(jpeg: Uint8Array, options: JpegPdfOptions = {}): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([612, 792]);
  const image = pdf.context.stream(jpeg, {
    Type: 'XObject',
    Subtype: 'Image',
    Width: 2550,
    Height: 3300,
    ColorSpace: 'DeviceGray',
    BitsPerComponent: 8,
    Filter: 'DCTDecode',
    ...options.image,
  });
  page.node.setXObject(PDFName.of('Im0'), pdf.context.register(image));
  const content = pdf.context.stream(options.content ?? 'q 612 0 0 792 0 0 cm /Im0 Do Q');
  // An array of streams, so that pdf-lib can add its own drawing after the scanner's.
  page.node.set(PDFName.of('Contents'), pdf.context.obj([pdf.context.register(content)]));
  if (options.rotate) page.setRotation(degrees(options.rotate));
  if (options.mediaBox) page.node.set(PDFName.of('MediaBox'), pdf.context.obj(options.mediaBox));
  if (options.text) {
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    page.drawText('A stamp over the scan', { x: 72, y: 72, size: 24, font });
  }
  return pdf.save({ useObjectStreams: false });
}

describe('scanned JPEG pages decoded natively', () => {
  it('takes the native path for every grey JPEG page of the corpus, within one grey level of pdf.js', async () => {
    const cases: [string, number][] = [
      ['synthetic/s01-letter.pdf', 1],
      ['synthetic/s02-report-5p.pdf', 1],
      ['synthetic/s02-report-5p.pdf', 5],
      ['synthetic/s04-two-column.pdf', 2],
      ['synthetic/s05-table.pdf', 1],
      ['synthetic/s06-fineprint-8pt.pdf', 1],
      ['synthetic/s07-landscape.pdf', 1], // landscape page, image 3300 × 2550
      ['synthetic/s11-mixed-3p.pdf', 2], // the scanned page between two born-digital ones
    ];
    for (const [file, pageNumber] of cases) {
      const bytes = read(file);
      const before = await viaPdfjs(bytes, pageNumber);
      const now = await viaWorker(bytes, pageNumber);
      const label = `${file} page ${pageNumber}`;
      expect(now.via, label).toBe('jpeg');
      expect([now.raster.width, now.raster.height, now.dpi], label).toEqual([
        before.raster.width,
        before.raster.height,
        before.dpi,
      ]);
      // Measured: at most 1 grey level apart, on 7–8% of the pixels (libjpeg-turbo's IDCT against
      // pdf.js's); OCR reads the same text (bench numbers in the commit).
      const { max, share } = difference(before.raster.bytes, now.raster.bytes);
      expect(max, label).toBeLessThanOrEqual(1);
      expect(share, label).toBeLessThan(0.1);
    }
  });

  it('leaves pages that are not one plain JPEG to pdf.js', async () => {
    const cases: [string, number, RenderedPage['via'], RegExp][] = [
      ['synthetic/s11-mixed-3p.pdf', 1, 'render', /strings/], // born-digital text
      ['synthetic/s03-report-20p.pdf', 1, 'image', /not \(only\) a JPEG/], // CCITT fax
      ['real/cardinal.pdf', 2, 'image', /\/Decode/], // JBIG2 with an inverting Decode array
      ['real/skew.pdf', 1, 'render', /./], // an image drawn skewed
    ];
    for (const [file, pageNumber, via, reason] of cases) {
      const bytes = read(file);
      expect(await refusal(bytes, pageNumber), `${file} page ${pageNumber}`).toMatch(reason);
      expect((await viaWorker(bytes, pageNumber)).via, `${file} page ${pageNumber}`).toBe(via);
    }
  });

  it('decodes a turned page and an RGB JPEG as pdf.js places them', async () => {
    const turned = await jpegPdf(await s01Jpeg(), { rotate: 90 });
    const before = await viaPdfjs(turned, 1);
    const now = await viaWorker(turned, 1);
    expect(now.via).toBe('jpeg');
    expect([now.raster.width, now.raster.height]).toEqual([3300, 2550]);
    expect(difference(before.raster.bytes, now.raster.bytes).max).toBeLessThanOrEqual(1);

    // A colour photo (synthetic/s09, 3 components, 2550 × 3300) as DeviceRGB: converted to grey
    // with the render's luma weights. Measured: at most 2 grey levels apart on 12% of the pixels
    // (the decoders' colour conversion and chroma upsampling differ too).
    const photo = await jpegPdf(read('synthetic/s09-photo-jpeg.jpg'), { image: { ColorSpace: 'DeviceRGB' } });
    const rgbBefore = await viaPdfjs(photo, 1);
    const rgbNow = await viaWorker(photo, 1);
    expect(rgbNow.via).toBe('jpeg');
    const rgb = difference(rgbBefore.raster.bytes, rgbNow.raster.bytes);
    expect(rgb.max).toBeLessThanOrEqual(2);
    expect(rgb.share).toBeLessThan(0.2);
  });

  it('renders a scan with something drawn over it, masks or a Decode array through pdf.js', async () => {
    const jpeg = await s01Jpeg();
    const cases: [string, JpegPdfOptions, RegExp][] = [
      ['text over the scan', { text: true }, /operator|more than one|content/],
      ['an inverting Decode array', { image: { Decode: [1, 0] } }, /\/Decode/],
      ['a colour-key mask', { image: { Mask: [0, 10] } }, /\/Mask/],
      ['an image scaled to half the page', { content: 'q 306 0 0 396 0 0 cm /Im0 Do Q' }, /1:1/],
      ['a clip', { content: 'q 0 0 300 300 re W n 612 0 0 792 0 0 cm /Im0 Do Q' }, /re operator/],
      // pdf.js takes US letter for a MediaBox that is not an array; pdf-lib throws on it.
      ['a MediaBox that is a dictionary', { mediaBox: { Width: 612 } }, /pdf-lib cannot read/],
    ];
    for (const [label, options, reason] of cases) {
      const bytes = await jpegPdf(jpeg, options);
      expect(await refusal(bytes, 1), label).toMatch(reason);
      expect((await viaWorker(bytes, 1)).via, label).not.toBe('jpeg');
    }
  });

  it('falls back or fails with a reason on a truncated, damaged or unusual JPEG, never crashes', async () => {
    const jpeg = await s01Jpeg();
    const adobe = new Uint8Array([0xff, 0xee, 0x00, 0x0e, ...Buffer.from('Adobe'), 0, 100, 0, 0, 0, 0, 1]);
    const withAdobe = new Uint8Array([...jpeg.subarray(0, 2), ...adobe, ...jpeg.subarray(2)]);
    const damaged = jpeg.slice();
    // Garbage over a stretch of entropy-coded data in the middle; the end marker stays.
    damaged.fill(0x5a, jpeg.length >> 1, (jpeg.length >> 1) + 4096);
    const noFrame = jpeg.slice();
    // The frame header's marker (SOF0) overwritten: the header can no longer be read.
    const sof = findMarker(jpeg, 0xc0);
    noFrame[sof + 1] = 0x01;
    // The scan names a component the frame does not have: the header reads well, the data does not.
    const badScan = jpeg.slice();
    badScan[findMarker(jpeg, 0xda) + 5] = 9;
    const cases: [string, Uint8Array, RegExp | null][] = [
      ['a scan of a missing component', badScan, /native decoder/],
      ['truncated', jpeg.slice(0, jpeg.length >> 1), /truncated/],
      ['an Adobe marker', withAdobe, /Adobe/],
      ['no frame header', noFrame, /frame header|markers/],
      ['damaged data', damaged, null], // libjpeg decodes what it can, as pdf.js does
    ];
    for (const [label, bytes, reason] of cases) {
      const pdf = await jpegPdf(bytes);
      if (reason) expect(await refusal(pdf, 1), label).toMatch(reason);
      try {
        const page = await viaWorker(pdf, 1);
        if (reason) expect(page.via, label).not.toBe('jpeg');
        expect([page.raster.width, page.raster.height], label).toEqual([2550, 3300]);
      } catch (error) {
        // pdf.js may give up on the stream too: then the page is refused with a specific message.
        expect(error, label).toBeInstanceOf(InputError);
        expect((error as InputError).code, label).toBe('DAMAGED_FILE');
        expect((error as Error).message, label).toMatch(/page 1 of the PDF/);
      }
    }
  });

  it('leaves files pdf-lib should not parse whole to pdf.js: encrypted, or with very many objects', async () => {
    // Owner-password AES-256: pdf.js decrypts it; pdf-lib would hand over ciphertext.
    expect(await loadRawPdf(read('real/encrypted-aes256-ownerpw.pdf'))).toBeNull();
    const s02 = read('synthetic/s02-report-5p.pdf');
    expect(objectCount(s02, 100)).toBe(18);
    expect(await loadRawPdf(s02)).not.toBeNull();
    expect(await loadRawPdf(s02, 17)).toBeNull();
    // Objects inside object streams count by the streams' /N (two streams of one object each).
    expect(objectCount(read('real/skew.pdf'), 100)).toBe(11 + 2);
  });

  it('reads only JPEG headers it decodes as pdf.js does', async () => {
    const jpeg = await s01Jpeg();
    const sof = findMarker(jpeg, 0xc0);
    const patched = (at: number, ...values: number[]): Uint8Array => {
      const copy = jpeg.slice();
      copy.set(values, at);
      return copy;
    };
    expect(jpegFrame(jpeg)).toEqual({
      ok: true,
      width: 2550,
      height: 3300,
      components: 1,
      progressive: false,
    });
    expect(jpegFrame(patched(sof + 1, 0xc2))).toMatchObject({ ok: true, progressive: true });
    expect(jpegFrame(patched(sof + 1, 0xc9))).toMatchObject({ reason: /arithmetic/ });
    expect(jpegFrame(patched(sof + 4, 12))).toMatchObject({ reason: /12-bit/ });
    expect(jpegFrame(patched(sof + 9, 4))).toMatchObject({ reason: /4 components/ }); // CMYK
    expect(jpegFrame(patched(sof + 5, 0, 0))).toMatchObject({ reason: /DNL/ });
    expect(jpegFrame(jpeg.subarray(0, jpeg.length - 2))).toMatchObject({ reason: /truncated/ });
    expect(jpegFrame(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toMatchObject({ reason: /start marker/ });
  });
});

/** Offset of the first marker `code` (0xff, code) among the JPEG's header segments. */
function findMarker(jpeg: Uint8Array, code: number): number {
  let at = 2;
  while (at + 4 <= jpeg.length) {
    if (jpeg[at + 1] === code) return at;
    at += 2 + ((jpeg[at + 2] << 8) | jpeg[at + 3]);
  }
  throw new Error(`marker ${code.toString(16)} not found`);
}
