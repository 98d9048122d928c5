import { appendFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { generatedName, writeMixedDocuments } from './generate.ts';

export const CORPUS = resolve(import.meta.dirname, '../../../shared/corpus');

/** Scanned documents of the public corpus and their page counts. */
export const SCANNED: Record<string, number> = {
  's01-letter.pdf': 1,
  's05-table.pdf': 1,
  's07-landscape.pdf': 1,
  's08-image-png.png': 1,
  's09-photo-jpeg.jpg': 1,
  's10-tiff-3p.tif': 3,
  's11-mixed-3p.pdf': 3,
  's02-report-5p.pdf': 5,
  's03-report-20p.pdf': 20,
};

/** Files of corpus/bad that fail at once with a reason (empty, not a PDF, not an image, locked). */
export const BAD = ['empty.pdf', 'random-bytes.pdf', 'not-an-image.jpg', 'encrypted-user-password.pdf'];

export interface FaultCorpusSpec {
  /** Names from SCANNED, copied as they are. */
  scanned?: string[];
  /** Copies of scanned PDFs with distinct content (a trailing comment after %%EOF): name → copies. */
  scannedCopies?: Record<string, number>;
  /** Generated documents (doc-NNNNN): born-digital PDFs of 1–3 pages (text layer kept, no OCR)… */
  generated?: number;
  /** … of which every n-th is a one-page PNG with printed lines (OCR'd); 0 for none. */
  imageEvery?: number;
  /** Copy the BAD files too (default true). */
  bad?: boolean;
}

export interface FaultCorpus {
  /** Expected page count per good file name. */
  goodPages: Map<string, number>;
  /** Names of the files that must fail with a reason. */
  bad: string[];
}

/** Builds a corpus folder for a fault harness; every good file has its own content (no duplicates). */
export async function buildFaultCorpus(dir: string, spec: FaultCorpusSpec): Promise<FaultCorpus> {
  mkdirSync(dir, { recursive: true });
  const goodPages = new Map<string, number>();
  // Scans are named into the generated sequence (doc-NNNNN-…), spread over it, so kills land
  // during their recognition too and not only in the last start.
  const scanned = spec.scanned ?? [];
  scanned.forEach((name, k) => {
    const at = Math.floor(((k + 1) * (spec.generated ?? 0)) / (scanned.length + 1));
    const target = `${generatedName(at, 'pdf').slice(0, -4)}-${name}`;
    copyFileSync(join(CORPUS, 'synthetic', name), join(dir, target));
    goodPages.set(target, SCANNED[name]);
  });
  for (const [name, copies] of Object.entries(spec.scannedCopies ?? {})) {
    const ext = extname(name);
    if (ext !== '.pdf') throw new Error(`only PDFs can be copied with distinct content: ${name}`);
    for (let c = 1; c <= copies; c++) {
      const target = `${basename(name, ext)}-copy${c}${ext}`;
      copyFileSync(join(CORPUS, 'synthetic', name), join(dir, target));
      appendFileSync(join(dir, target), `\n% copy ${c}\n`);
      goodPages.set(target, SCANNED[name]);
    }
  }
  for (const [n, p] of await writeMixedDocuments(dir, spec.generated ?? 0, spec.imageEvery ?? 0))
    goodPages.set(n, p);
  const bad = spec.bad === false ? [] : BAD;
  for (const name of bad) copyFileSync(join(CORPUS, 'bad', name), join(dir, name));
  return { goodPages, bad };
}
