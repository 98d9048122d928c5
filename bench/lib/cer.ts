/**
 * Character error rate with the corpus's own scorer (`cer.py --batch --json`), over a chosen set
 * of ground-truth files (symlinked into a folder of their own, so a file left out of a run is not
 * counted as missing).
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CORPUS_DIR, execOk, freshDir } from './util.ts';

export interface CerRow {
  file: string;
  cer: number;
  wer: number;
  char_errors: number;
  gt_chars: number;
  missing: boolean;
}

export interface CerResult {
  files: CerRow[];
  total: { files: number; missing: number; cer: number; wer: number; gt_chars: number };
}

export function groundTruthDir(dir: string, gtPaths: readonly string[]): string {
  freshDir(dir);
  for (const p of gtPaths) symlinkSync(p, path.join(dir, path.basename(p)));
  return dir;
}

export function writeTexts(dir: string, texts: ReadonlyMap<string, string>): string {
  freshDir(dir);
  for (const [name, text] of texts) writeFileSync(path.join(dir, `${name}.txt`), text);
  return dir;
}

export async function scoreCer(gtDir: string, ocrDir: string): Promise<CerResult> {
  const r = await execOk('python3', [path.join(CORPUS_DIR, 'cer.py'), '--batch', '--json', gtDir, ocrDir]);
  return JSON.parse(r.stdout) as CerResult;
}
