import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportDocument } from '../../src/main/engine/export/exportDocument.ts';
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

/** Image input: one page per image page at the image's resolution, image full page, layer on top. */
async function exportImage(file: string, width: number, height: number) {
  const source = `${CORPUS}/synthetic/${file}`;
  const gt = groundTruthPages(source);
  const stem = path.join(tempDir(), file.replace(/\.[a-z]+$/, ''));
  const pages = gt.map((t) => gridPage(t, width, height));
  await exportDocument({
    sourcePath: source,
    kind: 'image',
    pages,
    target: { formats: ['pdf'], stem, overwrite: false },
  });
  return { pdf: `${stem}.pdf`, gt, pages, source };
}

describe('searchable PDF from image input', () => {
  it('PNG (300 dpi in pHYs) → one Letter page, the PNG data carried over as is', async () => {
    const { pdf, gt, pages, source } = await exportImage('s08-image-png.png', 2550, 3300);
    expect(pageCount(pdf)).toBe(1);
    expect(pageSizes(pdf)).toEqual([{ width: 612, height: 792, rot: 0 }]);
    expect(norm(poppler('pdftotext', pdf, '-'))).toBe(norm(gt.join(' ')));
    // No re-encoding: the PDF is the PNG's bytes plus a few KB.
    expect(statSync(pdf).size - statSync(source).size).toBeLessThan(20_000);
    const word = pages[0].words[1];
    const hit = bboxWords(pdf).find((w) => w.text === word.text)!;
    expect(hit.xMin).toBeCloseTo((word.x0 * 72) / 300, 0);
    expect(hit.yMax).toBeCloseTo((word.y1 * 72) / 300, 0);
    expect(poppler('pdfimages', '-list', pdf)).toMatch(/ 2550\s+3300\s+gray\s+1\s+4\s+image/);
  });

  it('JPEG → one page at its JFIF resolution, embedded as JPEG', async () => {
    const { pdf, gt, source } = await exportImage('s09-photo-jpeg.jpg', 2550, 3300);
    expect(pageSizes(pdf)).toEqual([{ width: 612, height: 792, rot: 0 }]);
    expect(norm(poppler('pdftotext', pdf, '-'))).toBe(norm(gt.join(' ')));
    expect(statSync(pdf).size - statSync(source).size).toBeLessThan(20_000);
    expect(poppler('pdfimages', '-list', pdf)).toMatch(/\bjpeg\b/);
  });

  it('multi-page TIFF → one page per TIFF page, bilevel kept at 1 bit per pixel', async () => {
    const { pdf, gt } = await exportImage('s10-tiff-3p.tif', 2550, 3300);
    expect(pageCount(pdf)).toBe(3);
    expect(pageSizes(pdf)).toEqual(Array.from({ length: 3 }, () => ({ width: 612, height: 792, rot: 0 })));
    const text = poppler('pdftotext', pdf, '-').split('\f');
    for (let i = 0; i < 3; i++) expect(norm(text[i])).toBe(norm(gt[i]));
    expect(poppler('pdfimages', '-list', pdf)).toMatch(/gray\s+1\s+1\s+image/);
  });
});
