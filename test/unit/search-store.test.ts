import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PageResult } from '../../src/shared/model.ts';
import { closeDatabase, openDatabase, type Db } from '../../src/main/engine/store/db.ts';
import {
  cancelDocuments,
  insertDocuments,
  removeDocuments,
  retryDocuments,
  type NewDocument,
} from '../../src/main/engine/store/documents.ts';
import {
  claimNext,
  completeExport,
  completePage,
  completeProbe,
  failPage,
  type Task,
} from '../../src/main/engine/store/tasks.ts';
import { migrations } from '../../src/main/engine/store/migrations/index.ts';
import { up as searchMigration } from '../../src/main/engine/store/migrations/0004-search.ts';
import {
  ftsQuery,
  indexChunk,
  searchIndexProblems,
  searchIndexStatus,
  searchPages,
} from '../../src/main/engine/store/search.ts';

/**
 * The search index in the queue database, through the store's own calls (no OCR: pages are
 * recorded with given texts): what is recorded becomes searchable, what is removed, redone or
 * cancelled stops or keeps being so, an upgraded database builds its index in resumable chunks,
 * and no query string can make SQLite fail.
 */
const OWNER = 'engine-a';
const FIXTURES = resolve(import.meta.dirname, '../fixtures/db');
let dir: string;
let db: Db;
let now: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulk-ocr-search-'));
  db = openDatabase(join(dir, 'queue.db'));
  now = 1_700_000_000_000;
});
afterEach(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

function doc(path: string, mtimeMs = Date.UTC(2024, 2, 15, 12)): NewDocument {
  return {
    path,
    root: '/in',
    size: 1000,
    mtimeMs,
    priority: 5,
    source: 'cli',
    options: { languages: ['eng'], dpi: 300, mode: 'auto' },
    output: { formats: ['txt'], stem: path.replace(/\.\w+$/, ''), overwrite: false },
  };
}

function page(text: string): PageResult {
  return {
    text,
    words: [],
    meanConfidence: 90,
    source: 'ocr',
    width: 100,
    height: 100,
    dpi: 300,
    timings: { total: 1 },
  };
}

/** The next task of this kind; exports met on the way are done (they would come first). */
function claim<K extends Task['kind']>(kind: K): Extract<Task, { kind: K }> {
  for (;;) {
    const t = claimNext(db, OWNER, ++now, 60_000);
    if (t?.kind === 'export') completeExport(db, t.docId, OWNER, [], ++now);
    else if (t?.kind === kind) return t as Extract<Task, { kind: K }>;
    else throw new Error(`expected a ${kind}, got ${t?.kind ?? 'nothing'}`);
  }
}

/** Queues a document and records its pages with these texts (a failed page for `null`). */
function record(path: string, texts: (string | null)[], mtimeMs?: number): number {
  const [{ id }] = insertDocuments(db, [doc(path, mtimeMs)], now);
  expect(claim('probe').docId).toBe(id);
  completeProbe(
    db,
    id,
    OWNER,
    { kind: 'pdf', pageCount: texts.length, sha256: path, size: 1000, mtimeMs: mtimeMs ?? 1 },
    ++now,
  );
  for (const text of texts) {
    const t = claim('page');
    if (text === null)
      failPage(
        db,
        t.pageId,
        OWNER,
        { code: 'OCR_FAILED', message: 'unreadable' },
        { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
        ++now,
      );
    else completePage(db, t.pageId, OWNER, page(text), ++now);
  }
  const exp = claimNext(db, OWNER, ++now, 60_000); // exports are claimed first: this document's
  if (exp?.kind !== 'export' || exp.docId !== id) throw new Error('expected the export');
  completeExport(db, id, OWNER, [], ++now);
  return id;
}

function indexAll(): void {
  for (let i = 0; i < 1_000 && indexChunk(db, 50).more; i++);
}

const found = (query: string, extra: object = {}): string[] =>
  searchPages(db, { query, ...extra }).hits.map((h) => `${h.path.split('/').pop()}:${h.pageNo}`);

describe('the search index', () => {
  it('a recorded page is queued with it, and searchable once the indexer has run', () => {
    record('/in/a.pdf', ['Invoice INV-30687/G from Jürgen Müller', 'Nothing to see here']);
    expect(searchIndexStatus(db)).toEqual({ pending: 2, building: null });
    expect(found('muller')).toEqual([]);
    indexAll();
    expect(searchIndexStatus(db)).toEqual({ pending: 0, building: null });
    expect(found('muller')).toEqual(['a.pdf:1']);
    expect(found('MÜLLER jurgen')).toEqual(['a.pdf:1']);
    expect(found('"inv 30687"')).toEqual(['a.pdf:1']);
    expect(found('invo*')).toEqual(['a.pdf:1']);
    expect(found('see -invoice')).toEqual(['a.pdf:2']);
    expect(found('muller OR nothing').sort()).toEqual(['a.pdf:1', 'a.pdf:2']);
    const hit = searchPages(db, { query: 'jurgen' }).hits[0];
    expect(hit.snippet.hits.map(([s, e]) => hit.snippet.text.slice(s, e))).toEqual(['Jürgen']);
    expect(searchIndexProblems(db)).toEqual({ missing: [], extra: [] });
  });

  it('finds a phrase that runs across a line end, marked as one passage', () => {
    record('/in/a.pdf', ['Between 2008 and 2031, the number of\nvehicles rose from 386 to 2830.\nNext line']);
    record('/in/b.pdf', ['the number\n\nof cars and of\nvehicles']);
    indexAll();
    expect(found('"number of vehicles rose"')).toEqual(['a.pdf:1']);
    const hit = searchPages(db, { query: '"number of vehicles rose"' }).hits[0];
    expect(hit.snippet.hits.map(([s, e]) => hit.snippet.text.slice(s, e))).toEqual([
      'number of vehicles rose',
    ]);
    expect(found('"of vehicles"').sort()).toEqual(['a.pdf:1', 'b.pdf:1']);
  });

  it('stays true through remove, cancel and a redo of a replaced file', () => {
    const a = record('/in/a.pdf', ['alpha one', 'alpha two']);
    const b = record('/in/b.pdf', ['beta one', null]);
    indexAll();
    expect(found('alpha').length).toBe(2);

    removeDocuments(db, [a], ++now);
    expect(found('alpha')).toEqual([]); // at once, not after the indexer
    expect(searchIndexProblems(db)).toEqual({ missing: [], extra: [] });

    // Retrying the failed page: it is queued, recognised again, and joins the index.
    retryDocuments(db, [b], ++now);
    const t = claim('page');
    completePage(db, t.pageId, OWNER, page('beta two recovered'), ++now);
    indexAll();
    expect(found('beta').sort()).toEqual(['b.pdf:1', 'b.pdf:2']);

    // The file changed: a redo starts from the file again and the old text is not findable.
    db.prepare(`UPDATE documents SET state = 'failed', error_code = 'FILE_CHANGED' WHERE id = ?`).run(b);
    retryDocuments(db, [b], ++now);
    expect(found('beta')).toEqual([]);

    // Cancel keeps what was recognised (searchable) and nothing else ever joins.
    removeDocuments(db, [b], ++now);
    const [{ id: c }] = insertDocuments(db, [doc('/in/c.pdf')], now);
    expect(claim('probe').docId).toBe(c);
    completeProbe(db, c, OWNER, { kind: 'pdf', pageCount: 3, sha256: 'c', size: 1000, mtimeMs: 1 }, ++now);
    const p1 = claim('page');
    completePage(db, p1.pageId, OWNER, page('gamma kept'), ++now);
    cancelDocuments(db, [c], ++now);
    indexAll();
    expect(found('gamma')).toEqual(['c.pdf:1']);
    expect(searchIndexProblems(db)).toEqual({ missing: [], extra: [] });
    expect(
      db.prepare(`INSERT INTO page_search (page_search, rank) VALUES ('integrity-check', 0)`).run(),
    ).toBeTruthy();
  });

  it('filters by folder (any depth) and by the file date', () => {
    record('/in/2023/tax/a.pdf', ['report of the year'], new Date(2023, 4, 2, 12).getTime());
    record('/in/2024/b.pdf', ['report again'], new Date(2024, 0, 31, 12).getTime());
    record('/in/2024/sub/c.pdf', ['report three'], new Date(2024, 1, 1, 12).getTime());
    indexAll();
    expect(found('report', { folder: '/in/2024' }).sort()).toEqual(['b.pdf:1', 'c.pdf:1']);
    expect(found('report', { folder: '/in/2024/' }).sort()).toEqual(['b.pdf:1', 'c.pdf:1']);
    expect(found('report', { folder: '/in/2023/tax' })).toEqual(['a.pdf:1']);
    expect(found('report', { folder: '/in/20' })).toEqual([]); // a folder, not a string prefix
    expect(found('report', { folder: '/' }).length).toBe(3);
    expect(found('report', { from: '2024-01-01' }).sort()).toEqual(['b.pdf:1', 'c.pdf:1']);
    expect(found('report', { to: '2024-01-31' }).sort()).toEqual(['a.pdf:1', 'b.pdf:1']);
    expect(found('report', { from: '2024-02-01', to: '2024-02-01' })).toEqual(['c.pdf:1']);
    expect(found('report', { from: '2023-05-03', to: '2024-01-30' })).toEqual([]);
    expect(searchPages(db, { query: 'report', from: '2024-13-01' }).problem).toMatch(/not a date/);
    expect(searchPages(db, { query: 'report', from: '2024-02-01', to: '2024-01-01' }).problem).toMatch(
      /wrong way round/,
    );
  });

  it('ranks by relevance, pages through the hits, and past the count limit lists the newest first', () => {
    record('/in/a.pdf', [
      'archive',
      'archive archive archive',
      'the archive of the town hall and more words',
      'none',
    ]);
    indexAll();
    const r = searchPages(db, { query: 'archive', limit: 2 });
    expect(r).toMatchObject({ total: 3, totalExact: true, order: 'relevance', problem: null });
    expect(r.hits.map((h) => h.pageNo)).toEqual([2, 1]);
    expect(searchPages(db, { query: 'archive', limit: 2, offset: 2 }).hits.map((h) => h.pageNo)).toEqual([3]);
    const capped = searchPages(db, { query: 'archive' }, { countLimit: 2 });
    expect(capped).toMatchObject({ total: 2, totalExact: false, order: 'newest' });
    expect(capped.hits.map((h) => h.pageNo)).toEqual([3, 2, 1]);
  });

  it('ranks by the rare words of a query when another is on most pages, and filters still hold', () => {
    // "report" is on every page: over the ranking limit of 4 pages here, zinc on 4 (30,000 in use).
    record('/in/a.pdf', [
      'report zinc',
      'report',
      'report zinc zinc zinc',
      'report',
      'report zinc and more words',
    ]);
    record('/in/b.pdf', ['report zinc zinc']);
    indexAll();
    const limits = { rankingTermPages: 4 };
    const r = searchPages(db, { query: 'report zinc' }, limits);
    expect(r).toMatchObject({ total: 4, totalExact: true, order: 'relevance' });
    // bm25 over "zinc" alone: the most zinc in the fewest words first.
    expect(r.hits.map((h) => `${h.path.split('/').pop()}:${h.pageNo}`)).toEqual([
      'a.pdf:3',
      'b.pdf:1',
      'a.pdf:1',
      'a.pdf:5',
    ]);
    expect(
      searchPages(db, { query: 'report zinc', limit: 2, offset: 1 }, limits).hits.map((h) => h.pageNo),
    ).toEqual([1, 1]);
    expect(
      searchPages(db, { query: 'report zinc', folder: '/in/b.pdf'.replace('/b.pdf', '') }, limits).hits,
    ).toHaveLength(4);
    expect(searchPages(db, { query: 'zinc -more' }, limits).hits.map((h) => h.pageNo)).toEqual([3, 1, 1]);
    // Only words on too many pages: the hits, newest first.
    const common = searchPages(db, { query: 'report' }, limits);
    expect(common).toMatchObject({ total: 6, totalExact: true, order: 'newest' });
    expect(common.hits[0].path).toBe('/in/b.pdf');
  });

  it('a prefix finds every word that starts with it, words added later too', () => {
    record('/in/a.pdf', ['invoice 1', 'two invoices', 'invoiced in full', 'an investment', 'INVOLVED']);
    indexAll();
    const invo = ['a.pdf:1', 'a.pdf:2', 'a.pdf:3', 'a.pdf:5'];
    expect(found('invo*').sort()).toEqual(invo);
    expect(found('"two invo"*')).toEqual(['a.pdf:2']);
    expect(found('inv* -invoices').sort()).toEqual(['a.pdf:1', 'a.pdf:3', 'a.pdf:4', 'a.pdf:5']);
    // Words added later are found too, and a word whose page is gone finds nothing.
    const b = record('/in/b.pdf', ['invoicing run']);
    indexAll();
    expect(found('invo*')).toContain('b.pdf:1');
    removeDocuments(db, [b], ++now);
    expect(found('invoicing')).toEqual([]);
    expect(found('invo*').sort()).toEqual(invo);
  });

  it('no query string makes SQLite fail: each gives hits or a message', () => {
    record('/in/a.pdf', ['near the quote "x" (a) ; drop table pages -- and NOT or AND text']);
    indexAll();
    const hostile = [
      '"',
      '"unbalanced',
      'NEAR(',
      'NEAR(a b',
      '*',
      ';',
      '-',
      '(',
      ')',
      'a)',
      'AND',
      'OR',
      'NOT',
      "'; DROP TABLE pages; --",
      'text:near',
      '{text}: near',
      'facets:y2024',
      '^near',
      'near +',
      '\\',
      '\u0000',
      '',
      'a*',
      '"near the"*',
      'x'.repeat(2_000),
    ];
    for (const h of hostile) {
      const r = searchPages(db, { query: h });
      expect(r.problem === null || /^[A-Z].+\.$/.test(r.problem), h).toBe(true);
    }
    expect(found("'; DROP TABLE pages; --")).toEqual(['a.pdf:1']);
    expect(found('NEAR(')).toEqual(['a.pdf:1']);
    expect(found('facets:y2024')).toEqual([]); // the user's words never reach the filter column
    expect(db.prepare('SELECT count(*) AS n FROM pages').get()).toEqual({ n: 1 });
    // Every term is quoted, and only letters and digits are inside the quotes.
    expect(ftsQuery('NEAR(a "b cee"* -d OR e')).toMatchObject({
      match: 'text : (("near a" AND "b cee"* AND "e") NOT ("d"))',
    });
  });
});

describe('the index of a database from before search', () => {
  function oldDatabase(pages: number): string {
    const path = join(dir, 'old.db');
    const old = openDatabase(path, { migrations: migrations.slice(0, migrations.indexOf(searchMigration)) });
    const [{ id }] = insertDocuments(old, [doc('/in/old.pdf')], now);
    old.prepare(`UPDATE documents SET state = 'done', page_count = ? WHERE id = ?`).run(pages, id);
    const insert = old.prepare(
      `INSERT INTO pages (doc_id, page_no, priority, state, text) VALUES (?, ?, 5, ?, ?)`,
    );
    old.transaction(() => {
      for (let n = 1; n <= pages; n++)
        insert.run(
          id,
          n,
          n % 10 === 0 ? 'failed' : 'done',
          n % 10 === 0 ? null : `page number w${n} of the old archive`,
        );
    })();
    closeDatabase(old);
    return path;
  }

  it('is built after the upgrade in chunks, with progress, resuming where a stop left it', () => {
    const path = oldDatabase(600);
    let up = openDatabase(path);
    const start = searchIndexStatus(up);
    expect(start.building).toEqual({ done: 0, total: 600 });
    // Chunks of ~1 ms: several are needed, and each moves the progress on.
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      indexChunk(up, 1);
      seen.push(searchIndexStatus(up).building?.done ?? 600);
    }
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[2]).toBeGreaterThan(seen[0]);
    // Stopped (closed) half-way: the next open carries on from there.
    closeDatabase(up);
    up = openDatabase(path);
    expect(searchIndexStatus(up).building?.done).toBe(seen[2]);
    const swap = db;
    db = up;
    try {
      indexAll();
      expect(searchIndexStatus(db)).toEqual({ pending: 0, building: null });
      expect(found('w1')).toEqual(['old.pdf:1']);
      expect(found('w599')).toEqual(['old.pdf:599']);
      expect(searchPages(db, { query: 'archive' }).total).toBe(540);
      expect(searchIndexProblems(db)).toEqual({ missing: [], extra: [] });
    } finally {
      db = swap;
      closeDatabase(up);
    }
  });

  // Databases left by released versions: from before search (built at the upgrade) and after it
  // (the index as that version left it, one recorded page still waiting for it).
  const fixtures = readdirSync(FIXTURES)
    .map((f) => /^schema-(\d+)\.db$/.exec(f))
    .filter((m) => m !== null)
    .map((m) => ({ file: join(FIXTURES, m[0]), version: Number(m[1]) }));
  for (const fixture of fixtures)
    it(`the released schema-${fixture.version} fixture opens with its pages found`, () => {
      const copy = join(dir, 'fixture.db');
      copyFileSync(fixture.file, copy);
      const swap = db;
      db = openDatabase(copy);
      try {
        const searchEra = fixture.version > migrations.indexOf(searchMigration);
        // Indexed by that version already, or not before the build.
        expect(found('muller')).toEqual(searchEra ? ['done.pdf:1'] : []);
        // A prefix too, while the index is rebuilt with its words (the way it was searched before).
        expect(found('mull*')).toEqual(searchEra ? ['done.pdf:1'] : []);
        expect(searchIndexStatus(db).pending).toBeGreaterThan(0);
        indexAll();
        expect(found('mull*')).toEqual(['done.pdf:1']);
        expect(found('chap*')).toEqual(['running.pdf:1']);
        expect(found('muller')).toEqual(['done.pdf:1']);
        expect(found('chapter')).toEqual(['running.pdf:1']);
        expect(found('søren').length).toBe(1);
        expect(searchIndexProblems(db)).toEqual({ missing: [], extra: [] });
      } finally {
        closeDatabase(db);
        db = swap;
      }
    });

  it('reads a chunk of old pages by id range, not by scanning the table', () => {
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT p.id, p.state, p.text, d.path, d.mtime_ms FROM pages p JOIN documents d ON d.id = p.doc_id
           WHERE p.id > ? AND p.id <= ? AND p.state = 'done' ORDER BY p.id LIMIT 32`,
      )
      .all(0, 10)
      .map((r) => (r as { detail: string }).detail);
    expect(plan.join('\n')).toMatch(/SEARCH p USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
  });
});
