/**
 * Scanned PDF pages read from their decoded image instead of a canvas render (imagePage.ts): the
 * page a user gets OCR'd must be the same pixels either way, and anything that is not one image
 * copied 1:1 must still be rendered.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PDFDocument, degrees } from '@cantoo/pdf-lib';
import { createCanvas } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { imagePagePgm, placement } from '../../src/main/worker/imagePage.ts';
import { resolveLimits } from '../../src/main/worker/ocrTypes.ts';
import { pdfjsOpenOptions } from '../../src/main/worker/pdfjsOptions.ts';
import { renderPage } from '../../src/main/worker/rasterize.ts';

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus');
const require = createRequire(import.meta.url);
const assets = path.dirname(require.resolve('pdfjs-dist/package.json')) + path.sep;
const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');

/** Opens a PDF with the worker's options; `doc.loadingTask.destroy()` closes it. */
async function open(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  const options = pdfjsOpenOptions(bytes, resolveLimits(), assets, pdfjs.VerbosityLevel.ERRORS);
  return pdfjs.getDocument(options).promise;
}

/** The page rendered on a canvas, and what imagePagePgm makes of it (null: not one 1:1 image). */
async function bothWays(doc: PDFDocumentProxy, pageNumber: number) {
  const rendered = await renderPage(doc, await doc.getPage(pageNumber), 300, 150e6);
  const page = await doc.getPage(pageNumber);
  const ops = await page.getOperatorList();
  const { width, height } = rendered.raster;
  const viewport = page.getViewport({ scale: rendered.dpi / 72 }).transform as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const direct = await imagePagePgm(page, ops, pdfjs.OPS, viewport, width, height);
  page.cleanup();
  return { rendered: rendered.raster.bytes, direct };
}

/** Bytes that differ (a count, so a failure says how far off it is). */
function differing(a: Uint8Array, b: Uint8Array): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}

describe('scanned pages without a render', () => {
  it('gives the render’s exact pixels for grey JPEG, CCITT and JBIG2 scans, upright and turned', async () => {
    const cases: [string, number][] = [
      ['synthetic/s01-letter.pdf', 1], // grey JPEG
      ['synthetic/s07-landscape.pdf', 1],
      ['synthetic/s03-report-20p.pdf', 2], // CCITT G4, 1 bit
      ['real/cardinal.pdf', 2], // JBIG2 drawn turned a quarter
      ['real/cardinal.pdf', 3], // … upside down
      ['real/cardinal.pdf', 4],
    ];
    for (const [file, pageNumber] of cases) {
      const doc = await open(new Uint8Array(readFileSync(path.join(corpus, file))));
      try {
        const { rendered, direct } = await bothWays(doc, pageNumber);
        expect(direct, `${file} page ${pageNumber}`).not.toBeNull();
        expect(differing(direct!, rendered), `${file} page ${pageNumber}`).toBe(0);
      } finally {
        await doc.loadingTask.destroy();
      }
    }
  });

  it('renders pages that are more than one image copied 1:1', async () => {
    const cases: [string, number][] = [
      ['real/skew.pdf', 1], // image drawn skewed
      ['real/rotated_skew.pdf', 1],
      ['real/epson.pdf', 1], // 2480 × 3507 image on an 841-pt page: scaled
      ['synthetic/s11-mixed-3p.pdf', 1], // text
      ['real/tagged.pdf', 1], // vector drawing and text
    ];
    for (const [file, pageNumber] of cases) {
      const doc = await open(new Uint8Array(readFileSync(path.join(corpus, file))));
      try {
        expect((await bothWays(doc, pageNumber)).direct, `${file} page ${pageNumber}`).toBeNull();
      } finally {
        await doc.loadingTask.destroy();
      }
    }
  });

  it('fills the paper around a smaller image, mirrored or on a turned page, as the render does', async () => {
    // A 300 × 200 px grey gradient with a mark in one corner, placed 1:1 (72 pt = 300 px) on pages
    // larger than it, so the copy has to clip nothing and fill the rest white.
    const canvas = createCanvas(300, 200);
    const context = canvas.getContext('2d');
    const gradient = context.createLinearGradient(0, 0, 300, 200);
    gradient.addColorStop(0, '#202020');
    gradient.addColorStop(1, '#d0d0d0');
    context.fillStyle = gradient;
    context.fillRect(0, 0, 300, 200);
    context.fillStyle = '#000';
    context.fillRect(10, 10, 40, 20);
    const pdf = await PDFDocument.create();
    const png = await pdf.embedPng(canvas.toBuffer('image/png'));
    const plain = pdf.addPage([144, 120]);
    plain.drawImage(png, { x: 36, y: 24, width: 72, height: 48 });
    const turned = pdf.addPage([144, 120]);
    turned.setRotation(degrees(90));
    turned.drawImage(png, { x: 36, y: 24, width: 72, height: 48 });
    const mirrored = pdf.addPage([144, 120]);
    // Flipped left to right by a negative width.
    mirrored.drawImage(png, { x: 108, y: 24, width: -72, height: 48 });
    const doc = await open(await pdf.save());
    try {
      for (let pageNumber = 1; pageNumber <= 3; pageNumber++) {
        const { rendered, direct } = await bothWays(doc, pageNumber);
        expect(direct, `page ${pageNumber}`).not.toBeNull();
        expect(differing(direct!, rendered), `page ${pageNumber}`).toBe(0);
      }
    } finally {
      await doc.loadingTask.destroy();
    }
  });

  it('places an image as pdf.js does: 1:1 only, mirrored and transposed by the matrix', () => {
    // A 300-DPI viewport of a 612 × 792 pt page and a full-page image of 2550 × 3300 px.
    const s = 300 / 72;
    // Device matrix = viewport [s 0 0 −s 0 3300] × the image's matrix.
    expect(placement([s * 612, 0, 0, -s * 792, 0, 3300], 2550, 3300)).toEqual({
      x0: 0,
      y0: 0,
      xi: 1,
      xj: 0,
      yi: 0,
      yj: 1,
    });
    // Drawn upside down (`-612 0 0 -792 612 792 cm`): last column and row first.
    expect(placement([-s * 612, 0, 0, s * 792, 2550, 0], 2550, 3300)).toEqual({
      x0: 2549,
      y0: 3299,
      xi: -1,
      xj: 0,
      yi: 0,
      yj: -1,
    });
    // Scaled (the image is 2% narrower than the page at 300 DPI): rendered instead.
    expect(placement([s * 612, 0, 0, -s * 792, 0, 3300], 2500, 3300)).toBeNull();
    // Turned by an angle that is not a quarter: rendered instead.
    expect(placement([s * 611, s * 20, -s * 26, -s * 791, 0, 3300], 2550, 3300)).toBeNull();
  });
});
