/**
 * The throughput page set: the image-only synthetic documents s01–s10 (36 pages). s11 is left out
 * because two of its three pages are born-digital (they would not be OCR'd in `auto` mode).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { probeFile } from '../../src/main/worker/probe.ts';
import { CORPUS_DIR } from './util.ts';

export interface BenchFile {
  /** Stem as in the corpus (`s02-report-5p`), which is also the ground-truth and output name. */
  name: string;
  path: string;
  kind: 'pdf' | 'image';
  ext: string;
  pages: number;
  gtPath: string;
}

export const SYNTHETIC_DIR = path.join(CORPUS_DIR, 'synthetic');

/** One page each of a scanned PDF, a table and a PNG: a smoke run in well under a minute. */
const QUICK = ['s01-letter', 's05-table', 's08-image-png'];

export async function pageSet(quick: boolean): Promise<BenchFile[]> {
  const names = readdirSync(SYNTHETIC_DIR)
    .filter((f) => /^s(0[1-9]|10)-/.test(f) && !f.endsWith('.gt.txt'))
    .sort();
  const files: BenchFile[] = [];
  for (const f of names) {
    const ext = path.extname(f);
    const name = path.basename(f, ext);
    if (quick && !QUICK.includes(name)) continue;
    const full = path.join(SYNTHETIC_DIR, f);
    const probe = await probeFile(full);
    files.push({
      name,
      path: full,
      kind: probe.kind,
      ext: ext.toLowerCase(),
      pages: probe.pageCount,
      gtPath: path.join(SYNTHETIC_DIR, `${name}.gt.txt`),
    });
  }
  return files;
}

export const totalPages = (files: readonly BenchFile[]): number => files.reduce((n, f) => n + f.pages, 0);
