/**
 * The page view's "what Tesseract saw": the prepared picture the window gets through the API is,
 * pixel for pixel, the raster the page task handed to Tesseract, for a phone photo (cut out,
 * perspective undone, light flattened) and a speckled fax (specks removed), and the steps it lists
 * are the ones that ran. The same page read again from that raster gives the very text the engine
 * stored, so the picture shown is what the stored text was read from.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas, Image } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '../../src/main/api/router.ts';
import type { Engine } from '../../src/main/engine/engine.ts';
import { openDocument } from '../../src/main/worker/pdfDocument.ts';
import { ocrPageDetailed } from '../../src/main/worker/ocrPage.ts';
import { greyOf, type Grey } from '../../src/main/worker/preprocess/grey.ts';
import { createRecognizer, type Recognizer } from '../../src/main/worker/recognize.ts';
import type { RasterImage } from '../../src/main/worker/ocrTypes.ts';
import type { PageDetail, PageImage } from '../../src/shared/api.ts';
import type { DocumentRow, OcrOptions } from '../../src/shared/model.ts';
import { CORPUS, runEngine, tempDir } from '../helpers/engineRun.ts';

const OPTIONS: OcrOptions = { languages: ['eng'], dpi: 300, mode: 'auto' };

let engine: Engine;
let router: Router;
let rows: DocumentRow[];
let recognizer: Recognizer;
const dirs: string[] = [];

beforeAll(async () => {
  const out = tempDir('prepared-out');
  dirs.push(out);
  const files = ['photo/c01-phone-letter.jpg', 'photo/c04-fax-specks-2p.tif'].map((f) => join(CORPUS, f));
  ({ engine, rows } = await runEngine(files, out, { jobs: 1 }, { formats: ['txt'], options: OPTIONS }));
  router = createRouter({ engine, version: 'test' });
  recognizer = await createRecognizer();
}, 300_000);
afterAll(async () => {
  router?.close();
  await engine?.stop();
  await recognizer?.terminate();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A picture decoded as the browser would: RGBA. */
async function decode(
  picture: PageImage,
): Promise<{ width: number; height: number; rgba: Uint8ClampedArray }> {
  const image = new Image();
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = (e: unknown) => reject(e instanceof Error ? e : new Error(String(e)));
    image.src = Buffer.from(picture.base64, 'base64');
  });
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return {
    width: image.width,
    height: image.height,
    rgba: ctx.getImageData(0, 0, image.width, image.height).data,
  };
}

/** The grey levels of a picture (every channel equal, or it is not grey). */
async function pixelsOf(picture: PageImage): Promise<Grey> {
  const { width, height, rgba } = await decode(picture);
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const [r, g, b] = [rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]];
    if (r !== g || g !== b) throw new Error(`pixel ${i} is not grey: ${r},${g},${b}`);
    data[i] = r;
  }
  return { width, height, data };
}

/**
 * The paper's brightness in a band of columns (`from`–`to`, shares of the width, middle rows): the
 * 90th percentile of the grey levels there, i.e. the paper between the letters.
 */
async function paperBrightness(picture: PageImage, from: number, to: number): Promise<number> {
  const { width, height, rgba } = await decode(picture);
  const levels: number[] = [];
  for (let y = Math.round(height * 0.2); y < Math.round(height * 0.8); y += 2)
    for (let x = Math.round(width * from); x < Math.round(width * to); x += 2) {
      const o = (y * width + x) * 4;
      levels.push((rgba[o] + rgba[o + 1] + rgba[o + 2]) / 3);
    }
  levels.sort((p, q) => p - q);
  return levels[Math.floor(levels.length * 0.9)];
}

/** The page recognised as the page task does it, with the raster handed to Tesseract kept. */
async function whatTesseractGot(
  file: string,
  pageNo: number,
): Promise<{ raster: RasterImage; text: string }> {
  let seen: RasterImage | null = null;
  const recording: Recognizer = {
    ...recognizer,
    recognize: (image, languages) => {
      seen = image;
      return recognizer.recognize(image, languages);
    },
  };
  const doc = await openDocument(file);
  try {
    const { result } = await ocrPageDetailed(doc, pageNo, OPTIONS, recording);
    if (!seen) throw new Error('Tesseract was not called');
    return { raster: seen, text: result.text };
  } finally {
    await doc.close();
  }
}

async function prepared(doc: DocumentRow, pageNo: number): Promise<PageImage> {
  const r = await router.call('review.pageImage', [doc.id, pageNo, 'prepared']);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as PageImage;
}

const row = (name: string): DocumentRow => rows.find((r) => r.path.endsWith(name))!;

describe('the prepared page in the page view', () => {
  it.each([
    ['c01-phone-letter.jpg', 1, /Photo.*perspective undone, light flattened/],
    ['c04-fax-specks-2p.tif', 1, /specks removed/],
  ])(
    '%s page %i: the picture is the raster Tesseract read, and lists what was done',
    async (name, pageNo, step) => {
      const doc = row(name);
      expect(doc.state).toBe('done');
      const picture = await prepared(doc, pageNo);
      expect(picture.mime).toBe('image/png');
      expect(picture.steps?.join('\n')).toMatch(step);
      const shown = await pixelsOf(picture);
      const fed = await whatTesseractGot(doc.path, pageNo);
      const expected = await greyOf(fed.raster);
      expect([shown.width, shown.height]).toEqual([expected.width, expected.height]);
      let differing = 0;
      for (let i = 0; i < expected.data.length; i++) if (shown.data[i] !== expected.data[i]) differing++;
      expect(differing, 'pixels that differ from what Tesseract read').toBe(0);
      // The engine's worker read the same raster: the same text as the one stored.
      const stored = await router.call('review.page', [doc.id, pageNo]);
      expect(stored.ok && (stored.value as PageDetail).text).toBe(fed.text);
      expect(picture.steps?.join('\n')).toContain(`Tesseract told ${Math.round(fed.raster.dpi)} DPI`);
    },
  );

  it('shows the photo evenly lit where the page as the user sees it is darker on the right', async () => {
    const doc = row('c01-phone-letter.jpg');
    const page = await router.call('review.pageImage', [doc.id, 1]);
    const photo = await prepared(doc, 1);
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    const original = page.value as PageImage;
    expect(original.mime).toBe('image/jpeg');
    // The photo's light falls off to the right (paper ~215 on the left, ~150 on the right).
    const evenness = async (p: PageImage) =>
      (await paperBrightness(p, 0.8, 0.9)) / (await paperBrightness(p, 0.1, 0.2));
    expect(await evenness(original)).toBeLessThan(0.85);
    expect(await evenness(photo)).toBeGreaterThan(0.95);
  });

  it('refuses a page that does not exist, with the page named', async () => {
    const r = await router.call('review.pageImage', [row('c04-fax-specks-2p.tif').id, 9, 'prepared']);
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: expect.stringMatching(/page 9/) as string },
    });
  });
});
