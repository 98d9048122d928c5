import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { SearchIndexStatus } from '../../src/shared/api.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import { closeDatabase, openDatabase } from '../../src/main/engine/store/db.ts';
import { migrations } from '../../src/main/engine/store/migrations/index.ts';
import { up as searchMigration } from '../../src/main/engine/store/migrations/0004-search.ts';
import { searchIndexProblems, wordListComplete } from '../../src/main/engine/store/search.ts';
import { tempDir } from '../helpers/engineRun.ts';

/**
 * A database from before search, with thousands of recognised pages: upgrading it only notes what
 * to index; the index is built afterwards in chunks — by the engine in the background while it
 * answers calls, or by `bulk-ocr search` with its progress on stderr — and a build killed with
 * SIGKILL carries on from its last chunk.
 */
const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
const PAGES = 12_000;
const work = tempDir('search-build');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Page text: a real page of the corpus's kind (~1,700 characters) and a word of its own. */
const BODY =
  'Further details can be obtained from the research group in Harwick, telephone (091) 810 2204. Only 265 of ' +
  'the 9396 vehicles were checked; the rest were published. Temperatures in Thornbury ranged from -6°C to 34°C ' +
  'during the regional clinic. According to the archive, about 19% of the documents in Bellmoor were rejected ' +
  'formally. Please quote reference PO-11819/B in all letters about the original warehouse. The small timetable ' +
  '(see section 8.7) was prepared by Helen Vance and Peter Quinn. No volunteers were archived in Oakridge last ' +
  'October, as the invoice was closed. Between 2008 and 2031, the number of vehicles rose from 386 to 2830. ' +
  'According to the index, about 24% of the boxes in Redcliffe were repaired quietly. Work on the reliable ' +
  'sample began at 18:05 and was archived by 14:57. In 1999 the records office delayed 442 complete visitors ' +
  'and 39 records. The original shipment will cost $33,857.50, which is 12 percent more than last year. ' +
  'According to the catalogue, about 62% of the letters in Stonehaven were reviewed partly.';

function oldDatabase(path: string): void {
  const old = openDatabase(path, { migrations: migrations.slice(0, migrations.indexOf(searchMigration)) });
  const doc = old.prepare(
    `INSERT INTO documents (id, path, root, size, mtime_ms, kind, page_count, priority, state, source, options,
       output, output_stem, pages_done, created_at, updated_at)
     VALUES (?, ?, '/scans', 1, 1700000000000, 'pdf', 100, 5, 'done', 'cli', '{"languages":["eng"],"dpi":300,"mode":"auto"}',
       '{"formats":["txt"],"overwrite":false,"stem":"x"}', ?, 100, 1, 1)`,
  );
  const page = old.prepare(
    `INSERT INTO pages (doc_id, page_no, priority, state, text, source) VALUES (?, ?, 5, 'done', ?, 'ocr')`,
  );
  old.transaction(() => {
    for (let d = 1; d <= PAGES / 100; d++) {
      doc.run(d, `/scans/report-${d}.pdf`, `x${d}`);
      for (let p = 1; p <= 100; p++) page.run(d, p, `Page tag${(d - 1) * 100 + p}. ${BODY}`);
    }
  })();
  closeDatabase(old);
}

function backfill(path: string): {
  next: number;
  end: number;
  problems: ReturnType<typeof searchIndexProblems>;
} {
  const raw = new Database(path);
  try {
    const b = raw.prepare('SELECT next_id, end_id FROM search_backfill').get() as {
      next_id: number;
      end_id: number;
    };
    return { next: b.next_id, end: b.end_id, problems: searchIndexProblems(raw) };
  } finally {
    raw.close();
  }
}

describe('the index of an upgraded database', () => {
  it('bulk-ocr search builds it with progress; killed mid-way, the next one carries on', async () => {
    const db = join(work, 'cli.db');
    oldDatabase(db);
    const child = spawn(process.execPath, [BIN, 'search', 'tag11999', '--db', db], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, signal) => r(signal)));
    await new Promise<void>((ready, fail) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // The first progress line short of 100% (a line per 10% into a pipe; a fast chunk may skip one).
        if (/search index: [1-9]0%/.test(stderr)) ready();
      });
      // 'close': after the last of its output was read (the first line may come with the exit).
      child.on('close', () => fail(new Error(`search ended before its first progress line:\n${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(stderr).toMatch(/Adding 12,000 pages to the search index first/);

    const killed = backfill(db);
    expect(killed.next).toBeGreaterThan(0);
    expect(killed.next).toBeLessThan(killed.end);
    expect(killed.problems).toEqual({ missing: [], extra: [] });
    const status = spawnSync(process.execPath, [BIN, 'status', '--db', db], { encoding: 'utf8' });
    expect(status.stdout).toMatch(/^Search index: being built, [1-9]\d?% \(it goes on when Bulk OCR runs/m);

    const again = spawnSync(process.execPath, [BIN, 'search', 'tag11999', '--db', db, '--json'], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(again.status, again.stderr).toBe(0);
    const left = Number(/Adding ([\d,]+) page/.exec(again.stderr)![1].replace(/,/g, ''));
    expect(left).toBe(killed.end - killed.next);
    const out = JSON.parse(again.stdout) as { hits: { file: string; page: number }[] };
    expect(out.hits.map((h) => `${h.file}:${h.page}`)).toEqual(['/scans/report-120.pdf:99']);
    const done = backfill(db);
    expect(done.next).toBe(done.end);
    expect(done.problems).toEqual({ missing: [], extra: [] });
  }, 300_000);

  it('the engine builds it in the background, answering calls and searches meanwhile', async () => {
    const db = join(work, 'engine.db');
    oldDatabase(db);
    const engine = new Engine({ dbPath: db, spawn: forkSpawner(), jobs: 1 });
    try {
      const progress: SearchIndexStatus[] = [];
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 1);
      const built = new Promise<void>((done) =>
        engine.events.on('search', (s) => {
          progress.push(s);
          if (!s.building) done();
        }),
      );
      engine.start();
      expect(engine.read.searchStatus().building).toEqual({ done: 0, total: PAGES });
      // Half-way, the engine answers: the queue, and a search over what is indexed so far.
      await new Promise<void>((r) => {
        const check = (s: SearchIndexStatus): void => {
          if (s.building && s.building.done > PAGES / 4) {
            engine.events.off('search', check);
            r();
          }
        };
        engine.events.on('search', check);
      });
      expect(engine.read.counts().pages.done).toBe(PAGES);
      const partial = engine.read.search({ query: 'tag1' });
      expect(partial.hits.length).toBeGreaterThan(0);
      expect(partial.index.building).not.toBeNull();
      const ticksMidway = ticks;
      await built;
      clearInterval(ticker);
      // The event loop ran between chunks all along (a 1 ms timer kept firing), and the progress
      // moved forward step by step.
      expect(ticks).toBeGreaterThan(ticksMidway);
      const dones = progress.filter((p) => p.building).map((p) => p.building!.done);
      expect(dones.length).toBeGreaterThan(2);
      expect([...dones].sort((a, b) => a - b)).toEqual(dones);
      expect(engine.read.search({ query: 'tag11999' }).hits.map((h) => h.pageNo)).toEqual([99]);
      expect(engine.read.searchStatus()).toEqual({ pending: 0, building: null });
    } finally {
      await engine.stop();
    }
    expect(backfill(db).problems).toEqual({ missing: [], extra: [] });
  }, 300_000);

  it('the engine adds the words of an index from schema 5 to its word list, prefixes found all along', async () => {
    const db = join(work, 'schema-5.db');
    copyFileSync(resolve(import.meta.dirname, '../fixtures/db/schema-5.db'), db);
    const engine = new Engine({ dbPath: db, spawn: forkSpawner(), jobs: 1 });
    try {
      expect(engine.read.search({ query: 'mull*' }).hits.map((h) => h.path)).toEqual([
        expect.stringMatching(/done\.pdf$/),
      ]);
      engine.start();
      const check = openDatabase(db);
      try {
        for (let i = 0; i < 300 && !wordListComplete(check); i++)
          await new Promise((r) => setTimeout(r, 100));
        expect(wordListComplete(check)).toBe(true);
      } finally {
        closeDatabase(check);
      }
      expect(engine.read.search({ query: 'mull*' }).hits.map((h) => h.path)).toEqual([
        expect.stringMatching(/done\.pdf$/),
      ]);
    } finally {
      await engine.stop();
    }
  }, 120_000);
});
