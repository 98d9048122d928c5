import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  utimesSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engineRun.ts';

/**
 * A re-run of `bulk-ocr run` over files the queue has already done, after someone deleted or edited
 * their outputs: a deleted output is written again from the stored results (no page recognised
 * again), an edited one is kept and the message names --overwrite, and --overwrite replaces it.
 * Real worker processes, real Tesseract, a real SQLite file, on the repository's sample scans.
 */
const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
const SAMPLES = resolve(import.meta.dirname, '../../samples');

interface RunJson {
  ok: boolean;
  pages: { done: number; thisRun: number };
  outputs: string[];
  rewritten: { rebuilt: string[]; replaced: string[]; kept: string[] };
}

const work = tempDir('rebuild');
const input = join(work, 'in');
const out = join(work, 'out');
const db = join(work, 'queue.db');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(...extra: string[]): { status: number | null; stderr: string; summary: RunJson } {
  const r = spawnSync(process.execPath, [BIN, 'run', input, '--out', out, '--db', db, '--json', ...extra], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  let summary: RunJson;
  try {
    summary = JSON.parse(r.stdout) as RunJson;
  } catch {
    throw new Error(`bulk-ocr run printed no summary (exit ${r.status}): ${r.stderr}`);
  }
  return { status: r.status, stderr: r.stderr, summary };
}

/** When each page was recognised: a page recognised again would get a new time. */
function recognitionTimes(): unknown[] {
  const raw = new Database(db, { readonly: true });
  try {
    return raw.prepare('SELECT doc_id, page_no, attempts, finished_at FROM pages ORDER BY id').all();
  } finally {
    raw.close();
  }
}

const txt = join(out, 'letter.txt');
const pdf = join(out, 'letter.pdf');
let original: { txt: string; pdf: Buffer };
let recognised: unknown[];

beforeAll(() => {
  mkdirSync(input, { recursive: true });
  for (const f of ['letter.pdf', 'memo.tif']) copyFileSync(join(SAMPLES, f), join(input, f));
  const first = run();
  expect(first.status, first.stderr).toBe(0);
  expect(first.summary.outputs).toEqual(expect.arrayContaining([txt, pdf]));
  original = { txt: readFileSync(txt, 'utf8'), pdf: readFileSync(pdf) };
  expect(original.txt).toMatch(/\w{4,}/);
  recognised = recognitionTimes();
}, 300_000);

describe('a re-run over outputs deleted or edited since they were written', () => {
  it('writes a deleted output again from the stored results, without recognising a page again', () => {
    unlinkSync(txt);
    const again = run();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/2 of 2 files were already done/);
    expect(again.stderr).toMatch(
      /Rebuilding 1 output that was missing, from the stored results \(no OCR again\): .*letter\.txt/,
    );
    expect(again.summary.rewritten.rebuilt).toEqual([txt]);
    expect(again.stderr).toMatch(/^rebuilt +.*letter\.pdf \(1 page\)$/m);
    expect(again.summary.pages.thisRun).toBe(0);
    expect(recognitionTimes(), 'no page recognised again').toEqual(recognised);
    expect(readFileSync(txt, 'utf8')).toBe(original.txt);
    expect(readFileSync(pdf).equals(original.pdf), 'the PDF that was there is left as it was').toBe(true);
  });

  it('keeps an output someone edited, names --overwrite, and still rebuilds what is missing beside it', () => {
    appendFileSync(txt, '\nChecked by Ana, 3 May.\n');
    const edited = readFileSync(txt, 'utf8');
    unlinkSync(pdf);
    const again = run();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      /Kept 1 output changed since it was written: .*letter\.txt\. Run again with --overwrite/,
    );
    expect(again.stderr).toMatch(/Rebuilding 1 output that was missing.*letter\.pdf/);
    expect(again.summary.rewritten).toEqual({ rebuilt: [pdf], replaced: [], kept: [txt] });
    expect(readFileSync(txt, 'utf8'), 'the edit is kept').toBe(edited);
    expect(readFileSync(pdf).equals(original.pdf), 'the PDF is rebuilt as it was').toBe(true);
    expect(recognitionTimes()).toEqual(recognised);
  });

  it('leaves an edited output alone on every plain re-run, and counts a file only touched as unchanged', () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(pdf, later, later); // copied back, say: same bytes, new time
    const again = run();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Kept 1 output changed since it was written: .*letter\.txt/);
    expect(again.stderr).not.toMatch(/Rebuilding/);
    expect(again.summary.rewritten).toEqual({ rebuilt: [], replaced: [], kept: [txt] });
  });

  it('replaces the edited output with --overwrite, from the stored results', () => {
    const again = run('--overwrite');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      /Replacing 1 output changed since it was written \(--overwrite\): .*letter\.txt/,
    );
    expect(again.summary.rewritten.replaced).toEqual([txt]);
    expect(readFileSync(txt, 'utf8')).toBe(original.txt);
    expect(recognitionTimes()).toEqual(recognised);

    const calm = run();
    expect(calm.stderr).toMatch(/Their outputs are in place, as they were written\./);
    expect(calm.summary.rewritten).toEqual({ rebuilt: [], replaced: [], kept: [] });
  });
});
