/**
 * Real OCR on the shared corpus with one warm recogniser (as a worker process has):
 * accuracy against ground truth, per-page text-layer decisions, image inputs, word boxes,
 * several languages, and damaged or oversized inputs failing cleanly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDocument } from '../../src/main/worker/pdfDocument.ts';
import { ocrPage } from '../../src/main/worker/ocrPage.ts';
import { createRecognizer, type Recognizer } from '../../src/main/worker/recognize.ts';
import { InputError } from '../../src/main/common/errors.ts';
import type { OcrOptions, PageResult } from '../../src/shared/model.ts';
import { cer, groundTruthPage } from '../helpers/cer.ts';
import { expectSaneWords } from '../helpers/words.ts';

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus');
const file = (p: string): string => path.join(corpus, p);
const gt = (p: string): string => readFileSync(file(p), 'utf8');
const auto: OcrOptions = { languages: ['eng'], dpi: 300, mode: 'auto' };

let recognizer: Recognizer;
beforeAll(async () => {
  recognizer = await createRecognizer();
});
afterAll(async () => {
  await recognizer?.terminate();
});

async function ocr(p: string, page: number, options: OcrOptions = auto): Promise<PageResult> {
  const doc = await openDocument(file(p));
  try {
    return await ocrPage(doc, page, options, recognizer);
  } finally {
    await doc.close();
  }
}

describe('ocrPage', () => {
  it('OCRs a scanned PDF page within 1% CER, with boxes inside the raster and timings', async () => {
    const result = await ocr('synthetic/s01-letter.pdf', 1);
    expect(result).toMatchObject({ source: 'ocr', width: 2550, height: 3300, dpi: 300 });
    expect(cer(gt('synthetic/s01-letter.gt.txt'), result.text).rate).toBeLessThan(0.01);
    expectSaneWords(result);
    expect(result.meanConfidence).toBeGreaterThan(80);
    expect(result.timings.rasterize).toBeGreaterThan(0);
    expect(result.timings.recognize).toBeGreaterThan(0);
    expect(result.timings.total).toBeGreaterThanOrEqual(result.timings.recognize!);
  });

  it('keeps the text layer of born-digital pages and OCRs the scanned one (s11, mode auto)', async () => {
    const doc = await openDocument(file('synthetic/s11-mixed-3p.pdf'));
    const truth = gt('synthetic/s11-mixed-3p.gt.txt');
    try {
      const pages = [];
      for (let p = 1; p <= 3; p++) pages.push(await ocrPage(doc, p, auto, recognizer));
      expect(pages.map((p) => p.source)).toEqual(['text-layer', 'ocr', 'text-layer']);
      expect(pages[0].meanConfidence).toBeNull();
      for (let p = 1; p <= 3; p++)
        expect(cer(groundTruthPage(truth, p), pages[p - 1].text).rate).toBeLessThan(0.01);
    } finally {
      await doc.close();
    }
  });

  it("counts an earlier OCR's invisible text layer as text (graph_ocred.pdf)", async () => {
    const result = await ocr('real/graph_ocred.pdf', 1);
    expect(result.source).toBe('text-layer');
    expect(result.text.length).toBeGreaterThan(10);
  });

  it('OCRs a PNG from its own bytes, and a PNG named .pdf the same way', async () => {
    const truth = gt('synthetic/s08-image-png.gt.txt');
    const png = await ocr('synthetic/s08-image-png.png', 1);
    expect(png).toMatchObject({ source: 'ocr', width: 2550, height: 3300, dpi: 300 });
    expect(cer(truth, png.text).rate).toBeLessThan(0.01);
    expectSaneWords(png);
    const renamed = await ocr('bad/png-renamed.pdf', 1);
    expect(renamed.text).toBe(png.text);
  });

  it('OCRs page 2 of a 3-page CCITT TIFF', async () => {
    const doc = await openDocument(file('synthetic/s10-tiff-3p.tif'));
    try {
      expect(doc.pageCount).toBe(3);
      const result = await ocrPage(doc, 2, auto, recognizer);
      expect(cer(groundTruthPage(gt('synthetic/s10-tiff-3p.gt.txt'), 2), result.text).rate).toBeLessThan(
        0.01,
      );
      expectSaneWords(result);
    } finally {
      await doc.close();
    }
  });

  it('loads two languages (eng+fra) and switches back', async () => {
    const result = await ocr('real/francais.pdf', 1, { ...auto, languages: ['eng', 'fra'], mode: 'force' });
    const withFra = cer(gt('real/francais.gt.txt'), result.text).rate;
    // With the French model the accents come out; English alone scores ~7% on this page.
    expect(withFra).toBeLessThan(0.05);
    const english = await ocr('real/francais.pdf', 1, { ...auto, mode: 'force' });
    expect(cer(gt('real/francais.gt.txt'), english.text).rate).toBeGreaterThan(withFra);
  });

  it('OCRs broken-xref.pdf after pdf.js rebuilds its xref', async () => {
    const result = await ocr('bad/broken-xref.pdf', 1);
    expect(cer(gt('bad/broken-xref.gt.txt'), result.text).rate).toBeLessThan(0.01);
  });

  it('refuses a page whose embedded image is a memory bomb (hugemono.pdf), without decoding it', async () => {
    const doc = await openDocument(file('real/hugemono.pdf'));
    try {
      await expect(ocrPage(doc, 1, auto, recognizer)).rejects.toMatchObject({ code: 'TOO_LARGE' });
      await expect(ocrPage(doc, 1, auto, recognizer)).rejects.toBeInstanceOf(InputError);
    } finally {
      await doc.close();
    }
  });
});
