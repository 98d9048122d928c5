/**
 * Writes test/fixtures/db/schema-<N>.db: a small, real queue database of the current schema, made
 * with the current store code, holding documents and pages in every state a user can leave behind
 * (done, done with errors, failed, cancelled, paused, queued, one page mid-recognition, one
 * document never opened, a duplicate) plus settings, a watched folder with the files it took (from
 * schema 2) and an export batch (from schema 3), and the search index (from schema 4: pages indexed,
 * one waiting for it), the files the queue wrote (from schema 5) and the index's word list (from schema 6: filled by the
 * same chunks). A new schema's rows belong here too: extend it
 * when you add a migration, then run it for the new schema.
 *
 * Run it ONCE per released schema, when that schema ships, and commit the file:
 *   node_modules/.bin/node test/fixtures-gen/makeDbFixture.ts
 * Later versions must migrate every such file (test/unit/db-fixtures.test.ts). Never regenerate an
 * existing fixture with newer code: it is a record of what old versions wrote.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { closeDatabase, openDatabase, SCHEMA_VERSION } from '../../src/main/engine/store/db.ts';
import {
  insertDocuments,
  cancelDocuments,
  pauseDocuments,
  resumeDocuments,
  type NewDocument,
} from '../../src/main/engine/store/documents.ts';
import {
  claimNext,
  completeExport,
  completePage,
  completeProbe,
  failPage,
  failProbe,
  type Task,
} from '../../src/main/engine/store/tasks.ts';
import { recordSeen, upsertWatchFolder } from '../../src/main/engine/store/watch.ts';
import {
  claimExportTask,
  completeExportTask,
  createExportBatch,
} from '../../src/main/engine/store/exportTasks.ts';
import { writeSettings } from '../../src/main/engine/settings.ts';
import { indexChunk } from '../../src/main/engine/store/search.ts';
import type { PageResult } from '../../src/shared/model.ts';

const target = join(import.meta.dirname, '../fixtures/db', `schema-${SCHEMA_VERSION}.db`);
if (existsSync(target) && !process.argv.includes('--force')) {
  console.error(`${target} exists; fixtures of released schemas are never regenerated (--force to replace).`);
  process.exit(1);
}
rmSync(target, { force: true });
const db = openDatabase(target);
const OWNER = 'fixture-engine';
const policy = { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 };
let now = 1_760_000_000_000;
const tick = (): number => (now += 1_000);

const doc = (name: string, priority = 5): NewDocument => ({
  path: `/scans/${name}`,
  root: '/scans',
  size: 10_000 + name.length,
  mtimeMs: 1_750_000_000_000,
  priority,
  source: 'cli',
  options: { languages: ['eng'], dpi: 300, mode: 'auto' },
  output: { formats: ['txt', 'pdf'], stem: `/out/${name.replace(/\.\w+$/, '')}`, overwrite: false },
});
const page = (text: string): PageResult => ({
  text,
  words: text
    .split(' ')
    .map((w, i) => ({ text: w, x0: i * 50, y0: 10, x1: i * 50 + 40, y1: 30, confidence: 90 })),
  meanConfidence: 90,
  source: 'ocr',
  width: 2550,
  height: 3300,
  dpi: 300,
  timings: { open: 5, rasterize: 40, recognize: 1900, total: 1950 },
});

// Priorities decide the claim order below: 9 first.
const names = [
  ['done.pdf', 9],
  ['with-errors.pdf', 8],
  ['probe-failed.pdf', 7],
  ['queued.pdf', 6],
  ['paused.pdf', 6],
  ['cancelled.pdf', 6],
  ['running.pdf', 4],
  ['never-opened.pdf', 1],
] as const;
const ids = Object.fromEntries(
  insertDocuments(
    db,
    names.map(([n, p]) => doc(n, p)),
    tick(),
  ).map((o, i) => [names[i][0], o.id]),
) as Record<(typeof names)[number][0], number>;
writeSettings(db, { languages: ['eng', 'fra'], dpi: 300, outDir: '/out' });

const claim = (): Task => {
  const t = claimNext(db, OWNER, tick(), 60_000);
  if (!t) throw new Error('nothing to claim');
  return t;
};
const sha = (c: string): string => c.repeat(64);

// done.pdf: 2 pages recognised and exported.
let t = claim();
completeProbe(
  db,
  t.docId,
  OWNER,
  { kind: 'pdf', pageCount: 2, sha256: sha('a'), size: 1, mtimeMs: 1 },
  tick(),
);
for (const text of ['Invoice INV-30687/G from Müller', 'Total due 1,234.50 EUR']) {
  t = claim();
  completePage(db, (t as Extract<Task, { kind: 'page' }>).pageId, OWNER, page(text), tick());
}
t = claim();
if (t.kind !== 'export') throw new Error(`expected an export, got ${t.kind}`);
// What it wrote, file by file (schema 5 on): a re-run tells a missing or edited output from these.
completeExport(db, t.docId, OWNER, ['/out/done.txt', '/out/done.pdf'], tick(), [
  { path: '/out/done.txt', size: 52, mtimeMs: 1_760_000_003_000, sha256: sha('1') },
  { path: '/out/done.pdf', size: 20_480, mtimeMs: 1_760_000_003_000, sha256: sha('2') },
]);

// with-errors.pdf: page 1 recognised, page 2 failed for good, exported.
t = claim();
completeProbe(
  db,
  t.docId,
  OWNER,
  { kind: 'pdf', pageCount: 2, sha256: sha('b'), size: 1, mtimeMs: 1 },
  tick(),
);
t = claim();
completePage(db, (t as Extract<Task, { kind: 'page' }>).pageId, OWNER, page('Letter of Søren'), tick());
t = claim();
failPage(
  db,
  (t as Extract<Task, { kind: 'page' }>).pageId,
  OWNER,
  { code: 'TOO_LARGE', message: 'page 2 holds an image larger than 150 megapixels' },
  policy,
  tick(),
);
t = claim();
completeExport(db, t.docId, OWNER, ['/out/with-errors.txt'], tick());

// The search index (schema 4 on) holds the pages recorded so far; running.pdf's page 1, recorded
// below, stays queued for it, as when the app stops before its indexer comes round.
while (indexChunk(db, 100).more);

// probe-failed.pdf: not a PDF.
t = claim();
failProbe(
  db,
  t.docId,
  OWNER,
  { code: 'UNSUPPORTED_FORMAT', message: 'not a valid PDF (the content starts with "GIF89a")' },
  policy,
  tick(),
);

// queued.pdf, paused.pdf, cancelled.pdf: opened, pages waiting.
for (const [name, c] of [
  ['queued.pdf', 'd'],
  ['paused.pdf', 'e'],
  ['cancelled.pdf', 'f'],
] as const) {
  const probeTask = claim();
  if (probeTask.docId !== ids[name]) throw new Error(`claimed ${probeTask.docId}, expected ${name}`);
  completeProbe(
    db,
    probeTask.docId,
    OWNER,
    { kind: 'pdf', pageCount: 2, sha256: sha(c), size: 1, mtimeMs: 1 },
    tick(),
  );
  // Take the page tasks out of the way of the next probe by pausing or cancelling at once.
  if (name === 'paused.pdf') pauseDocuments(db, [ids[name]], tick());
  if (name === 'cancelled.pdf') cancelDocuments(db, [ids[name]], tick());
  if (name === 'queued.pdf') pauseDocuments(db, [ids[name]], tick());
}
// running.pdf: 3 pages, page 1 done, page 2 leased when the app "stopped".
t = claim();
completeProbe(
  db,
  t.docId,
  OWNER,
  { kind: 'pdf', pageCount: 3, sha256: sha('c'), size: 1, mtimeMs: 1 },
  tick(),
);
t = claim();
completePage(db, (t as Extract<Task, { kind: 'page' }>).pageId, OWNER, page('Chapter one'), tick());
claim(); // page 2 stays 'running' with a lease, as after a crash

// queued.pdf was paused only so the claims above could reach the next task; it is queued again.
resumeDocuments(db, [ids['queued.pdf']], tick());
// never-opened.pdf stays 'new'.

// A watched folder that took done.pdf, and a second copy of it it recognised as a duplicate.
{
  const folderId = upsertWatchFolder(
    db,
    '/scans',
    {
      recursive: true,
      ocr: { languages: ['eng'], dpi: 300, mode: 'auto' },
      formats: ['txt', 'pdf'],
      outDir: '/out',
      priority: null,
      after: 'leave',
      detection: 'auto',
    },
    tick(),
  );
  recordSeen(
    db,
    {
      folderId,
      path: '/scans/done.pdf',
      size: 10_008,
      mtimeMs: 1_750_000_000_000,
      sha256: sha('a'),
      kind: 'ingested',
      docId: ids['done.pdf'],
    },
    tick(),
  );
  recordSeen(
    db,
    {
      folderId,
      path: '/scans/copy of done.pdf',
      size: 10_008,
      mtimeMs: 1_750_000_000_500,
      sha256: sha('a'),
      kind: 'duplicate',
      docId: ids['done.pdf'],
    },
    tick(),
  );
}

// The export dialog: done.pdf exported again into a folder (written), with-errors.pdf waiting.
{
  const batch = createExportBatch(
    db,
    [ids['done.pdf'], ids['with-errors.pdf'], ids['never-opened.pdf']],
    { formats: ['txt'], destination: { kind: 'folder', path: '/exported' }, ifExists: 'suffix' },
    tick(),
  );
  if (batch.batchId === null) throw new Error('no export batch');
  const task = claimExportTask(db, OWNER, tick(), 60_000);
  if (!task) throw new Error('no export task to claim');
  completeExportTask(db, task.taskId, OWNER, { written: ['/exported/done.txt'] }, tick());
}

closeDatabase(db);
rmSync(`${target}-wal`, { force: true });
rmSync(`${target}-shm`, { force: true });
console.log(`wrote ${target}`);
