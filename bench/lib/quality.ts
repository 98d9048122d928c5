/**
 * Accuracy with and without preprocessing (orientation, deskew, rule removal, photos, specks), in
 * process: every file of the corpus that has ground truth (synthetic/, real/ and photo/) is OCR'd page by page through
 * the worker's own `ocrPage` with one warm recogniser, once with the steps on ("ours") and once
 * with all of them off ("plain": the same tesseract.js, model and page segmentation, nothing
 * else). Every page is recognised (`force`), so born-digital pages are compared as OCR too.
 * Per-page CER comes from the same normalisation as corpus/cer.py; file totals from cer.py.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { OcrOptions } from '../../src/shared/model.ts';
import { openDocument } from '../../src/main/worker/pdfDocument.ts';
import { ocrPageDetailed } from '../../src/main/worker/ocrPage.ts';
import type { Recognizer } from '../../src/main/worker/recognize.ts';
import type { PreprocessReport } from '../../src/main/worker/preprocess/preprocess.ts';
import { cer as pageCer, groundTruthPage } from '../../test/helpers/cer.ts';
import { CORPUS_DIR } from './util.ts';

export interface QualityFile {
  /** `synthetic/s05-table`, `real/skew`. */
  name: string;
  path: string;
  gtPath: string;
  /** real/ keeps printed typography in its ground truth: scored with cer.py --loose. */
  loose: boolean;
}

export interface QualityPage {
  pageNo: number;
  cer: number;
  recognizeMs: number;
  /** CPU time of the whole page (render, preprocess, recognise: Tesseract's thread is ours too), ms. */
  cpuMs: number;
  preprocess: PreprocessReport | null;
}

export interface QualityRun {
  label: string;
  texts: Map<string, string>;
  pages: Map<string, QualityPage[]>;
}

/** Real files left out: `enormous` is a 30-inch page (memory test, minutes of OCR for 3 words). */
const SKIP_REAL = new Set(['enormous']);

export function qualityFiles(only?: readonly string[]): QualityFile[] {
  const out: QualityFile[] = [];
  for (const sub of ['synthetic', 'real', 'photo']) {
    const dir = path.join(CORPUS_DIR, sub);
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.gt.txt') || f.endsWith('.md') || f.endsWith('.json')) continue;
      const stem = f.replace(/\.[^.]+$/, '');
      const gtPath = path.join(dir, `${stem}.gt.txt`);
      if (!existsSync(gtPath) || (sub === 'real' && SKIP_REAL.has(stem))) continue;
      const name = `${sub}/${stem}`;
      if (only && !only.some((o) => name.includes(o))) continue;
      out.push({ name, path: path.join(dir, f), gtPath, loose: sub === 'real' });
    }
  }
  return out;
}

export async function runQuality(
  label: string,
  files: readonly QualityFile[],
  options: OcrOptions,
  recognizer: Recognizer,
  onPage?: (file: QualityFile, page: QualityPage) => void,
): Promise<QualityRun> {
  const run: QualityRun = { label, texts: new Map(), pages: new Map() };
  for (const file of files) {
    const gt = readFileSync(file.gtPath, 'utf8');
    const doc = await openDocument(file.path);
    const texts: string[] = [];
    const pages: QualityPage[] = [];
    try {
      for (let p = 1; p <= doc.pageCount; p++) {
        const cpu = process.cpuUsage();
        const { result, preprocess } = await ocrPageDetailed(doc, p, options, recognizer);
        const used = process.cpuUsage(cpu);
        texts.push(result.text);
        const page: QualityPage = {
          pageNo: p,
          cer: pageCer(groundTruthPage(gt, p), result.text).rate,
          recognizeMs: result.timings.recognize ?? 0,
          cpuMs: (used.user + used.system) / 1000,
          preprocess,
        };
        pages.push(page);
        onPage?.(file, page);
      }
    } finally {
      await doc.close();
    }
    run.texts.set(file.name, texts.join('\f'));
    run.pages.set(file.name, pages);
  }
  return run;
}
