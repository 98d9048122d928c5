import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/main/engine/engine.ts';
import { cer } from '../helpers/cer.ts';
import { CORPUS, tempDir, waitForDocuments } from '../helpers/engineRun.ts';
import type { WatchTimings } from '../../src/main/engine/watch/folderWatcher.ts';
import {
  FAST,
  collectReports,
  documentPaths,
  newEngine,
  tinyPdf,
  until,
  watchOptions,
} from '../helpers/watchRun.ts';

/**
 * Watched folders end to end: real file system, real chokidar events, a real engine with real OCR
 * workers on the shared corpus, outputs checked against the ground truth.
 */
const engines: Engine[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(
  name: string,
  timings: Partial<WatchTimings> = {},
): { root: string; out: string; engine: Engine } {
  const root = tempDir(`wocr-${name}`);
  const out = tempDir(`wocr-${name}-out`);
  const db = tempDir(`wocr-${name}-db`);
  dirs.push(root, out, db);
  const engine = newEngine(db, { watchTimings: { ...FAST, ...timings } });
  engines.push(engine);
  engine.start();
  return { root, out, engine };
}

function ids(engine: Engine): number[] {
  return (engine.db.prepare('SELECT id FROM documents ORDER BY id').all() as { id: number }[]).map(
    (r) => r.id,
  );
}

function ocrPages(engine: Engine): number {
  return (engine.db.prepare(`SELECT count(*) AS n FROM pages WHERE source = 'ocr'`).get() as { n: number }).n;
}

const gt = (stem: string): string => readFileSync(join(CORPUS, 'synthetic', `${stem}.gt.txt`), 'utf8');

describe('watched folders with OCR', () => {
  it('ingests a PDF written slowly over several seconds once, after it is complete, with correct text', async () => {
    // A stable but incomplete file is handed over anyway after incompleteGraceMs: far beyond the
    // pauses here, so only the end marker can release the file (and a loaded machine cannot).
    const { root, out, engine } = setup('slow', { incompleteGraceMs: 30_000 });
    const reports = collectReports(engine);
    const folder = engine.watch.add(root, watchOptions({ outDir: out }));
    engine.watch.start();
    await until(engine, 'watching', () => engine.watch.get(folder.id)?.state === 'watching');

    const bytes = readFileSync(join(CORPUS, 'synthetic/s01-letter.pdf'));
    const target = join(root, 'letter.pdf');
    const chunks = 10;
    const step = Math.ceil(bytes.length / chunks);
    let otherQueuedWhileWriting = false;
    for (let i = 0; i < chunks; i++) {
      await appendFile(target, bytes.subarray(i * step, (i + 1) * step));
      // Half way, a pause longer than the settling interval: the size holds still, but the file
      // has no end yet, so it must not be taken. Meanwhile another file arrives and goes through.
      if (i === 4) {
        writeFileSync(join(root, 'other.pdf'), tinyPdf('other'));
        await until(engine, 'other.pdf queued while letter.pdf grows', () =>
          documentPaths(engine).includes(join(root, 'other.pdf')),
        );
        otherQueuedWhileWriting = true;
        await new Promise((r) => setTimeout(r, 1_500));
      } else {
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(documentPaths(engine)).not.toContain(target);
    }
    const writtenAt = Date.now();
    expect(otherQueuedWhileWriting).toBe(true);
    expect(reports.some((r) => r.path === target && /not complete yet/.test(r.message))).toBe(true);

    const letter = await until(engine, 'letter.pdf queued', () => {
      const r = engine.db.prepare('SELECT id, created_at FROM documents WHERE path = ?').get(target) as
        { id: number; created_at: number } | undefined;
      return r;
    });
    expect(letter.created_at).toBeGreaterThanOrEqual(writtenAt - 50);
    const [doc] = await waitForDocuments(engine, [letter.id]);
    expect(doc.state).toBe('done');
    expect(doc.pageCount).toBe(1);
    expect(cer(gt('s01-letter'), readFileSync(join(out, 'letter.txt'), 'utf8')).rate).toBeLessThan(0.02);
    expect(documentPaths(engine)).toEqual([target, join(root, 'other.pdf')].sort());
  });

  it('does not OCR again after a rename, a touch, a copy under another name or in a second watched folder', async () => {
    const { root, out, engine } = setup('same');
    const second = tempDir('wocr-same-2');
    dirs.push(second);
    const a = engine.watch.add(root, watchOptions({ outDir: out }));
    const b = engine.watch.add(second, watchOptions({ outDir: join(out, 'second') }));
    engine.watch.start();
    copyFileSync(join(CORPUS, 'synthetic/s08-image-png.png'), join(root, 'scan.png'));
    const first = await until(engine, 'scan.png queued', () => ids(engine)[0]);
    const [done] = await waitForDocuments(engine, [first]);
    expect(done.state).toBe('done');
    expect(ocrPages(engine)).toBe(1);

    renameSync(join(root, 'scan.png'), join(root, 'renamed.png'));
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'renamed.png'), later, later); // touched
    copyFileSync(join(root, 'renamed.png'), join(root, 'copy.png'));
    copyFileSync(join(root, 'renamed.png'), join(second, 'dropped-here-too.png'));
    const seen = (): number =>
      (engine.db.prepare('SELECT count(*) AS n FROM watch_files').get() as { n: number }).n;
    await until(engine, 'the three new names recorded', () => seen() === 4);
    await engine.watch.rescan(a.id);
    await engine.watch.rescan(b.id);

    expect(ids(engine)).toEqual([first]);
    expect(ocrPages(engine)).toBe(1);
    expect(engine.watch.get(a.id)?.stats).toMatchObject({ ingested: 1, duplicates: 2, done: 1 });
    expect(engine.watch.get(b.id)?.stats).toMatchObject({ ingested: 0, duplicates: 1 });

    // A changed file is new content: it is queued (its outputs replace the ones of its old content).
    engine.setPaused(true);
    copyFileSync(join(CORPUS, 'synthetic/s09-photo-jpeg.jpg'), join(root, 'copy.png'));
    await until(engine, 'the changed file queued', () => ids(engine).length === 2);
    const changed = engine.read.documents(ids(engine))[1];
    expect(changed.path).toBe(join(root, 'copy.png'));
    expect(changed.output.overwrite).toBe(true);
  });

  it('writes again, from the stored results, an output deleted while the app was closed; an edited one is kept', async () => {
    const root = tempDir('wocr-rebuild');
    const out = tempDir('wocr-rebuild-out');
    const dbDir = tempDir('wocr-rebuild-db');
    dirs.push(root, out, dbDir);
    const engine = newEngine(dbDir);
    engines.push(engine);
    engine.start();
    engine.watch.add(root, watchOptions({ outDir: out }));
    engine.watch.start();
    const samples = join(import.meta.dirname, '../../samples');
    copyFileSync(join(samples, 'memo.tif'), join(root, 'scan.tif'));
    copyFileSync(join(samples, 'notice.jpg'), join(root, 'note.jpg'));
    await until(engine, 'both queued', () => ids(engine).length === 2);
    const docs = await waitForDocuments(engine, ids(engine));
    expect(docs.map((d) => d.state)).toEqual(['done', 'done']);
    const pagesBefore = engine.db.prepare('SELECT id, attempts, finished_at FROM pages ORDER BY id').all();
    const text = readFileSync(join(out, 'scan.txt'), 'utf8');
    await engines.pop()!.stop();

    // While the app is closed: one output deleted, another edited.
    rmSync(join(out, 'scan.txt'));
    await appendFile(join(out, 'note.txt'), '\nfiled under 2024\n');
    const edited = readFileSync(join(out, 'note.txt'), 'utf8');

    const again = newEngine(dbDir);
    engines.push(again);
    const reports = collectReports(again);
    again.start();
    again.watch.start();
    await until(again, 'scan.txt written again', () => existsSync(join(out, 'scan.txt')), 120_000);
    await waitForDocuments(again, ids(again));
    expect(readFileSync(join(out, 'scan.txt'), 'utf8')).toBe(text);
    expect(readFileSync(join(out, 'note.txt'), 'utf8'), 'the edit is kept').toBe(edited);
    expect(
      again.db.prepare('SELECT id, attempts, finished_at FROM pages ORDER BY id').all(),
      'no OCR again',
    ).toEqual(pagesBefore);
    expect(reports).toEqual(
      expect.arrayContaining([
        {
          path: join(out, 'scan.txt'),
          message: 'output was missing: written again from the stored results (no OCR again)',
        },
        { path: join(out, 'note.txt'), message: 'output changed since it was written: kept as it is' },
      ]),
    );
  });

  it('never ingests its own outputs: an output folder inside the watched folder, or outputs next to the source', async () => {
    const { root, engine } = setup('loop');
    const inside = join(root, 'ocr');
    const nextTo = tempDir('wocr-loop-next');
    dirs.push(nextTo);
    const a = engine.watch.add(root, watchOptions({ outDir: inside }));
    const b = engine.watch.add(nextTo, watchOptions({ outDir: null }));
    engine.watch.start();
    copyFileSync(join(CORPUS, 'synthetic/s08-image-png.png'), join(root, 'scan.png'));
    copyFileSync(join(CORPUS, 'synthetic/s01-letter.pdf'), join(nextTo, 'letter.pdf'));
    await until(engine, 'two documents', () => ids(engine).length === 2);
    const rows = await waitForDocuments(engine, ids(engine));
    expect(rows.map((r) => r.state)).toEqual(['done', 'done']);
    expect(readdirSync(inside).sort()).toEqual(['scan.pdf', 'scan.txt']);
    expect(readdirSync(nextTo).sort()).toEqual(['letter.ocr.pdf', 'letter.ocr.txt', 'letter.pdf']);
    // Outputs were written while the folders were watched; give any event time to settle, then rescan.
    await new Promise((r) => setTimeout(r, 1_500));
    await engine.watch.rescan(a.id);
    await engine.watch.rescan(b.id);
    expect(documentPaths(engine)).toEqual([join(nextTo, 'letter.pdf'), join(root, 'scan.png')].sort());
    expect(ocrPages(engine)).toBe(2);
  });

  it('moves originals into processed/ and failed/ (with a reason), bad files mixed in, never overwriting', async () => {
    const { root, out, engine } = setup('move');
    const bad = [
      'empty.pdf',
      'truncated.pdf',
      'random-bytes.pdf',
      'not-an-image.jpg',
      'encrypted-user-password.pdf',
      'huge-dimensions.png',
    ];
    mkdirSync(join(root, 'failed'));
    writeFileSync(join(root, 'failed/empty.pdf'), 'an older file that must survive');
    const folder = engine.watch.add(root, watchOptions({ outDir: out, after: 'move' }));
    engine.watch.start();
    await until(engine, 'watching', () => engine.watch.get(folder.id)?.state === 'watching');
    copyFileSync(join(CORPUS, 'synthetic/s08-image-png.png'), join(root, 'good.png'));
    for (const f of bad) copyFileSync(join(CORPUS, 'bad', f), join(root, f));
    // The same PNG under a .pdf name: recognised as the PNG it is, and as content already queued.
    copyFileSync(join(CORPUS, 'bad/png-renamed.pdf'), join(root, 'png-renamed.pdf'));

    const left = (): string[] => readdirSync(root).filter((n) => !['processed', 'failed'].includes(n));
    await until(engine, 'every original moved aside', () => left().length === 0, 90_000);
    await engine.watch.idle();

    expect(readdirSync(join(root, 'processed')).sort()).toEqual(['good.png', 'png-renamed.pdf']);
    const failed = readdirSync(join(root, 'failed')).sort();
    const expectedFailed = bad.map((f) => (f === 'empty.pdf' ? 'empty (2).pdf' : f));
    expect(failed).toEqual(
      [...expectedFailed, ...expectedFailed.map((f) => `${f}.reason.txt`), 'empty.pdf'].sort(),
    );
    expect(readFileSync(join(root, 'failed/empty.pdf'), 'utf8')).toBe('an older file that must survive');
    const reason = (f: string): string => readFileSync(join(root, 'failed', `${f}.reason.txt`), 'utf8');
    expect(reason('empty (2).pdf')).toMatch(/empty/);
    expect(reason('encrypted-user-password.pdf')).toMatch(/password protected/);
    expect(reason('huge-dimensions.png')).toMatch(/100000 × 100000|too large|limit/i);
    expect(reason('random-bytes.pdf')).toMatch(/not a valid PDF|not a PDF/);
    expect(reason('truncated.pdf')).toMatch(/damaged|incomplete/);
    expect(reason('not-an-image.jpg')).toMatch(/not a valid JPEG/);
    // The good one has its outputs; nothing under processed/ or failed/ was ever queued.
    expect(readdirSync(out).sort()).toEqual(['good.pdf', 'good.txt']);
    expect(cer(gt('s08-image-png'), readFileSync(join(out, 'good.txt'), 'utf8')).rate).toBeLessThan(0.02);
    await engine.watch.rescan(folder.id);
    expect(documentPaths(engine).filter((p) => p.includes('/processed/') || p.includes('/failed/'))).toEqual(
      [],
    );
    expect(documentPaths(engine)).toHaveLength(bad.length + 1);
    expect(engine.watch.get(folder.id)?.stats).toMatchObject({
      ingested: bad.length + 1,
      duplicates: 1,
      done: 1,
      failed: bad.length,
      inQueue: 0,
    });
  });

  it('takes a new scan dropped under the name of one already processed: new outputs beside the old, none overwritten', async () => {
    const { root, out, engine } = setup('reuse');
    const folder = engine.watch.add(root, watchOptions({ outDir: out, after: 'move' }));
    engine.watch.start();
    copyFileSync(join(CORPUS, 'synthetic/s08-image-png.png'), join(root, 'scan.png'));
    await until(
      engine,
      'the first scan moved aside',
      () => existsSync(join(root, 'processed/scan.png')),
      90_000,
    );
    // The scanner names the next one the same (a PDF under a .png name: the content decides).
    copyFileSync(join(CORPUS, 'synthetic/s01-letter.pdf'), join(root, 'scan.png'));
    await until(
      engine,
      'the second scan moved aside',
      () => readdirSync(join(root, 'processed')).length === 2,
      90_000,
    );
    expect(readdirSync(join(root, 'processed')).sort()).toEqual(['scan (2).png', 'scan.png']);
    expect(readdirSync(out).sort()).toEqual(['scan (2).pdf', 'scan (2).txt', 'scan.pdf', 'scan.txt']);
    expect(cer(gt('s08-image-png'), readFileSync(join(out, 'scan.txt'), 'utf8')).rate).toBeLessThan(0.02);
    expect(cer(gt('s01-letter'), readFileSync(join(out, 'scan (2).txt'), 'utf8')).rate).toBeLessThan(0.02);
    expect(engine.watch.get(folder.id)?.stats).toMatchObject({ ingested: 2, done: 2, failed: 0 });
  });
});
