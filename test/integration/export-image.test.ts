import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportDocument } from '../../src/main/worker/export/exportDocument.ts';
import { decodeImagePage } from '../../src/main/worker/images.ts';
import { openDocument } from '../../src/main/worker/pdfDocument.ts';
import { greyOf } from '../../src/main/worker/preprocess/grey.ts';
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
async function exportImage(
  file: string,
  width: number,
  height: number,
  source = `${CORPUS}/synthetic/${file}`,
) {
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
    // Group 4 fax data carried over as it is (CCITTFaxDecode), not decoded and re-compressed.
    expect(poppler('pdfimages', '-list', pdf)).toMatch(/gray\s+1\s+1\s+ccitt/);
  });

  it("Group 4 TIFF pages show exactly the TIFF's pixels, black on white or white on black", async () => {
    // The corpus file is WhiteIsZero (the fax norm); the same fax codes marked BlackIsZero must
    // show inverted, as a TIFF viewer shows them.
    const original = readFileSync(`${CORPUS}/synthetic/s10-tiff-3p.tif`);
    const blackIsZero = Buffer.from(original);
    for (let ifd = blackIsZero.readUInt32LE(4); ifd !== 0;) {
      const entries = blackIsZero.readUInt16LE(ifd);
      for (let i = 0; i < entries; i++)
        if (blackIsZero.readUInt16LE(ifd + 2 + i * 12) === 262)
          blackIsZero.writeUInt16LE(1, ifd + 2 + i * 12 + 8);
      ifd = blackIsZero.readUInt32LE(ifd + 2 + entries * 12);
    }
    const inverted = path.join(tempDir(), 'black-is-zero.tif');
    writeFileSync(inverted, blackIsZero);
    writeFileSync(
      inverted.replace(/\.tif$/, '.gt.txt'),
      readFileSync(`${CORPUS}/synthetic/s10-tiff-3p.gt.txt`),
    );
    for (const source of [`${CORPUS}/synthetic/s10-tiff-3p.tif`, inverted]) {
      const { pdf } = await exportImage(path.basename(source), 2550, 3300, source);
      const doc = await openDocument(pdf);
      if (doc.kind !== 'pdf') throw new Error(`${pdf} did not open as a PDF`);
      try {
        for (const page of [1, 3]) {
          const shown = await greyOf((await doc.render(page, 300)).raster);
          const scan = await decodeImagePage(new Uint8Array(readFileSync(source)), page - 1, { grey: true });
          let differing = 0;
          for (let i = 0; i < scan.data.length; i++) if (shown.data[i] !== scan.data[i]) differing++;
          expect([shown.width, shown.height, differing], `${source} page ${page}`).toEqual([2550, 3300, 0]);
        }
      } finally {
        await doc.close();
      }
    }
  });
});
