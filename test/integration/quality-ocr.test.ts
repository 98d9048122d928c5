/**
 * Issue 3 with real OCR: sideways, upside-down and crooked pages are read upright, table rules do
 * not become text, the switches turn their step off, and on a skewed page the searchable PDF's
 * invisible words lie over the printed ones.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDocument } from '../../src/main/worker/pdfDocument.ts';
import { ocrPage, ocrPageDetailed } from '../../src/main/worker/ocrPage.ts';
import { createRecognizer, type Recognizer } from '../../src/main/worker/recognize.ts';
import { greyOf, makeRotation, rotateGrey, shrink } from '../../src/main/worker/preprocess/grey.ts';
import { preprocess } from '../../src/main/worker/preprocess/preprocess.ts';
import type { OpenedDocument, RasterImage } from '../../src/main/worker/ocrTypes.ts';
import { exportDocument } from '../../src/main/worker/export/exportDocument.ts';
import type { OcrOptions, PageResult } from '../../src/shared/model.ts';
import { cer, groundTruthPage } from '../helpers/cer.ts';
import { bboxWords, poppler, tempDir } from '../helpers/export-fixtures.ts';

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus');
const file = (p: string): string => path.join(corpus, p);
const gt = (p: string): string => readFileSync(file(p.replace(/\.[a-z]+$/, '.gt.txt')), 'utf8');
const force: OcrOptions = { languages: ['eng'], dpi: 300, mode: 'force' };

let recognizer: Recognizer;
/** cardinal.pdf's OCR, kept for the text-layer test. */
let cardinal: PageResult[] = [];
beforeAll(async () => {
  recognizer = await createRecognizer();
});
afterAll(async () => {
  await recognizer?.terminate();
});

async function ocrAll(p: string, options: OcrOptions = force): Promise<PageResult[]> {
  const doc = await openDocument(file(p));
  try {
    const out: PageResult[] = [];
    for (let i = 1; i <= doc.pageCount; i++) out.push(await ocrPage(doc, i, options, recognizer));
    return out;
  } finally {
    await doc.close();
  }
}

async function renderFirst(p: string): Promise<RasterImage> {
  const doc = await openDocument(file(p));
  try {
    return doc.kind === 'pdf' ? (await doc.render(1, 300)).raster : await doc.raster(1);
  } finally {
    await doc.close();
  }
}

/** A one-page in-memory image document holding `raster`. */
function imageDoc(raster: RasterImage): OpenedDocument {
  return {
    kind: 'image',
    pageCount: 1,
    raster: () => Promise.resolve(raster),
    close: () => Promise.resolve(),
  } as OpenedDocument;
}

describe('orientation and deskew', () => {
  it.each(['real/skew.pdf', 'real/rotated_skew.pdf'])('%s reads below 3 percent CER', async (p) => {
    const [page] = await ocrAll(p);
    expect(cer(gt(p), page.text).rate).toBeLessThan(0.03);
  });

  it('real/cardinal.pdf (the page at 0, 90, 180, 270°) reads below 3% CER on every page', async () => {
    const pages = await ocrAll('real/cardinal.pdf');
    cardinal = pages;
    expect(pages).toHaveLength(4);
    pages.forEach((page, i) => {
      expect(cer(groundTruthPage(gt('real/cardinal.pdf'), i + 1), page.text).rate).toBeLessThan(0.03);
      // Boxes are on the page as the user sees it: pages 2 and 4 are landscape.
      expect([page.width, page.height]).toEqual(i % 2 ? [3300, 2550] : [2550, 3300]);
      for (const w of page.words) {
        expect(w.x1).toBeLessThanOrEqual(page.width);
        expect(w.y1).toBeLessThanOrEqual(page.height);
      }
    });
  });

  it('reads a page turned 90, 180 and 270° upright, word boxes on the turned page', async () => {
    const upright = await greyOf(await renderFirst('synthetic/s01-letter.pdf'));
    const truth = gt('synthetic/s01-letter.pdf');
    for (const quarter of [1, 2, 3] as const) {
      const rotation = makeRotation(upright.width, upright.height, quarter, 0);
      const turned = rotateGrey(upright, rotation, 255);
      const raster: RasterImage = { kind: 'pixels', channels: 1, dpi: 300, ...turned };
      const { result, preprocess: report } = await ocrPageDetailed(imageDoc(raster), 1, force, recognizer);
      expect(report?.orientation).toBe(((4 - quarter) % 4) * 90);
      expect(cer(truth, result.text).rate).toBeLessThan(0.01);
      // "Dear" is written across the turned page: its box is as wide as the page turned it.
      const dear = result.words.find((w) => w.text.startsWith('Dear'))!;
      expect(dear).toBeDefined();
      const across = quarter % 2 ? dear.y1 - dear.y0 : dear.x1 - dear.x0;
      const along = quarter % 2 ? dear.x1 - dear.x0 : dear.y1 - dear.y0;
      expect(across).toBeGreaterThan(along);
      expect(result.width).toBe(turned.width);
    }
  });

  it('--no-rotate and --no-deskew switch their step off', async () => {
    const sideways = await renderFirst('real/cardinal.pdf');
    const rotatedPage = await openDocument(file('real/cardinal.pdf'));
    let page2: RasterImage;
    try {
      page2 = rotatedPage.kind === 'pdf' ? (await rotatedPage.render(2, 300)).raster : sideways;
    } finally {
      await rotatedPage.close();
    }
    const on = await preprocess(page2, { rotate: true, deskew: true, rules: true });
    expect(on.report.orientation).not.toBe(0);
    const off = await preprocess(page2, { rotate: false, deskew: true, rules: true });
    expect(off.report.orientation).toBe(0);

    const skewed = await renderFirst('real/skew.pdf');
    expect(
      Math.abs((await preprocess(skewed, { rotate: true, deskew: true, rules: true })).report.deskewDegrees),
    ).toBeGreaterThan(1);
    const straight = await preprocess(skewed, { rotate: true, deskew: false, rules: true });
    expect(straight.report.deskewDegrees).toBe(0);
  });
});

describe('resolution', () => {
  it('upscales a 100-DPI scan labelled 72 DPI and reads it as well as the 300-DPI one', async () => {
    const grey = shrink(await greyOf(await renderFirst('synthetic/s01-letter.pdf')), 3);
    const raster: RasterImage = { kind: 'pixels', channels: 1, dpi: 72, ...grey };
    const truth = gt('synthetic/s01-letter.pdf');
    const on = await ocrPageDetailed(imageDoc(raster), 1, force, recognizer);
    expect(on.preprocess?.scale).toBe(2);
    expect(cer(truth, on.result.text).rate).toBeLessThan(0.004);
    // Boxes come back in the small image's pixels.
    for (const w of on.result.words) expect(w.x1).toBeLessThanOrEqual(grey.width);
    const off = await ocrPageDetailed(imageDoc(raster), 1, { ...force, estimateDpi: false }, recognizer);
    expect(off.preprocess?.scale).toBe(1);
    expect(cer(truth, off.result.text).rate).toBeGreaterThan(cer(truth, on.result.text).rate);
  });

  it('reads real/francais.pdf with its accents with eng+fra', async () => {
    const [page] = await ocrAll('real/francais.pdf', { ...force, languages: ['eng', 'fra'] });
    expect(cer(gt('real/francais.pdf'), page.text).rate).toBeLessThan(0.03);
    expect(page.text).toMatch(/[éèàçô]/);
  });
});

describe('table rules', () => {
  it('leaves a photographed page with shaded corners alone (synthetic/s09: no "rules" in the paper)', async () => {
    const doc = await openDocument(file('synthetic/s09-photo-jpeg.jpg'));
    try {
      const { result, preprocess: report } = await ocrPageDetailed(doc, 1, force, recognizer);
      expect(report?.rulePixels).toBe(0);
      expect(cer(gt('synthetic/s09-photo-jpeg.jpg'), result.text).rate).toBeLessThan(0.005);
    } finally {
      await doc.close();
    }
  });

  it('synthetic/s05-table reads below 2% CER with rules painted out', async () => {
    const [page] = await ocrAll('synthetic/s05-table.pdf');
    expect(cer(gt('synthetic/s05-table.pdf'), page.text).rate).toBeLessThan(0.02);
  });
});

describe('text layer on a skewed page', () => {
  // rotated_skew.pdf also has /Rotate 90 and a landscape MediaBox: the exporter's page geometry.
  it.each(['real/skew.pdf', 'real/rotated_skew.pdf'])(
    '%s: each invisible word lies over the printed word (pdftotext -bbox)',
    async (p) => {
      const source = file(p);
      const pages = await ocrAll(p);
      const stem = path.join(tempDir(), 'skewed');
      await exportDocument({
        sourcePath: source,
        kind: 'pdf',
        pages: pages, // a PageResult is an ExportPage
        target: { formats: ['pdf'], stem, overwrite: false },
      });
      const placed = bboxWords(`${stem}.pdf`);
      const k = 72 / 300;
      // Long words that occur once: their layer box must overlap the OCR box (which the mapping put
      // back on the unrotated scan) by most of its area.
      const counts = new Map<string, number>();
      for (const w of pages[0].words) counts.set(w.text, (counts.get(w.text) ?? 0) + 1);
      const unique = pages[0].words.filter((w) => w.text.length >= 8 && counts.get(w.text) === 1);
      expect(unique.length).toBeGreaterThan(10);
      let good = 0;
      for (const w of unique) {
        const hit = placed.find((p) => p.text === w.text);
        if (!hit) continue;
        const ix = Math.min(hit.xMax, w.x1 * k) - Math.max(hit.xMin, w.x0 * k);
        const iy = Math.min(hit.yMax, w.y1 * k) - Math.max(hit.yMin, w.y0 * k);
        const inter = Math.max(0, ix) * Math.max(0, iy);
        const layerArea = (hit.xMax - hit.xMin) * (hit.yMax - hit.yMin);
        if (inter >= layerArea * 0.6) good++;
      }
      expect(good).toBeGreaterThanOrEqual(unique.length * 0.9);

      // And the OCR boxes themselves are on the printed words of the unrotated scan: far more ink
      // inside them than on the page on average.
      const grey = await greyOf(await renderFirst(p));
      const inkShare = (x0: number, y0: number, x1: number, y1: number): number => {
        let ink = 0;
        let n = 0;
        for (let y = Math.floor(y0); y < y1; y++)
          for (let x = Math.floor(x0); x < x1; x++, n++) if (grey.data[y * grey.width + x] < 128) ink++;
        return ink / Math.max(1, n);
      };
      const page = inkShare(0, 0, grey.width, grey.height);
      const inked = unique.filter((w) => inkShare(w.x0, w.y0, w.x1, w.y1) > page * 1.5);
      expect(inked.length).toBeGreaterThanOrEqual(unique.length * 0.9);
    },
  );
});

describe('text layer on sideways pages', () => {
  it('writes the words of pages turned 90°, 180° and 270° along the printed lines (cardinal.pdf)', async () => {
    expect(cardinal).toHaveLength(4);
    const source = file('real/cardinal.pdf');
    const stem = path.join(tempDir(), 'cardinal');
    await exportDocument({
      sourcePath: source,
      kind: 'pdf',
      pages: cardinal, // a PageResult is an ExportPage
      target: { formats: ['pdf'], stem, overwrite: false },
    });
    const truth = gt('real/cardinal.pdf');
    for (const pageNo of [2, 3, 4]) {
      // In content order the layer reads like the OCR text: whole lines, turned with the page.
      // (poppler's layout mode orders the blocks of a turned page poorly; the words are right.)
      const text = poppler(
        'pdftotext',
        '-raw',
        '-f',
        String(pageNo),
        '-l',
        String(pageNo),
        `${stem}.pdf`,
        '-',
      );
      expect(cer(groundTruthPage(truth, pageNo), text).rate).toBeLessThan(0.03);
      const k = 72 / 300;
      const all = cardinal[pageNo - 1].words;
      const words = all.filter(
        (w) => w.text.length >= 8 && all.filter((o) => o.text === w.text).length === 1,
      );
      expect(words.length).toBeGreaterThan(50);
      const placed = bboxWords(`${stem}.pdf`).filter((b) => b.page === pageNo);
      let good = 0;
      for (const w of words) {
        const hit = placed.find((p) => p.text === w.text);
        if (!hit) continue;
        const ix = Math.min(hit.xMax, w.x1 * k) - Math.max(hit.xMin, w.x0 * k);
        const iy = Math.min(hit.yMax, w.y1 * k) - Math.max(hit.yMin, w.y0 * k);
        if (Math.max(0, ix) * Math.max(0, iy) >= (hit.xMax - hit.xMin) * (hit.yMax - hit.yMin) * 0.6) good++;
      }
      expect(good).toBeGreaterThanOrEqual(words.length * 0.9);
    }
  });
});
