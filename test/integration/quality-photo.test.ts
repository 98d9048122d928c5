/**
 * Issue 16 with real OCR: the hard captures of the corpus's photo/ (two phone photos, a speckled
 * two-column page, a speckled fax) read within the goals with the default options, and
 * the app finds by itself which pages are photos and which are speckled. On the photo, the word
 * boxes come back onto the photo as the user sees it (through the perspective), which is where
 * the searchable PDF puts its words.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDocument } from '../../src/main/worker/pdfDocument.ts';
import { ocrPageDetailed } from '../../src/main/worker/ocrPage.ts';
import { createRecognizer, type Recognizer } from '../../src/main/worker/recognize.ts';
import { pageMap } from '../../src/main/worker/preprocess/warp.ts';
import type { PreprocessReport } from '../../src/main/worker/preprocess/preprocess.ts';
import type { OcrOptions, PageResult } from '../../src/shared/model.ts';
import { cer } from '../helpers/cer.ts';

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus');
const defaults: OcrOptions = { languages: ['eng'], dpi: 300, mode: 'force' };

let recognizer: Recognizer;
beforeAll(async () => {
  recognizer = await createRecognizer();
});
afterAll(async () => {
  await recognizer?.terminate();
});

interface Read {
  text: string;
  pages: { result: PageResult; report: PreprocessReport | null }[];
}

async function read(file: string, options: OcrOptions = defaults): Promise<Read> {
  const doc = await openDocument(path.join(corpus, file));
  try {
    const pages: Read['pages'] = [];
    for (let p = 1; p <= doc.pageCount; p++) {
      const { result, preprocess } = await ocrPageDetailed(doc, p, options, recognizer);
      pages.push({ result, report: preprocess });
    }
    return { text: pages.map((p) => p.result.text).join('\f'), pages };
  } finally {
    await doc.close();
  }
}

const truth = (file: string): string =>
  readFileSync(path.join(corpus, file.replace(/\.[a-z]+$/, '.gt.txt')), 'utf8');

describe('hard captures (photo/)', () => {
  it('c01: a phone photo of a letter (perspective, light falling off, a 72-DPI claim) reads at ≤ 1.0% CER', async () => {
    const file = 'photo/c01-phone-letter.jpg';
    const { text, pages } = await read(file);
    expect(cer(truth(file), text).rate).toBeLessThanOrEqual(0.01);
    const [{ result, report }] = pages;
    expect(report?.photo?.applied).toBe(true);
    // The page's outline was found against the table: four corners, the top edge rising.
    expect(report?.photo?.corners).toHaveLength(4);
    // Word boxes are in the photo's own pixels, on its printed words (through the perspective),
    // which is where the searchable PDF puts its invisible words. The photo was made from a flat
    // 1275 × 1650 page by a known perspective (corpus tools/make-photo.sh): taken back through
    // it, the words of each printed line share one baseline (they are on a slant in the photo).
    expect([result.width, result.height]).toEqual([1275, 1650]);
    const toFlat = pageMap(
      [
        [0, 0],
        [1236, 33],
        [1275, 1650],
        [25, 1617],
      ],
      1275,
      1650,
    );
    const words = result.words
      .filter((w) => w.text.length >= 3)
      .map((w) => {
        const [x, y] = toFlat.forward((w.x0 + w.x1) / 2, w.y1);
        return { x, y, photoY: w.y1 };
      })
      .sort((a, b) => a.y - b.y);
    const lines: (typeof words)[] = [];
    for (const w of words) {
      const line = lines.at(-1);
      if (line && w.y - line.at(-1)!.y <= 6) line.push(w);
      else lines.push([w]);
    }
    const spread = (v: number[]): number => Math.max(...v) - Math.min(...v);
    const wide = lines.filter((l) => l.length >= 6 && spread(l.map((w) => w.x)) > 600);
    expect(wide.length).toBeGreaterThanOrEqual(8);
    const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];
    const onBaseline = wide.flatMap((line) => {
      const base = median(line.map((w) => w.y));
      return line.filter((w) => Math.abs(w.y - base) <= 3);
    });
    expect(onBaseline.length).toBeGreaterThanOrEqual(wide.flat().length * 0.9);
    // In the photo itself those lines slant (the test would notice boxes left unmapped).
    expect(Math.max(...wide.map((l) => spread(l.map((w) => w.photoY))))).toBeGreaterThan(12);
  });

  it('c02: a phone photo of a report at 200 DPI reads at ≤ 0.2% CER; with --no-correct-photos the photo is read as it is', async () => {
    const file = 'photo/c02-phone-report.jpg';
    const on = await read(file);
    expect(cer(truth(file), on.text).rate).toBeLessThanOrEqual(0.002);
    expect(on.pages[0].report?.photo?.reasons.join(' ')).toMatch(/perspective/);
    const off = await read(file, { ...defaults, correctPhotos: false });
    expect(off.pages[0].report?.photo).toBeNull();
  });

  it('c03: a two-column page with salt-and-pepper specks reads at ≤ 0.3% CER, specks removed on both pages', async () => {
    const file = 'photo/c03-specks-twocol-2p.pdf';
    const { text, pages } = await read(file);
    expect(cer(truth(file), text).rate).toBeLessThanOrEqual(0.003);
    for (const { report } of pages) {
      expect(report?.photo?.applied).toBe(false);
      expect(report?.specks?.removed).toBeGreaterThan(1000);
    }
  });

  it('c04: a speckled bilevel fax reads at ≤ 0.2% CER, its full stops and i-dots kept', async () => {
    const file = 'photo/c04-fax-specks-2p.tif';
    const { text, pages } = await read(file);
    expect(cer(truth(file), text).rate).toBeLessThanOrEqual(0.002);
    for (const { report } of pages) expect(report?.specks?.removed).toBeGreaterThan(1000);
    // Dots survive the speck removal: as many full stops, commas and dotted letters as the page
    // prints (± 2%; a dropped i-dot reads as `l` or `1`).
    for (const mark of [/\./g, /,/g, /[ij]/g]) {
      const count = (s: string): number => (s.match(mark) ?? []).length;
      expect(Math.abs(count(text) - count(truth(file))), String(mark)).toBeLessThanOrEqual(
        Math.max(1, count(truth(file)) * 0.02),
      );
    }
  });
});
