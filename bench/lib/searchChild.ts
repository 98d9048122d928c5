/**
 * Search benchmark, in a process of its own (`node bench/lib/searchChild.ts --pages N --db FILE`):
 *
 * 1. A queue database as the version before search left it with N recognised pages of
 *    generated OCR-like text (~2,000 characters each: bench/lib/ocrText.ts), 20 pages a document,
 *    documents in folders by year and department, file dates spread over 25 years.
 * 2. It is opened by this version: the migration (timed: it must not depend on N), then the
 *    index is built the way the engine builds it, in chunks of the engine's budget (`indexChunk`,
 *    `SEARCH_CHUNK_MS`).
 * 3. Half-way through the build, the queue's hot path runs interleaved with the chunks: claim +
 *    complete of 2,000 pages (each a 2,000-character result, which the page-recording trigger
 *    queues for the index) with one chunk after every 4 pages, as the engine would interleave
 *    them; then the build goes on to the end.
 * 4. Queries: a set of realistic searches (rare, mid and common words, phrases, prefixes, an
 *    exclusion, OR, a code, accents folded, folder and date filters, a deep page), each run 5
 *    times through `searchPages` (count, rank, rows, snippets: what the window waits for).
 * 5. Sizes: the index's tables per page, the database file.
 *
 * Prints one JSON object on stdout; progress on stderr.
 */
import { rmSync, statSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { PageResult } from '../../src/shared/model.ts';
import { closeDatabase, openDatabase } from '../../src/main/engine/store/db.ts';
import { migrations } from '../../src/main/engine/store/migrations/index.ts';
import { up as searchMigration } from '../../src/main/engine/store/migrations/0004-search.ts';
import { insertDocuments, type NewDocument } from '../../src/main/engine/store/documents.ts';
import { claimNext, completeExport, completePage, completeProbe } from '../../src/main/engine/store/tasks.ts';
import { indexChunk, searchIndexStatus, searchPages } from '../../src/main/engine/store/search.ts';
import { WalCheckpointer } from '../../src/main/engine/store/walCheckpointer.ts';
import { SEARCH_CHUNK_MS } from '../../src/main/engine/search/searchIndexer.ts';
import { textGenerator } from './ocrText.ts';

const { values } = parseArgs({ options: { pages: { type: 'string' }, db: { type: 'string' } } });
const PAGES = Number(values.pages ?? 1_000_000);
const dbPath = values.db ?? '/tmp/bench-search.db';
const PAGES_PER_DOC = 20;
const CHUNK_MS = SEARCH_CHUNK_MS;
const HOT_PATH_PAGES = 2_000;
const RUNS = 5;
const OWNER = 'bench-owner';
/** The schema before search, and the step that brings search. */
const BEFORE_SEARCH = migrations.indexOf(searchMigration);

const loadAtStart = loadavg();
const log = (m: string): void => void process.stderr.write(`[search bench] ${m}\n`);
for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });

function stats(v: number[]): {
  n: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
} {
  const s = [...v].sort((a, b) => a - b);
  const q = (x: number): number => (s.length ? s[Math.min(s.length - 1, Math.ceil(s.length * x) - 1)] : NaN);
  return {
    n: s.length,
    median: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

const gen = textGenerator();
const YEARS = 25;
const DEPTS = ['finance', 'legal', 'estates', 'archive', 'hr', 'board', 'projects', 'letters'];
const docPath = (d: number): string =>
  `/archive/${2000 + (d % YEARS)}/${DEPTS[Math.floor(d / YEARS) % DEPTS.length]}/scan-${String(d).padStart(6, '0')}.pdf`;
/** Noon on a day of the document's year, local time. */
const docDate = (d: number): number =>
  new Date(2000 + (d % YEARS), (d * 7) % 12, 1 + ((d * 13) % 28), 12).getTime();

// ── 1. the old database ──────────────────────────────────────────────────────
let t0 = performance.now();
{
  const old = openDatabase(dbPath, { migrations: migrations.slice(0, BEFORE_SEARCH) });
  old.pragma('synchronous = OFF'); // building the fixture only
  const insDoc = old.prepare(
    `INSERT INTO documents (id, path, root, size, mtime_ms, kind, page_count, priority, state, source, options, output,
       output_stem, pages_done, created_at, updated_at, finished_at)
     VALUES (?, ?, '/archive', 100000, ?, 'pdf', ?, 5, 'done', 'cli', '{"languages":["eng"],"dpi":300,"mode":"auto"}',
       '{"formats":["txt","pdf"],"overwrite":false,"stem":"x"}', ?, ?, 1, 1, 1)`,
  );
  const insPage = old.prepare(
    `INSERT INTO pages (doc_id, page_no, priority, state, text, mean_confidence, source, width, height, dpi, finished_at)
     VALUES (?, ?, 5, 'done', ?, 91.5, 'ocr', 2480, 3508, 300, 1)`,
  );
  const docs = Math.ceil(PAGES / PAGES_PER_DOC);
  for (let d = 0; d < docs; d += 50) {
    const texts: string[][] = [];
    for (let k = d; k < Math.min(docs, d + 50); k++) {
      const n = Math.min(PAGES_PER_DOC, PAGES - k * PAGES_PER_DOC);
      texts.push(Array.from({ length: n }, (_, p) => gen.page(k * PAGES_PER_DOC + p)));
    }
    old.transaction(() => {
      texts.forEach((pages, i) => {
        const id = d + i + 1;
        insDoc.run(
          id,
          docPath(id - 1),
          docDate(id - 1),
          pages.length,
          `${id}`.padStart(16, '0'),
          pages.length,
        );
        pages.forEach((text, p) => insPage.run(id, p + 1, text));
      });
    })();
    if (d % 5_000 === 0) log(`old database: ${(d * PAGES_PER_DOC).toLocaleString('en')} pages`);
  }
  closeDatabase(old);
}
const generateMs = performance.now() - t0;
log(`old database: ${PAGES.toLocaleString('en')} pages in ${(generateMs / 1000).toFixed(0)} s`);

// ── 2. the upgrade ───────────────────────────────────────────────────────────
// What openDatabase does, in its two steps, timed apart: the safety copy made before any
// migration (VACUUM INTO, as for every upgrade since schema 1), then the migration itself.
let backupMs: number;
let migrationMs: number;
{
  const old = openDatabase(dbPath, { migrations: migrations.slice(0, BEFORE_SEARCH) });
  const copy = `${dbPath}.backup-timing`;
  rmSync(copy, { force: true });
  t0 = performance.now();
  old.pragma('wal_checkpoint(TRUNCATE)');
  old.prepare('VACUUM INTO ?').run(copy);
  backupMs = performance.now() - t0;
  rmSync(copy, { force: true });
  t0 = performance.now();
  old.transaction(() => {
    migrations[BEFORE_SEARCH](old);
    old.pragma(`user_version = ${BEFORE_SEARCH + 1}`);
  })();
  migrationMs = performance.now() - t0;
  closeDatabase(old);
}
log(`upgrade: safety copy ${(backupMs / 1000).toFixed(1)} s, migration ${migrationMs.toFixed(1)} ms`);
const db = openDatabase(dbPath);
// As the engine runs: its own thread checkpoints the write-ahead log, never the engine's commits.
const checkpointer = new WalCheckpointer(db, dbPath);

// Queued work for the hot path: documents opened, their pages waiting.
const newDocs: NewDocument[] = Array.from({ length: HOT_PATH_PAGES / 10 + 50 }, (_, i) => ({
  path: `/inbox/new-${i}.pdf`,
  root: '/inbox',
  size: 100_000,
  mtimeMs: Date.now(),
  priority: 5,
  source: 'cli',
  options: { languages: ['eng'], dpi: 300, mode: 'auto' },
  output: { formats: ['txt', 'pdf'], overwrite: false, stem: `/out/new-${i}` },
}));
insertDocuments(db, newDocs, Date.now());
// Opened at once (as bench/lib/queueChild.ts does): leased as a probe would be, then recorded.
for (const { id } of db
  .prepare(`UPDATE documents SET lease_owner = ? WHERE state = 'new' RETURNING id`)
  .all(OWNER) as { id: number }[])
  completeProbe(
    db,
    id,
    OWNER,
    { kind: 'pdf', pageCount: 10, sha256: `sha-${id}`, size: 100_000, mtimeMs: 1 },
    Date.now(),
  );

const chunkMs: number[] = [];
const chunkPages: number[] = [];
let built = 0;
const buildStarted = performance.now();
let lastLog = 0;
async function buildUntil(fraction: number): Promise<void> {
  for (;;) {
    const s = searchIndexStatus(db).building;
    if (!s || s.done >= s.total * fraction) return;
    const a = performance.now();
    const { indexed } = indexChunk(db, CHUNK_MS);
    chunkMs.push(performance.now() - a);
    chunkPages.push(indexed);
    built += indexed;
    if (performance.now() - lastLog > 15_000) {
      lastLog = performance.now();
      log(`index: ${Math.floor((s.done / s.total) * 100)}%`);
    }
    await tick();
  }
}

// ── 3. the hot path, half-way through the build ──────────────────────────────
await buildUntil(0.5);
const claimComplete: number[] = [];
const hotChunkMs: number[] = [];
{
  let n = 0;
  while (claimComplete.length < HOT_PATH_PAGES) {
    const a0 = performance.now();
    const task = claimNext(db, OWNER, Date.now(), 600_000);
    const a1 = performance.now();
    if (!task) throw new Error('the queue ran dry');
    if (task.kind === 'export') {
      completeExport(db, task.docId, OWNER, [], Date.now());
      continue;
    }
    if (task.kind !== 'page') throw new Error(`unexpected ${task.kind}`);
    // The worker's result (generated here, not timed).
    const result: PageResult = {
      text: gen.page(5_000_000 + n++),
      words: [],
      meanConfidence: 90,
      source: 'ocr',
      width: 2480,
      height: 3508,
      dpi: 300,
      timings: { total: 2000 },
    };
    const b0 = performance.now();
    completePage(db, task.pageId, OWNER, result, Date.now());
    const b1 = performance.now();
    claimComplete.push(a1 - a0 + (b1 - b0));
    if (claimComplete.length % 4 === 0) {
      const c = performance.now();
      indexChunk(db, CHUNK_MS);
      hotChunkMs.push(performance.now() - c);
    }
  }
}
log(`hot path: claim + complete p99 ${stats(claimComplete).p99.toFixed(3)} ms`);
await buildUntil(1);
// What the hot path queued, then nothing is left.
while (indexChunk(db, CHUNK_MS).more) await tick();
const buildMs = performance.now() - buildStarted;
log(`index built: ${built.toLocaleString('en')} pages in ${(buildMs / 1000).toFixed(0)} s`);

// ── 4. queries ───────────────────────────────────────────────────────────────
const v = gen.vocabulary;
/** A reference code printed on page n, as a user would copy it (`INV-30687/G`). */
function codeOn(n: number): string {
  for (let k = n; k < n + 100; k++) {
    const m = /\b(?:INV|PO|REF)-\d{5}(?:\/[A-Z])?/.exec(gen.page(k % PAGES));
    if (m) return m[0];
  }
  return 'INV-30687/G';
}
const rank = new Map(v.map((w, i) => [w, i]));
/**
 * A phrase as a user copies it from a page: `len` words starting at the first word of the page
 * that is not among the 500 most common (a phrase around something specific).
 */
const phraseOn = (n: number, len: number): string => {
  const words = gen
    .page(n % PAGES)
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''));
  const at = Math.max(
    0,
    words.findIndex((w, i) => i > 5 && (rank.get(w.toLowerCase()) ?? 0) > 500),
  );
  return `"${words.slice(at, at + len).join(' ')}"`;
};
/** The first five letters of the first word of 7 letters or more from rank `from` on: a stem. */
const stem = (from: number): string =>
  `${v
    .slice(from)
    .find((w) => w.length >= 7)!
    .slice(0, 5)}*`;
const queries: {
  kind: string;
  query: string;
  folder?: string;
  from?: string;
  to?: string;
  offset?: number;
}[] = [
  { kind: 'rare word', query: v[120_000] },
  { kind: 'rare word', query: v[60_000] },
  { kind: 'rare word', query: v[25_000] },
  { kind: 'mid word', query: v[5_000] },
  { kind: 'mid word', query: v[2_000] },
  { kind: 'mid word', query: v[800] },
  { kind: 'common word', query: 'invoice' },
  { kind: 'common word', query: 'meeting' },
  { kind: 'stop word', query: 'the' },
  { kind: 'two words', query: `invoice ${v[3_000]}` },
  { kind: 'two words', query: `${v[400]} ${v[1_500]}` },
  { kind: 'two words', query: `${v[40_000]} archive` },
  { kind: 'phrase', query: phraseOn(123_457, 2) },
  { kind: 'phrase', query: phraseOn(654_321, 3) },
  { kind: 'phrase', query: phraseOn(999_999, 4) },
  { kind: 'phrase', query: phraseOn(31_337, 2) },
  { kind: 'phrase, common words only', query: '"according to the"' },
  { kind: 'prefix', query: stem(3_000) },
  { kind: 'prefix', query: stem(10_000) },
  { kind: 'prefix', query: 'lindq*' },
  { kind: 'prefix of a common word', query: 'invo*' },
  { kind: 'exclusion', query: 'invoice -meeting' },
  { kind: 'OR', query: 'invoice OR receipt OR statement' },
  { kind: 'code', query: codeOn(424_242 % PAGES) },
  { kind: 'accents folded', query: 'MULLER' },
  { kind: 'folder filter', query: 'invoice', folder: '/archive/2019' },
  { kind: 'folder filter', query: v[3_000], folder: '/archive/2011/legal' },
  { kind: 'date filter', query: 'meeting', from: '2015-03-01', to: '2015-06-30' },
  { kind: 'deep page', query: `${v[1_000]}`, offset: 200 },
];
const queryRuns: {
  kind: string;
  query: string;
  ms: number[];
  total: number;
  totalExact: boolean;
  order: string;
}[] = [];
const all: number[] = [];
for (const q of queries) {
  const ms: number[] = [];
  // Every run counts, the first too (the cache holds whatever the previous query left).
  let r: ReturnType<typeof searchPages> | undefined;
  for (let i = 0; i < RUNS; i++) {
    const a = performance.now();
    r = searchPages(db, { ...q, limit: 20 });
    ms.push(performance.now() - a);
  }
  if (!r) throw new Error('no run');
  if (r.problem) throw new Error(`query ${q.query}: ${r.problem}`);
  all.push(...ms);
  queryRuns.push({
    kind: q.kind,
    query: q.query,
    ms,
    total: r.total,
    totalExact: r.totalExact,
    order: r.order,
  });
}
log(`queries: p95 ${stats(all).p95.toFixed(1)} ms`);

// ── 5. sizes ─────────────────────────────────────────────────────────────────
const bytes = (like: string): number =>
  (
    db.prepare(`SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE name LIKE ?`).get(like) as {
      b: number;
    }
  ).b;
const indexBytes = bytes('page_search%');
const pagesBytes = bytes('pages');
const indexedPages = (db.prepare('SELECT count(*) AS n FROM page_search_docsize').get() as { n: number }).n;
await checkpointer.stop();
closeDatabase(db);

process.stdout.write(
  JSON.stringify({
    pages: PAGES,
    indexedPages,
    generateMs,
    backupMs,
    migrationMs,
    buildMs,
    builtPages: built,
    loadAverage: { start: loadAtStart, end: loadavg() },
    chunkBudgetMs: CHUNK_MS,
    chunk: stats(chunkMs),
    chunkPages: stats(chunkPages),
    hotPath: {
      claimComplete: stats(claimComplete),
      chunk: stats(hotChunkMs),
    },
    queries: queryRuns.map((q) => ({ ...q, median: stats(q.ms).median })),
    queryAll: stats(all),
    indexBytes,
    indexBytesPerPage: indexBytes / indexedPages,
    pagesTableBytes: pagesBytes,
    dbFileBytes: statSync(dbPath).size,
  }) + '\n',
);
