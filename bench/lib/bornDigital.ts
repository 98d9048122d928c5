/**
 * Born-digital pages in `auto` mode: a generated PDF whose every page carries real text (standard
 * Helvetica, ~50 lines of ~90 characters, like a printed report) goes through the engine, which
 * should keep each page's text layer and never rasterise or recognise it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';

const WORDS = (
  'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were ' +
  'her she there been one all we their has would when if so no will more other into its than then time some could them these ' +
  'invoice account payment delivery quarterly report section table figure total amount balance customer supplier contract ' +
  'agreement schedule meeting committee project budget revenue expense receipt reference number office department'
).split(' ');

/** Deterministic text: the same file on every run. */
function* lines(seed: number): Generator<string> {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
  for (;;) {
    const parts: string[] = [];
    let len = 0;
    while (len < 85) {
      let w = WORDS[Math.floor(rand() * WORDS.length)];
      if (rand() < 0.05) w = String(Math.floor(rand() * 100_000));
      parts.push(w);
      len += w.length + 1;
    }
    const line = parts.join(' ');
    yield line.charAt(0).toUpperCase() + line.slice(1) + '.';
  }
}

/** Writes (or reuses) a `pages`-page born-digital A4 PDF. */
export async function makeBornDigitalPdf(file: string, pages: number): Promise<string> {
  const marker = `${file}.pages`;
  if (existsSync(file) && existsSync(marker) && readFileSync(marker, 'utf8') === String(pages)) return file;
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const text = lines(42);
  for (let n = 1; n <= pages; n++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`Generated report — page ${n} of ${pages}`, { x: 56, y: 800, size: 13, font });
    for (let i = 0; i < 50; i++)
      page.drawText(text.next().value as string, { x: 56, y: 770 - i * 14, size: 9.5, font });
    page.drawText(`Page ${n}`, { x: 280, y: 40, size: 9, font });
  }
  writeFileSync(file, await doc.save());
  writeFileSync(marker, String(pages));
  return file;
}
