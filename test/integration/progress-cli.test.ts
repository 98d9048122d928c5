import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, tempDir } from '../helpers/engineRun.ts';

/**
 * The progress a user reads in a log (stderr not a terminal) during a real `bulk-ocr run`: real
 * workers, real Tesseract, a real queue file. The total is known before the first bar line and
 * never changes; the share done never goes back.
 */
const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
const FILES = { 's01-letter.pdf': 1, 's02-report-5p.pdf': 5, 's11-mixed-3p.pdf': 3 };
const PAGES = Object.values(FILES).reduce((a, b) => a + b, 0);

const work = tempDir('progress-cli');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('bulk-ocr run progress lines', () => {
  let status: number | null;
  let lines: string[];

  beforeAll(() => {
    const input = join(work, 'in');
    mkdirSync(input, { recursive: true });
    for (const f of Object.keys(FILES)) copyFileSync(join(CORPUS, 'synthetic', f), join(input, f));
    // 150 dpi and text only: the pages are what is measured here, not the recognition.
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'run',
        input,
        '--out',
        join(work, 'out'),
        '--db',
        join(work, 'queue.db'),
        '--dpi',
        '150',
        '-f',
        'txt',
      ],
      { encoding: 'utf8', timeout: 300_000 },
    );
    status = r.status;
    lines = r.stderr.split('\n').filter((l) => l.startsWith('progress: '));
  });

  it('knows the total before the bar starts, and the share done never goes back', () => {
    expect(status).toBe(0);
    const bar = lines
      .map((l) => /^progress: (\d+)%, (\d+)\/(\d+) pages?/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ percent: Number(m[1]), done: Number(m[2]), total: Number(m[3]) }));
    // A line at each tenth passed: one per page here, at least a start, some middle and the end.
    expect(bar.length).toBeGreaterThanOrEqual(4);
    for (const b of bar) expect(b.total).toBe(PAGES);
    for (let i = 1; i < bar.length; i++) {
      expect(bar[i].done).toBeGreaterThanOrEqual(bar[i - 1].done);
      expect(bar[i].percent).toBeGreaterThanOrEqual(bar[i - 1].percent);
    }
    expect(bar.at(-1)).toMatchObject({ percent: 100, done: PAGES });
    // Lines before the total is known say so, and come before any bar line.
    const firstBar = lines.findIndex((l) => /^progress: \d+%/.test(l));
    for (const l of lines.slice(0, firstBar))
      expect(l).toMatch(/^progress: counting pages… \(\d+ of 3 files opened\)/);
    for (const l of lines.slice(firstBar)) expect(l).not.toMatch(/counting/);
  });
});
