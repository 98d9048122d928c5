import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS, tempDir } from '../helpers/engineRun.ts';
import { searchIndexProblems } from '../../src/main/engine/store/search.ts';

/**
 * Search over real OCR, through the command line: `bulk-ocr run` is killed with SIGKILL mid-run
 * (the index must hold exactly the pages recorded, or have them queued), run again to the end,
 * and `bulk-ocr search` then finds a phrase of page 7 of the 20-page report as its first hit,
 * with the page and a snippet that marks it; case does not matter; pages that kept their own text
 * layer are found too.
 */
const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
const work = tempDir('search');
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface JsonHit {
  file: string;
  page: number;
  snippet: string;
  hits: [number, number][];
}
interface JsonResults {
  total: number;
  problem: string | null;
  hits: JsonHit[];
  index: { pending: number; building: unknown };
}

function search(db: string, ...args: string[]): { status: number | null; out: JsonResults; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'search', ...args, '--db', db, '--json'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: JSON.parse(r.stdout) as JsonResults, stderr: r.stderr };
}

const marked = (h: JsonHit): string[] => h.hits.map(([s, e]) => h.snippet.slice(s, e));
const name = (h: JsonHit): string => h.file.split('/').pop()!;

function donePages(db: string): number {
  if (!existsSync(db)) return 0;
  const conn = new Database(db, { readonly: true });
  try {
    return (conn.prepare(`SELECT count(*) AS n FROM pages WHERE state = 'done'`).get() as { n: number }).n;
  } catch {
    return 0; // not migrated yet
  } finally {
    conn.close();
  }
}

describe('search over real OCR', () => {
  it('finds a phrase of page 7 first, with its snippet, after a SIGKILL mid-run and a rerun', async () => {
    const input = join(work, 'in');
    const out = join(work, 'out');
    const db = join(work, 'queue.db');
    // The minutes in a folder of their own and a year older than the report, for the filters.
    const minutes = join(input, 'minutes');
    mkdirSync(minutes, { recursive: true });
    copyFileSync(join(CORPUS, 'synthetic/s03-report-20p.pdf'), join(input, 's03-report-20p.pdf'));
    copyFileSync(join(CORPUS, 'synthetic/s11-mixed-3p.pdf'), join(minutes, 's11-mixed-3p.pdf'));
    const day = (y: number, m: number, d: number): Date => new Date(y, m - 1, d, 12);
    utimesSync(join(input, 's03-report-20p.pdf'), day(2024, 3, 15), day(2024, 3, 15));
    utimesSync(join(minutes, 's11-mixed-3p.pdf'), day(2023, 5, 2), day(2023, 5, 2));

    const child = spawn(process.execPath, [BIN, 'run', input, '--out', out, '--db', db], {
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, signal) => r(signal)));
    for (let i = 0; i < 1_200 && donePages(db) < 5; i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // Killed between any two statements: every recorded page is in the index or queued for it
    // (same transaction), and nothing else is in it.
    const raw = new Database(db);
    try {
      const done = (
        raw.prepare(`SELECT count(*) AS n FROM pages WHERE state = 'done'`).get() as { n: number }
      ).n;
      expect(done).toBeGreaterThanOrEqual(5);
      expect(done).toBeLessThan(23);
      expect(searchIndexProblems(raw)).toEqual({ missing: [], extra: [] });
    } finally {
      raw.close();
    }

    const again = spawnSync(process.execPath, [BIN, 'run', input, '--out', out, '--db', db], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(again.status, again.stderr).toBe(0);

    // A run that ends leaves its pages searchable: nothing waits, nothing to add first.
    const phrase = search(db, '"vehicles rose from 386 to 2830"');
    expect(phrase.status, phrase.stderr).toBe(0);
    expect(phrase.stderr).not.toMatch(/Adding/);
    expect(phrase.out.index).toEqual({ pending: 0, building: null });
    expect(phrase.out.hits.length).toBe(1);
    expect(name(phrase.out.hits[0])).toBe('s03-report-20p.pdf');
    expect(phrase.out.hits[0].page).toBe(7);
    expect(marked(phrase.out.hits[0])).toEqual(['vehicles rose from 386 to 2830']);

    // Words anywhere on the page, in any case, ranked: page 7 has all three, and comes first.
    const words = search(db, 'QUOTE', 'Reference', '11819');
    expect(words.out.hits[0]).toMatchObject({ page: 7 });
    expect(name(words.out.hits[0])).toBe('s03-report-20p.pdf');
    expect(marked(words.out.hits[0]).map((m) => m.toLowerCase())).toEqual(
      expect.arrayContaining(['quote', 'reference', '11819']),
    );

    // (Accents: Tesseract reads this page's "Søren Lindström" as "Sgren Lindstrém", so folding is
    // shown on the letter in test/e2e/search.test.ts and on given texts in test/unit/search-store.)

    // A page whose own text layer was kept (s11 page 1) is indexed like a recognised one.
    const layer = search(db, '"temporary invoice costs"');
    expect(layer.out.hits.map((h) => `${name(h)}:${h.page}`)).toEqual(['s11-mixed-3p.pdf:1']);

    // Paged: --limit and --offset walk through the same ranked list without gaps or repeats.
    const everyPage = search(db, 'the', '--limit', '100');
    expect(everyPage.out.total).toBeGreaterThan(12);
    const ranked = everyPage.out.hits.map((h) => `${name(h)}:${h.page}`);
    const paged: string[] = [];
    for (let offset = 0; offset < everyPage.out.total; offset += 5) {
      const r = search(db, 'the', '--limit', '5', '--offset', String(offset));
      expect(r.out.total).toBe(everyPage.out.total);
      expect(r.out.hits.length).toBe(Math.min(5, everyPage.out.total - offset));
      paged.push(...r.out.hits.map((h) => `${name(h)}:${h.page}`));
    }
    expect(paged).toEqual(ranked);

    // Filters: the folder (any depth, given relative to where the command runs) and the file's date.
    const where = (...args: string[]): string[] =>
      [...new Set(search(db, 'invoice', '--limit', '100', ...args).out.hits.map(name))].sort();
    expect(where()).toEqual(['s03-report-20p.pdf', 's11-mixed-3p.pdf']);
    expect(where('--folder', minutes)).toEqual(['s11-mixed-3p.pdf']);
    expect(where('--folder', input)).toEqual(['s03-report-20p.pdf', 's11-mixed-3p.pdf']);
    expect(where('--from', '2024-01-01')).toEqual(['s03-report-20p.pdf']);
    expect(where('--to', '2023-12-31')).toEqual(['s11-mixed-3p.pdf']);
    expect(where('--from', '2023-05-02', '--to', '2023-05-02')).toEqual(['s11-mixed-3p.pdf']);
    expect(where('--folder', minutes, '--from', '2024-01-01')).toEqual([]);
    const relative = spawnSync(
      process.execPath,
      [BIN, 'search', 'invoice', '--folder', 'minutes', '--db', db, '--json'],
      { cwd: input, encoding: 'utf8', timeout: 60_000 },
    );
    const rel = JSON.parse(relative.stdout) as JsonResults;
    expect(new Set(rel.hits.map(name))).toEqual(new Set(['s11-mixed-3p.pdf']));

    // A word to leave out may start with any letter (no short option swallows "-northern"):
    // page 1 of the minutes has "northern", so the phrase is not found with it excluded.
    expect(search(db, '"temporary invoice costs"', '-northern').out.total).toBe(0);
    expect(search(db, '"temporary invoice costs"', '-nowhere').out.total).toBe(1);

    // Exit codes, and what is not searchable says why (never a stack, never an SQL error).
    const none = search(db, 'zebra', 'lighthouse');
    expect(none.status).toBe(1);
    expect(none.out).toMatchObject({ total: 0, problem: null, hits: [] });
    for (const [args, message] of [
      [['" ( * ; )'], /^Type a word to search for\.$/],
      [['-invoice'], /^Add a word to look for/],
      [['invoice', '--from', '2024-13-01'], /is not a date: use YYYY-MM-DD\.$/],
      [['invoice', '--from', '2024-02-01', '--to', '2024-01-01'], /wrong way round/],
    ] as const) {
      const r = search(db, ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.out.problem, args.join(' ')).toMatch(message);
    }
    // Hostile text is text: SQL, FTS5 syntax and stray quotes find what their words find.
    for (const q of [
      "'; DROP TABLE pages; --",
      'NEAR(reference quote',
      '"unbalanced reference',
      'reference*;',
    ])
      expect(search(db, q).status, q).not.toBe(2);
    // `NEAR(` is the word near; punctuation inside a word joins its parts as a phrase, as in
    // INV-30687/G, so `NEAR(reference` is the phrase "near reference".
    const asWords = search(db, 'near reference quote').out;
    expect(asWords.total).toBeGreaterThan(0);
    expect(search(db, 'NEAR( reference quote').out.hits).toEqual(asWords.hits);
    expect(search(db, 'NEAR(reference').out.hits).toEqual(search(db, '"near reference"').out.hits);

    // For people: the file, the page of how many, the passage; a problem on stderr in words.
    const human = spawnSync(process.execPath, [BIN, 'search', '"vehicles rose from 386"', '--db', db], {
      encoding: 'utf8',
    });
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('1 page matches');
    expect(human.stdout).toContain(`${join(input, 's03-report-20p.pdf')}  page 7 of 20`);
    expect(human.stdout).toMatch(/vehicles rose from 386 to 2830/);
    const problem = spawnSync(process.execPath, [BIN, 'search', '*', '--db', db], { encoding: 'utf8' });
    expect(problem.status).toBe(2);
    expect(problem.stderr).toContain('bulk-ocr: Type a word to search for.');

    const conn = new Database(db, { readonly: true });
    try {
      expect(searchIndexProblems(conn)).toEqual({ missing: [], extra: [] });
      expect(conn.prepare(`SELECT count(*) AS n FROM page_search_docsize`).get()).toEqual({ n: 23 });
    } finally {
      conn.close();
    }
  }, 600_000); // 23 pages of real OCR, twice started
});
