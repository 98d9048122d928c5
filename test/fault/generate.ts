import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';

/**
 * Quick, distinct documents for the fault and soak harnesses: born-digital PDFs (their text layer
 * is kept, no OCR: milliseconds per page, so many commits and exports happen between two kills) and
 * small PNG pages with a few printed lines (real OCR, well under a second each at 100 DPI).
 */
const WORDS =
  'invoice ledger harbour meadow quarterly balance shipment orchard copper lantern velvet summit archive parcel beacon timber'.split(
    ' ',
  );

/** Deterministic line `n` of document `doc`: different documents never share content. */
export function lineOf(doc: number, n: number): string {
  const w = (i: number): string => WORDS[(doc * 7 + n * 3 + i) % WORDS.length];
  return `Document ${doc} line ${n}: ${w(0)} ${w(1)} ${w(2)} ${w(3)} ${doc * 1000 + n}`;
}

/** A born-digital PDF of `pages` A6 pages, each with a few lines of real text. */
export async function textPdf(doc: number, pages: number): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < pages; p++) {
    const page = pdf.addPage([298, 420]);
    for (let l = 0; l < 6; l++)
      page.drawText(lineOf(doc, p * 6 + l), { x: 20, y: 380 - l * 16, size: 9, font });
  }
  return pdf.save();
}

let fontReady = false;

/** A small greyscale-looking PNG page (about 800×300 px) with three printed lines. */
export function imagePage(doc: number): Buffer {
  if (!fontReady) {
    GlobalFonts.registerFromPath('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 'FaultSans');
    fontReady = true;
  }
  const canvas = createCanvas(800, 300);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, 800, 300);
  ctx.fillStyle = '#000';
  ctx.font = '26px FaultSans';
  for (let l = 0; l < 3; l++) ctx.fillText(lineOf(doc, l), 30, 70 + l * 80);
  return canvas.toBuffer('image/png');
}

/** The file name of generated document `i`: one numbering for both kinds, so they interleave in a folder walk. */
export function generatedName(i: number, ext: 'pdf' | 'png'): string {
  return `doc-${String(i).padStart(5, '0')}.${ext}`;
}

/**
 * Writes `count` generated documents numbered from `first`: every `imageEvery`-th one a PNG page
 * (OCR'd), the others born-digital PDFs of 1–3 pages. Returns pages per file name.
 */
export async function writeMixedDocuments(
  dir: string,
  count: number,
  imageEvery: number,
  first = 0,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = first; i < first + count; i++) {
    if (imageEvery > 0 && i % imageEvery === imageEvery - 1) {
      const name = generatedName(i, 'png');
      writeFileSync(join(dir, name), imagePage(i));
      out.set(name, 1);
    } else {
      const pages = 1 + (i % 3);
      const name = generatedName(i, 'pdf');
      writeFileSync(join(dir, name), await textPdf(i, pages));
      out.set(name, pages);
    }
  }
  return out;
}
