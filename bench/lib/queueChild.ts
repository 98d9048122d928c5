/**
 * Queue micro-benchmark, run in a process of its own (`node --expose-gc bench/lib/queueChild.ts
 * --docs N --pages M --db FILE`) so the engine's idle memory is measured in a clean process.
 *
 * 1. An Engine is constructed on a fresh database (not started: no workers, so the process RSS is
 *    the engine's alone). N documents are queued through the store's `insertDocuments` in batches
 *    of 1,000, as `ingest()` does after walking a folder (rows only: no files, no OCR).
 * 2. Idle RSS after a GC.
 * 3. The scheduler's loop without workers: claimNext, then completeProbe (10 pages) /
 *    completePage (a ~400-word result) / completeExport, until M pages are done, with N documents
 *    still queued behind them.
 * 4. All remaining documents are opened (2 pages each, ≈2N queued pages), then M more pages are
 *    claimed and completed: the claim's worst realistic case.
 *
 * Prints one JSON object on stdout.
 */
import { rmSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { PageResult, Word } from '../../src/shared/model.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import { insertDocuments, type NewDocument } from '../../src/main/engine/store/documents.ts';
import { claimNext, completeExport, completePage, completeProbe } from '../../src/main/engine/store/tasks.ts';
import { priorityForSize } from '../../src/main/engine/store/policy.ts';

const { values } = parseArgs({
  options: { docs: { type: 'string' }, pages: { type: 'string' }, db: { type: 'string' } },
});
const DOCS = Number(values.docs ?? 100_000);
const PAGES = Number(values.pages ?? 2_000);
const dbPath = values.db ?? '/tmp/bench-queue.db';
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const OWNER = 'bench-owner';
const LEASE = 240_000;

for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });

function stats(v: number[]): {
  n: number;
  median: number;
  p99: number;
  mean: number;
  max: number;
  over1ms: number;
} {
  const s = [...v].sort((a, b) => a - b);
  const q = (x: number): number =>
    s.length ? s[Math.min(s.length - 1, Math.floor((s.length - 1) * x + 0.5))] : Number.NaN;
  return {
    n: s.length,
    median: q(0.5),
    p99: q(0.99),
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
    max: s[s.length - 1] ?? Number.NaN,
    over1ms: s.filter((x) => x >= 1).length,
  };
}

function pageResult(n: number): PageResult {
  const words: Word[] = [];
  const lines: string[] = [];
  for (let l = 0; l < 40; l++) {
    const line: string[] = [];
    for (let i = 0; i < 10; i++) {
      const text = `word${(n + l * 10 + i) % 997}`;
      line.push(text);
      words.push({
        text,
        x0: 100 + i * 220,
        y0: 150 + l * 80,
        x1: 300 + i * 220,
        y1: 200 + l * 80,
        confidence: 91.7,
      });
    }
    lines.push(line.join(' '));
  }
  return {
    text: lines.join('\n'),
    words,
    meanConfidence: 91.2,
    source: 'ocr',
    width: 2480,
    height: 3508,
    dpi: 300,
    timings: { open: 3.1, rasterize: 410.2, recognize: 1980.5, total: 2395.7 },
  };
}

const rss0 = process.memoryUsage().rss;
const engine = new Engine({ dbPath, spawn: forkSpawner(), jobs: 2 });
const db = engine.db;
// Diagnostic only (not used by run.ts): does SQLite's WAL auto-checkpoint make the slow tail?
if (process.env.BENCH_DIAG_NO_CHECKPOINT) db.pragma('wal_autocheckpoint = 0');
if (process.env.BENCH_DIAG_CACHE_KB) db.pragma(`cache_size = -${Number(process.env.BENCH_DIAG_CACHE_KB)}`);

// ── 1. ingest ────────────────────────────────────────────────────────────────
const options = { languages: ['eng'], dpi: 300, mode: 'auto' as const };
const tIngest = performance.now();
const batchMs: number[] = [];
for (let start = 0; start < DOCS; start += 1_000) {
  const batch: NewDocument[] = [];
  for (let i = start; i < Math.min(DOCS, start + 1_000); i++) {
    const folder = `folder-${String(Math.floor(i / 1_000)).padStart(3, '0')}`;
    const size = 40_000 + ((i * 7_919) % 3_000_000);
    batch.push({
      path: `/bench/inbox/${folder}/scan-${String(i).padStart(6, '0')}.pdf`,
      root: '/bench/inbox',
      size,
      mtimeMs: 1_700_000_000_000 + i,
      priority: priorityForSize(size),
      source: 'cli',
      options,
      output: {
        formats: ['txt', 'pdf'],
        overwrite: false,
        stem: `/bench/out/${folder}/scan-${String(i).padStart(6, '0')}`,
      },
    });
  }
  const t = performance.now();
  insertDocuments(db, batch, Date.now());
  batchMs.push(performance.now() - t);
  await tick();
}
const ingestMs = performance.now() - tIngest;
const ingestBatch = stats(batchMs);

// ── 2. idle memory ───────────────────────────────────────────────────────────
await tick();
gc();
await new Promise((r) => setTimeout(r, 200));
gc();
const mem = process.memoryUsage();
const tCounts = performance.now();
const counts = engine.read.counts();
const countsMs = performance.now() - tCounts;

// ── 3. claim/complete with N documents queued ────────────────────────────────
let sha = 0;
function drive(pagesWanted: number): Record<string, ReturnType<typeof stats>> {
  const t: Record<string, number[]> = {
    claimPage: [],
    completePage: [],
    claimProbe: [],
    completeProbe: [],
    claimExport: [],
    completeExport: [],
    pageTotal: [],
  };
  let pages = 0;
  let n = 0;
  while (pages < pagesWanted) {
    const t0 = performance.now();
    const task = claimNext(db, OWNER, Date.now(), LEASE);
    const t1 = performance.now();
    if (!task) throw new Error('queue ran dry');
    if (task.kind === 'probe') {
      completeProbe(
        db,
        task.docId,
        OWNER,
        { kind: 'pdf', pageCount: 10, sha256: `sha-${sha++}`, size: 100_000, mtimeMs: 1_700_000_000_000 },
        Date.now(),
      );
      t.claimProbe.push(t1 - t0);
      t.completeProbe.push(performance.now() - t1);
    } else if (task.kind === 'page') {
      const result = pageResult(n++);
      const t2 = performance.now();
      if (!completePage(db, task.pageId, OWNER, result, Date.now()))
        throw new Error('completePage lost its lease');
      const t3 = performance.now();
      t.claimPage.push(t1 - t0);
      t.completePage.push(t3 - t2);
      t.pageTotal.push(t1 - t0 + (t3 - t2));
      pages++;
    } else {
      completeExport(db, task.docId, OWNER, ['/bench/out/x.txt'], Date.now());
      t.claimExport.push(t1 - t0);
      t.completeExport.push(performance.now() - t1);
    }
  }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, stats(v)]));
}

const mixed = drive(PAGES);

// ── 4. every document opened: ≈2N pages queued ──────────────────────────────
const tOpen = performance.now();
const remaining = db
  .prepare(`UPDATE documents SET lease_owner = ? WHERE state = 'new' RETURNING id`)
  .all(OWNER) as { id: number }[];
db.transaction(() => {
  for (const r of remaining)
    completeProbe(
      db,
      r.id,
      OWNER,
      { kind: 'pdf', pageCount: 2, sha256: `sha-${sha++}`, size: 100_000, mtimeMs: 1_700_000_000_000 },
      Date.now(),
    );
})();
const openAllMs = performance.now() - tOpen;
const queuedPages = (
  db.prepare(`SELECT count(*) AS n FROM pages WHERE state = 'queued'`).get() as { n: number }
).n;
const opened = drive(PAGES);

const dbBytes =
  (db.prepare('PRAGMA page_count').pluck().get() as number) *
  (db.prepare('PRAGMA page_size').pluck().get() as number);
await engine.stop();

process.stdout.write(
  JSON.stringify({
    docs: DOCS,
    pagesTimed: PAGES,
    ingestMs,
    ingestBatch,
    rssBeforeEngineBytes: rss0,
    idleRssBytes: mem.rss,
    idleHeapUsedBytes: mem.heapUsed,
    countsMs,
    countsTotal: counts.documents.total,
    mixed,
    openAll: { docs: remaining.length, ms: openAllMs, queuedPages },
    opened,
    dbBytes,
  }) + '\n',
);
