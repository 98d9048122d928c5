import { copyFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/main/engine/engine.ts';
import type { DocumentRow } from '../../src/shared/model.ts';
import { CORPUS, runEngine, tempDir } from '../helpers/engineRun.ts';
import { writeHostileFiles, type HostileFile } from '../helpers/hostileFiles.ts';

/**
 * Hostile inputs through the real engine (real worker processes, real pdf.js and Tesseract, every
 * page rendered: --ocr force) in one batch with a good file: each ends failed with a specific reason
 * or done, none hangs (no TIMEOUT), no worker crashes, and the good file is read as usual.
 */
const work = tempDir('hostile');
const FIXTURES = join(import.meta.dirname, '../fixtures');
const input = join(work, 'in');
let hostile: HostileFile[];
let engine: Engine;
let rows: DocumentRow[];
const byName = (name: string): DocumentRow => rows.find((r) => r.path.endsWith(`/${name}`))!;
const pageErrors = (id: number): { code: string | null; message: string | null }[] =>
  engine.db
    .prepare(
      'SELECT error_code AS code, error_message AS message FROM pages WHERE doc_id = ? ORDER BY page_no',
    )
    .all(id) as { code: string | null; message: string | null }[];

beforeAll(async () => {
  hostile = writeHostileFiles(input);
  for (const f of ['real/hugemono.pdf', 'real/enormous.pdf', 'synthetic/s01-letter.pdf'])
    copyFileSync(join(CORPUS, f), join(input, f.split('/')[1]));
  // Found by the fuzz run: pdf.js's background parsing rejected unhandled and ended the worker.
  copyFileSync(join(FIXTURES, 'fuzz/xref-stray-rejection.pdf'), join(input, 'xref-stray-rejection.pdf'));
  ({ engine, rows } = await runEngine(
    [input],
    join(work, 'out'),
    // A hang would show as TIMEOUT within the test's time; a real page here takes seconds.
    { timeouts: { page: 90_000, probe: 30_000 } },
    { options: { languages: ['eng'], dpi: 300, mode: 'force' } },
  ));
}, 600_000);
afterAll(async () => {
  await engine?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('hostile inputs in one batch', () => {
  it('every file ends in a finished state; none timed out, crashed a worker or ended in an internal error', () => {
    expect(rows).toHaveLength(hostile.length + 4);
    for (const r of rows) {
      expect(['done', 'done-with-errors', 'failed'], r.path).toContain(r.state);
      const codes = [r.error?.code, ...pageErrors(r.id).map((p) => p.code)].filter(Boolean);
      for (const c of codes)
        expect(['TIMEOUT', 'WORKER_CRASHED', 'INTERNAL'], `${r.path}: ${c}`).not.toContain(c);
    }
  });

  it('each hostile file gets the outcome and the specific reason it should', () => {
    const report: string[] = [];
    for (const f of hostile) {
      const r = byName(f.name);
      const pages = pageErrors(r.id);
      report.push(
        `${f.name}: ${r.state} ${r.error?.code ?? ''} ${
          r.error?.message ??
          pages
            .map((p) => p.message)
            .filter(Boolean)
            .join('; ')
        }`,
      );
      if (f.expect.state === 'failed') {
        expect(r.state, f.name).toBe('failed');
        expect(f.expect.codes, f.name).toContain(r.error?.code);
        if (f.expect.message) expect(r.error?.message, f.name).toMatch(f.expect.message);
      } else {
        if (f.expect.state !== 'any-finished') expect(r.state, f.name).toBe(f.expect.state);
        if (f.expect.pageCodes)
          expect(
            pages.map((p) => p.code),
            f.name,
          ).toEqual(f.expect.pageCodes);
      }
      // Whatever failed says why, in words, not a bare code or an internal error.
      for (const m of [r.error?.message, ...pages.map((p) => p.message)].filter(Boolean))
        expect(m!.length, `${f.name}: ${m}`).toBeGreaterThan(20);
    }
    console.log(report.join('\n'));
  });

  it('hugemono.pdf (1.2 gigapixels in 12 KB) is refused with its size, the limit and the option; enormous.pdf is read', () => {
    const huge = byName('hugemono.pdf');
    expect(pageErrors(huge.id)[0]).toMatchObject({
      code: 'TOO_LARGE',
      message: expect.stringMatching(
        /page 1 holds an image of \d+ × \d+ pixels \([\d,]+ megapixels\); the limit is 150 megapixels; .*--max-image-mpixels \d+/,
      ) as unknown,
    });
    const enormous = byName('enormous.pdf');
    expect(enormous.state).toBe('done');
    expect(readFileSync(join(work, 'out', 'enormous.txt'), 'utf8')).toMatch(/\w{3,}/);
  });

  it('JavaScript in a PDF is never run: the page is read like any other', () => {
    expect(readFileSync(join(work, 'out', 'pdf-javascript.txt'), 'utf8')).toMatch(/JavaScript/i);
  });

  it('the good file in the batch is read as usual, and only finished documents have outputs', () => {
    expect(byName('s01-letter.pdf').state).toBe('done');
    const gt = readFileSync(join(CORPUS, 'synthetic/s01-letter.gt.txt'), 'utf8');
    const text = readFileSync(join(work, 'out', 's01-letter.txt'), 'utf8');
    expect(text).toContain(
      gt
        .split('\n')
        .find((l) => l.length > 30)!
        .slice(0, 25),
    );
    const outputs = readdirSync(join(work, 'out'));
    for (const r of rows.filter((x) => x.state === 'failed')) {
      const stem = r.path
        .split('/')
        .pop()!
        .replace(/\.\w+$/, '');
      expect(
        outputs.filter((o) => o.startsWith(`${stem}.`)),
        r.path,
      ).toEqual([]);
    }
  });
});
