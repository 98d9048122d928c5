import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument, degrees } from '@cantoo/pdf-lib';
import { describe, expect, it } from 'vitest';
import { exportDocument, type ExportPage } from '../../src/main/worker/export/exportDocument.ts';
import {
  CORPUS,
  bboxWords,
  gridPage,
  groundTruthPages,
  norm,
  pageCount,
  pageSizes,
  poppler,
  tempDir,
} from '../helpers/export-fixtures.ts';

/** Exports `source` (PDF) with the given pages to a fresh folder; returns the output paths. */
async function exportPdf(source: string, pages: ExportPage[], formats: ('txt' | 'pdf')[] = ['txt', 'pdf']) {
  const dir = tempDir();
  const stem = path.join(dir, path.basename(source).replace(/\.pdf$/, ''));
  const outcome = await exportDocument({
    sourcePath: source,
    kind: 'pdf',
    pages,
    target: { formats, stem, overwrite: false },
  });
  return { dir, outcome, pdf: `${stem}.pdf`, txt: `${stem}.txt` };
}

/** Raster size of a page at 300 dpi, as the OCR side would produce it. */
const at300 = (pt: number): number => Math.round((pt * 300) / 72);

describe('searchable PDF from PDF input', () => {
  it('keeps the pages of a 1-page scan, adds a layer that pdftotext reads back, stays close in size', async () => {
    const source = `${CORPUS}/synthetic/s01-letter.pdf`;
    const gt = groundTruthPages(source);
    const pages = gt.map((t) => gridPage(t, 2550, 3300));
    const { pdf, txt, outcome } = await exportPdf(source, pages);

    expect(outcome.written).toEqual([txt, pdf]);
    expect(pageSizes(pdf)).toEqual(pageSizes(source));
    expect(norm(poppler('pdftotext', pdf, '-'))).toBe(norm(gt.join('\n')));
    expect(readFileSync(txt, 'utf8')).toBe(gt.map((p) => p.replace(/\n+$/, '')).join('\f'));
    // The original page is copied, not re-rasterised: the output is the input plus a few KB.
    const inSize = statSync(source).size;
    const outSize = statSync(pdf).size;
    expect(Math.abs(outSize - inSize)).toBeLessThan(inSize * 0.02 + 20_000);

    // Word boxes: the 3rd word of line 1 of the grid, scaled from 300-dpi pixels to points.
    const word = pages[0].words[2];
    const hit = bboxWords(pdf).find((w) => w.text === word.text);
    expect(hit).toBeDefined();
    const k = 72 / 300;
    expect(hit!.xMin).toBeCloseTo(word.x0 * k, 0);
    expect(hit!.xMax).toBeCloseTo(word.x1 * k, 0);
    expect(hit!.yMin).toBeCloseTo(word.y0 * k, 0);
    expect(hit!.yMax).toBeCloseTo(word.y1 * k, 0);
  });

  it('handles a 5-page document: page count, sizes, text per page', async () => {
    const source = `${CORPUS}/synthetic/s02-report-5p.pdf`;
    const gt = groundTruthPages(source);
    const { pdf } = await exportPdf(
      source,
      gt.map((t) => gridPage(t, 2480, 3509)),
      ['pdf'],
    );
    expect(pageCount(pdf)).toBe(5);
    expect(pageSizes(pdf)).toEqual(pageSizes(source));
    const pagesText = poppler('pdftotext', pdf, '-').split('\f');
    for (let i = 0; i < 5; i++) expect(norm(pagesText[i])).toBe(norm(gt[i]));
    const inSize = statSync(source).size;
    expect(Math.abs(statSync(pdf).size - inSize)).toBeLessThan(inSize * 0.02 + 5 * 20_000);
  });

  it('lands words on the visible page with /Rotate, a CropBox and a MediaBox with a non-zero origin', async () => {
    const dir = tempDir();
    const source = path.join(dir, 'geometry.pdf');
    const doc = await PDFDocument.create();
    // Each case: MediaBox, CropBox (or none), rotation; displayed size follows from them.
    const cases = [
      { media: [0, 0, 600, 400], crop: null, rotate: 90 },
      { media: [100, 200, 700, 1000], crop: [150, 250, 550, 750], rotate: 0 },
      { media: [-50, -80, 550, 720], crop: [0, 20, 500, 620], rotate: 270 },
      { media: [10, 20, 410, 320], crop: null, rotate: 180 },
    ];
    for (const c of cases) {
      const page = doc.addPage([100, 100]);
      page.setMediaBox(c.media[0], c.media[1], c.media[2] - c.media[0], c.media[3] - c.media[1]);
      if (c.crop) page.setCropBox(c.crop[0], c.crop[1], c.crop[2] - c.crop[0], c.crop[3] - c.crop[1]);
      page.setRotation(degrees(c.rotate));
    }
    writeFileSync(source, await doc.save());

    const sizes = pageSizes(source);
    expect(sizes.map((s) => s.rot)).toEqual([90, 0, 270, 180]);
    // Raster at 2 px per point of the displayed page (pdfinfo gives the unrotated size); one word
    // near the top-left, one lower right.
    const pages: ExportPage[] = sizes.map((s, i) => {
      const turned = s.rot === 90 || s.rot === 270;
      const W = (turned ? s.height : s.width) * 2;
      const H = (turned ? s.width : s.height) * 2;
      return {
        text: `alpha${i} omega${i}`,
        width: W,
        height: H,
        source: 'ocr',
        words: [
          { text: `alpha${i}`, x0: 40, y0: 60, x1: 200, y1: 100, confidence: 90 },
          { text: `omega${i}`, x0: W - 300, y0: H - 120, x1: W - 100, y1: H - 70, confidence: 90 },
        ],
      };
    });
    const { pdf } = await exportPdf(source, pages, ['pdf']);
    expect(pageSizes(pdf)).toEqual(sizes);
    const found = bboxWords(pdf);
    pages.forEach((p, i) => {
      for (const w of p.words) {
        const hit = found.find((f) => f.text === w.text);
        expect(hit, w.text).toBeDefined();
        expect(hit!.page).toBe(i + 1);
        // Within 1 pt of the box scaled to points (2 px per point).
        expect(Math.abs(hit!.xMin - w.x0 / 2)).toBeLessThan(1);
        expect(Math.abs(hit!.xMax - w.x1 / 2)).toBeLessThan(1);
        expect(Math.abs(hit!.yMin - w.y0 / 2)).toBeLessThan(1);
        expect(Math.abs(hit!.yMax - w.y1 / 2)).toBeLessThan(1);
      }
    });
  });

  it('round-trips non-Latin text, including characters outside the BMP', async () => {
    const text = 'Ünïcødé 日本語 ✓ Ελληνικά кириллица\n𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 x\u0301 ﬁ\nעברית שלום العربية';
    const page = gridPage(text, 2550, 3300);
    // The right-to-left line is read from the right: mirror its boxes (words stay in logical order).
    const rtlTop = page.words.at(-1)!.y0;
    for (const w of page.words) if (w.y0 === rtlTop) [w.x0, w.x1] = [2550 - w.x1, 2550 - w.x0];
    const { pdf } = await exportPdf(`${CORPUS}/synthetic/s01-letter.pdf`, [page], ['pdf']);
    // pdftotext wraps right-to-left runs in embedding marks (U+202B … U+202C).
    const extracted = poppler('pdftotext', pdf, '-').replace(/[\u202a-\u202e]/g, '');
    for (const w of page.words) expect(extracted).toContain(w.text);
  });

  it('adds nothing to pages that already have text, and leaves failed pages without a layer', async () => {
    const source = `${CORPUS}/synthetic/s11-mixed-3p.pdf`;
    const sizes = pageSizes(source);
    const pages: ExportPage[] = [
      { text: 'page one own text', words: [], width: 0, height: 0, source: 'text-layer' },
      gridPage('recognised words on page two', at300(sizes[1].width), at300(sizes[1].height)),
      { ...gridPage('must not appear', 2480, 3509), failed: true },
    ];
    const { pdf, txt } = await exportPdf(source, pages);
    const before = poppler('pdftotext', source, '-').split('\f');
    const after = poppler('pdftotext', pdf, '-').split('\f');
    expect(after[0]).toBe(before[0]);
    expect(norm(after[1])).toBe('recognised words on page two');
    expect(after[2]).toBe(before[2]);
    // A failed page is an empty page in the .txt: still N−1 form feeds.
    expect(readFileSync(txt, 'utf8')).toBe('page one own text\frecognised words on page two\f');
  });

  it('opens a PDF encrypted with an owner password only and writes a readable, unencrypted PDF', async () => {
    const source = `${CORPUS}/real/encrypted-aes256-ownerpw.pdf`;
    const sizes = pageSizes(source);
    const pages = sizes.map((s, i) =>
      gridPage(`searchable words page${i + 1}`, at300(s.width), at300(s.height)),
    );
    const { pdf } = await exportPdf(source, pages, ['pdf']);
    expect(poppler('pdfinfo', pdf)).toMatch(/^Encrypted:\s+no/m);
    expect(pageSizes(pdf)).toEqual(sizes);
    expect(poppler('pdftotext', pdf, '-')).toContain('searchable words page1');
  });

  it('refuses a PDF that needs a user password, writing nothing', async () => {
    const dir = tempDir();
    const stem = path.join(dir, 'locked');
    const job = {
      sourcePath: `${CORPUS}/bad/encrypted-user-password.pdf`,
      kind: 'pdf' as const,
      pages: [gridPage('x', 100, 100)],
      target: { formats: ['txt', 'pdf'] as ('txt' | 'pdf')[], stem, overwrite: false },
    };
    await expect(exportDocument(job)).rejects.toMatchObject({ code: 'PASSWORD_PROTECTED' });
    expect(() => statSync(`${stem}.txt`)).toThrow();
  });
});
