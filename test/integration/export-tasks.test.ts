/**
 * Exports asked for after recognition (the export dialog), and page pictures for the page view:
 * a real SQLite file, real worker processes, real OCR, real files on disk.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import { openDatabase } from '../../src/main/engine/store/db.ts';
import { exportBatch, failedExports } from '../../src/main/engine/store/exportTasks.ts';
import type { ExportBatch, ExportOptions } from '../../src/shared/exports.ts';
import { CORPUS, ingestRequest, runEngine, tempDir, waitForDocuments } from '../helpers/engineRun.ts';

let engine: Engine | null = null;
const dirs: string[] = [];

afterEach(async () => {
  await engine?.stop();
  engine = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(prefix: string): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}

/** Resolves when no task of the batch is queued or running. */
function waitForBatch(e: Engine, batchId: number, timeoutMs = 120_000): Promise<ExportBatch> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const b = exportBatch(e.db, batchId, 100);
      if (b && b.counts.queued + b.counts.running === 0) {
        clearTimeout(timer);
        e.events.off('export', check);
        resolve(b);
      }
    };
    const timer = setTimeout(() => {
      e.events.off('export', check);
      reject(new Error(`batch ${batchId} not finished: ${JSON.stringify(exportBatch(e.db, batchId, 100))}`));
    }, timeoutMs);
    e.events.on('export', check);
    check();
  });
}

/** A corpus of two scans in a sub-folder, recognised once into the queue's own output folder. */
async function recognised(): Promise<{ input: string; ids: number[] }> {
  const input = dir('exp-in');
  mkdirSync(join(input, 'letters'));
  copyFileSync(join(CORPUS, 'real/phototest.tif'), join(input, 'letters/photo.tif'));
  copyFileSync(join(CORPUS, 'synthetic/s08-image-png.png'), join(input, 's08.png'));
  const run = await runEngine([input], dir('exp-queue-out'), { jobs: 1 }, { formats: ['txt'] });
  engine = run.engine;
  expect(run.rows.map((r) => r.state)).toEqual(['done', 'done']);
  return { input, ids: run.rows.map((r) => r.id) };
}

describe('export tasks', () => {
  it('exports done documents into a chosen folder mirroring the structure, as txt and searchable PDF', async () => {
    const { ids } = await recognised();
    const out = dir('exp-out');
    const options: ExportOptions = {
      formats: ['txt', 'pdf'],
      destination: { kind: 'folder', path: out },
      ifExists: 'skip',
    };
    const started = engine!.exportDocuments(ids, options);
    expect(started).toMatchObject({ queued: 2, notReady: [] });
    const batch = await waitForBatch(engine!, started.batchId!);
    expect(batch.counts).toMatchObject({ written: 2, failed: 0, total: 2 });
    expect(readFileSync(join(out, 'letters/photo.txt'), 'utf8')).toMatch(/quick brown dog/);
    expect(readFileSync(join(out, 'letters/photo.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(existsSync(join(out, 's08.txt'))).toBe(true);
    const photo = batch.items.find((i) => i.path.endsWith('photo.tif'))!;
    expect(photo.written.sort()).toEqual([join(out, 'letters/photo.pdf'), join(out, 'letters/photo.txt')]);

    // Again with "skip": nothing is touched, and each document says so.
    const before = statSync(join(out, 'letters/photo.txt')).mtimeMs;
    const skipped = await waitForBatch(engine!, engine!.exportDocuments(ids, options).batchId!);
    expect(skipped.counts).toMatchObject({ skipped: 2, written: 0 });
    expect(skipped.items[0].skipped).toHaveLength(2);
    expect(statSync(join(out, 'letters/photo.txt')).mtimeMs).toBe(before);

    // "Keep both": a numbered pair beside the existing files.
    const suffixed = await waitForBatch(
      engine!,
      engine!.exportDocuments([ids[0]], { ...options, ifExists: 'suffix' }).batchId!,
    );
    expect(suffixed.counts.written).toBe(1);
    const stem = suffixed.items[0].written[0].replace(/\.(txt|pdf)$/, '');
    expect(stem.endsWith(' (1)')).toBe(true);
    expect(existsSync(`${stem}.txt`) && existsSync(`${stem}.pdf`)).toBe(true);

    // "Overwrite": replaced with the same text.
    writeFileSync(join(out, 's08.txt'), 'old');
    const s08 = ids.find((id) => engine!.read.document(id)!.path.endsWith('s08.png'))!;
    const over = await waitForBatch(
      engine!,
      engine!.exportDocuments([s08], { ...options, ifExists: 'overwrite', formats: ['txt'] }).batchId!,
    );
    expect(over.counts.written).toBe(1);
    expect(readFileSync(join(out, 's08.txt'), 'utf8')).not.toBe('old');
  });

  it('writes next to the source, reports a failure per document, and refuses documents not done', async () => {
    const { input, ids } = await recognised();
    // The searchable PDF needs the source: take one away.
    const photo = join(input, 'letters/photo.tif');
    rmSync(photo);
    const notDone = await engine!.ingest(ingestRequest([join(CORPUS, 'bad/empty.pdf')], dir('exp-bad-out')));
    const badId = notDone.outcomes[0].id;
    await waitForDocuments(engine!, [badId]);
    const started = engine!.exportDocuments([...ids, badId], {
      formats: ['txt', 'pdf'],
      destination: { kind: 'next-to-source' },
      ifExists: 'skip',
    });
    expect(started.queued).toBe(2);
    expect(started.notReady).toEqual([
      { id: badId, path: join(CORPUS, 'bad/empty.pdf'), reason: expect.stringMatching(/failed/) as string },
    ]);
    const batch = await waitForBatch(engine!, started.batchId!);
    expect(batch.counts).toMatchObject({ written: 1, failed: 1 });
    // Failed first, with the reason in words; nothing half-written next to the missing source.
    expect(batch.items[0]).toMatchObject({ path: photo, state: 'failed', error: { code: 'NOT_FOUND' } });
    expect(batch.items[0].error!.message).toMatch(/no longer exists/);
    expect(existsSync(join(input, 'letters/photo.ocr.txt'))).toBe(false);
    expect(readFileSync(join(input, 's08.ocr.txt'), 'utf8').length).toBeGreaterThan(20);
    expect(existsSync(join(input, 's08.ocr.pdf'))).toBe(true);

    // The failure stays listed until it is redone; once the file is back, a retry writes it.
    expect(failedExports(engine!.db, 10).map((x) => x.path)).toEqual([photo]);
    copyFileSync(join(CORPUS, 'real/phototest.tif'), photo);
    expect(engine!.retryExports([batch.items[0].taskId])).toEqual([started.batchId]);
    const retried = await waitForBatch(engine!, started.batchId!);
    expect(retried.counts).toMatchObject({ written: 2, failed: 0 });
    expect(readFileSync(join(input, 'letters/photo.ocr.txt'), 'utf8')).toMatch(/quick brown dog/);
    expect(failedExports(engine!.db, 10)).toEqual([]);
  });

  it('resumes an export that was running when the app died', async () => {
    const { ids } = await recognised();
    const out = dir('exp-crash');
    // Paused, so the batch stays queued; then it looks as it would after a crash mid-export.
    engine!.setPaused(true);
    const { batchId } = engine!.exportDocuments(ids, {
      formats: ['txt'],
      destination: { kind: 'folder', path: out },
      ifExists: 'skip',
    });
    const dbPath = engine!.db.name;
    await engine!.stop();
    // Leave the tasks as a crash mid-export leaves them: running, leased by an engine that is gone.
    const db = openDatabase(dbPath);
    db.prepare(
      `UPDATE export_tasks SET state = 'running', lease_owner = 'dead', attempts = 1 WHERE batch_id = ?`,
    ).run(batchId);
    db.close();
    engine = new Engine({ dbPath, spawn: forkSpawner(), jobs: 1 });
    expect(engine.start().recovered).toBe(2);
    engine.setPaused(false);
    const batch = await waitForBatch(engine, batchId!);
    expect(batch.counts).toMatchObject({ written: 2, failed: 0 });
    expect(readFileSync(join(out, 'letters/photo.txt'), 'utf8')).toMatch(/quick brown dog/);
  });
});

describe('page pictures for the page view', () => {
  it('renders a page on a free worker without claiming or changing queued work', async () => {
    const { ids } = await recognised();
    const page = engine!.db.prepare('SELECT width, height FROM pages WHERE doc_id = ?').get(ids[0]) as {
      width: number;
      height: number;
    };
    // Queue more work, paused: the picture must not start it, or touch it.
    engine!.setPaused(true);
    const more = await engine!.ingest(ingestRequest([join(CORPUS, 'synthetic')], dir('exp-more')));
    const snapshot = () =>
      engine!.db.prepare('SELECT id, state, lease_owner, attempts FROM documents ORDER BY id').all();
    const before = snapshot();
    const r = await engine!.renderPage({
      path: engine!.read.document(ids[0])!.path,
      pageNo: 1,
      dpi: 100,
      maxSide: 800,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.value.image.subarray(0, 2)]).toEqual([0xff, 0xd8]); // JPEG
    expect(Math.max(r.value.width, r.value.height)).toBe(800);
    // The same geometry as the word boxes: same aspect ratio as the recognised raster.
    expect(r.value.width / r.value.height).toBeCloseTo(page.width / page.height, 2);
    expect(snapshot()).toEqual(before);
    expect(more.outcomes.length).toBeGreaterThan(3);
    const running = engine!.db.prepare(`SELECT count(*) AS n FROM pages WHERE state = 'running'`).get() as {
      n: number;
    };
    expect(running.n).toBe(0);
  });

  it('draws a turned PDF page (/Rotate 90, skewed) upright, in the geometry of its word boxes', async () => {
    const run = await runEngine(
      [join(CORPUS, 'real/rotated_skew.pdf')],
      dir('exp-rot'),
      { jobs: 1 },
      {
        formats: ['txt'],
      },
    );
    engine = run.engine;
    const page = engine.db.prepare('SELECT width, height, dpi, words FROM pages').get() as {
      width: number;
      height: number;
      dpi: number;
      words: string;
    };
    // Landscape media (792 × 612 pt) turned by /Rotate 90: the page as the user sees it is portrait.
    expect(page.height).toBeGreaterThan(page.width);
    const words = JSON.parse(page.words) as [string, number, number, number, number, number][];
    expect(words.length).toBeGreaterThan(50);
    for (const [, x0, y0, x1, y1] of words) {
      expect(x0 >= 0 && y0 >= 0 && x1 <= page.width && y1 <= page.height).toBe(true);
    }
    const r = await engine.renderPage({
      path: join(CORPUS, 'real/rotated_skew.pdf'),
      pageNo: 1,
      dpi: (page.dpi * 1000) / page.height,
      maxSide: 1000,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.height).toBe(1000);
    expect(r.value.width / r.value.height).toBeCloseTo(page.width / page.height, 2);
  });
});
