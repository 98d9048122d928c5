import { mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/main/engine/engine.ts';
import { tempDir } from '../helpers/engineRun.ts';
import {
  collectReports,
  documentPaths,
  newEngine,
  tinyPdf,
  until,
  watchOptions,
} from '../helpers/watchRun.ts';

/**
 * Watched folders, queue side: real file system, real chokidar, a real engine and SQLite file.
 * The engine is globally paused in these tests, so what is checked is what got queued (exactly
 * once, none missed) without OCR-ing a thousand files; the OCR side is in watch-ocr.test.ts.
 */
const engines: Engine[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(name: string): { root: string; db: string; engine: Engine } {
  const root = tempDir(`watch-${name}`);
  const db = tempDir(`watch-${name}-db`);
  dirs.push(root, db);
  const engine = newEngine(db);
  engines.push(engine);
  engine.setPaused(true);
  engine.start();
  return { root, db, engine };
}

function docCount(engine: Engine): number {
  return (engine.db.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n;
}

describe('watched folder intake (engine paused: queue rows only)', () => {
  it('queues each of 1,000 files copied in at once exactly once, and misses none', async () => {
    const { root, engine } = setup('burst');
    const staging = tempDir('watch-burst-src');
    dirs.push(staging);
    const names = Array.from({ length: 1000 }, (_, i) => `scan-${String(i).padStart(4, '0')}.pdf`);
    for (const [i, n] of names.entries()) writeFileSync(join(staging, n), tinyPdf(i));
    const folder = engine.watch.add(root, watchOptions());
    engine.watch.start();
    await until(engine, 'the folder to be watched', () => engine.watch.get(folder.id)?.state === 'watching');

    await Promise.all(names.map((n) => copyFile(join(staging, n), join(root, n))));
    await until(engine, '1,000 documents', () => docCount(engine) >= 1000, 90_000);
    await engine.watch.rescan(folder.id); // the catch-up rescan finds nothing new
    await engine.watch.idle();

    const paths = documentPaths(engine);
    expect(paths).toHaveLength(1000);
    expect(paths).toEqual(names.map((n) => join(root, n)).sort());
    const rows = engine.db.prepare(`SELECT kind, count(*) AS n FROM watch_files GROUP BY kind`).all() as {
      kind: string;
      n: number;
    }[];
    expect(rows).toEqual([{ kind: 'ingested', n: 1000 }]);
    expect(engine.watch.get(folder.id)?.stats).toMatchObject({
      ingested: 1000,
      inQueue: 1000,
      duplicates: 0,
    });
    const sources = engine.db.prepare(`SELECT DISTINCT source FROM documents`).all();
    expect(sources).toEqual([{ source: 'watch' }]);
  });

  it('queues files added while the engine was stopped at the next start, and nothing twice', async () => {
    const { root, db, engine } = setup('stopped');
    const folder = engine.watch.add(root, watchOptions());
    writeFileSync(join(root, 'before.pdf'), tinyPdf('before'));
    engine.watch.start();
    await until(engine, 'the first file', () => docCount(engine) === 1);
    await engines.pop()!.stop();

    // The app is closed: three files arrive, one in a subfolder.
    mkdirSync(join(root, 'sub'));
    for (const n of ['a.pdf', 'b.pdf', 'sub/c.pdf']) writeFileSync(join(root, n), tinyPdf(n));

    const again = newEngine(db);
    engines.push(again);
    again.start();
    // Stored folders resume: no add needed.
    expect(again.watch.list().map((f) => f.path)).toEqual([root]);
    again.watch.start();
    await until(again, 'four documents', () => docCount(again) === 4);
    await again.watch.rescan(folder.id);
    expect(documentPaths(again)).toEqual(
      ['a.pdf', 'b.pdf', 'before.pdf', 'sub/c.pdf'].map((n) => join(root, n)).sort(),
    );
  });

  it('polls a folder whose file events are switched off, subfolders included', async () => {
    const { root, engine } = setup('poll');
    const folder = engine.watch.add(root, watchOptions({ detection: 'polling' }));
    engine.watch.start();
    const polling = await until(engine, 'polling', () => {
      const f = engine.watch.get(folder.id);
      return f?.state === 'polling' && f;
    });
    expect(polling.stateReason).toMatch(/polling chosen/);
    mkdirSync(join(root, 'deep/er'), { recursive: true });
    writeFileSync(join(root, 'one.pdf'), tinyPdf(1));
    writeFileSync(join(root, 'deep/er/two.pdf'), tinyPdf(2));
    await until(engine, 'two documents', () => docCount(engine) === 2);
    expect(documentPaths(engine)).toEqual([join(root, 'deep/er/two.pdf'), join(root, 'one.pdf')]);
  });

  it('ignores hidden, temporary and partial names, our outputs, processed/, failed/ and the output folder', async () => {
    const { root, engine } = setup('ignore');
    const out = join(root, 'ocr-out');
    for (const d of ['processed', 'failed', 'ocr-out/sub', '.hidden-dir', 'sub'])
      mkdirSync(join(root, d), { recursive: true });
    const ignored = [
      '.hidden.pdf',
      'download.pdf.part',
      'scan.pdf.crdownload',
      '~$letter.pdf',
      'work.tmp',
      'letter.ocr.pdf',
      'letter.ocr.alto.xml',
      'letter.ocr.hocr',
      'processed/done.pdf',
      'failed/bad.pdf',
      'ocr-out/sub/result.pdf',
      '.hidden-dir/x.pdf',
      'notes.txt',
      'sub/letter.pdf.reason.txt',
    ];
    for (const n of ignored) writeFileSync(join(root, n), tinyPdf(n));
    const folder = engine.watch.add(root, watchOptions({ outDir: out }));
    engine.watch.start();
    writeFileSync(join(root, 'sub/wanted.pdf'), tinyPdf('wanted'));
    // Written after the start too, so the events path is checked as well as the start-up scan.
    writeFileSync(join(root, 'later.pdf.part'), tinyPdf('later'));
    writeFileSync(join(root, 'ocr-out/sub/later.pdf'), tinyPdf('later-out'));
    await until(engine, 'the wanted file', () => docCount(engine) >= 1);
    await engine.watch.rescan(folder.id);
    await new Promise((r) => setTimeout(r, 1_000)); // anything ignored would have settled by now
    expect(documentPaths(engine)).toEqual([join(root, 'sub/wanted.pdf')]);
  });

  it('waits for a folder that goes away (unplugged) and catches up when it comes back', async () => {
    const { root, engine } = setup('gone');
    const folder = engine.watch.add(root, watchOptions());
    engine.watch.start();
    await until(engine, 'watching', () => engine.watch.get(folder.id)?.state === 'watching');
    const away = `${root}-away`;
    dirs.push(away);
    renameSync(root, away);
    const gone = await until(engine, 'unavailable', () => {
      const f = engine.watch.get(folder.id);
      return f?.state === 'unavailable' && f;
    });
    expect(gone.stateReason).toMatch(/missing/);
    writeFileSync(join(away, 'while-away.pdf'), tinyPdf('away'));
    renameSync(away, root);
    await until(engine, 'watching again', () => engine.watch.get(folder.id)?.state === 'watching');
    await until(engine, 'the file written while away', () => docCount(engine) === 1);
    expect(documentPaths(engine)).toEqual([join(root, 'while-away.pdf')]);
  });

  it('reports and skips a file deleted before its turn; the others go on', async () => {
    const { root, engine } = setup('deleted');
    const reports = collectReports(engine);
    const folder = engine.watch.add(root, watchOptions());
    engine.watch.start();
    await until(engine, 'watching', () => engine.watch.get(folder.id)?.state === 'watching');
    // Deleted while still being written (no %%EOF yet: it never settles as complete).
    writeFileSync(join(root, 'half.pdf'), '%PDF-1.4\n% half written, more to come\n');
    await until(engine, 'half.pdf waiting', () =>
      reports.some((r) => r.path?.endsWith('half.pdf') && /not complete yet/.test(r.message)),
    );
    unlinkSync(join(root, 'half.pdf'));
    await until(engine, 'the deletion reported', () =>
      reports.some((r) => r.path?.endsWith('half.pdf') && /deleted or moved away/.test(r.message)),
    );
    // Deleted after it was queued, before the engine opened it.
    writeFileSync(join(root, 'gone.pdf'), tinyPdf('gone'));
    writeFileSync(join(root, 'kept.pdf'), tinyPdf('kept'));
    await until(engine, 'two documents', () => docCount(engine) === 2);
    unlinkSync(join(root, 'gone.pdf'));
    engine.setPaused(false);
    const gone = await until(engine, 'gone.pdf to fail', () => {
      const d = engine.db
        .prepare(`SELECT state, error_code, error_message FROM documents WHERE path = ?`)
        .get(join(root, 'gone.pdf')) as { state: string; error_code: string; error_message: string };
      return d.state === 'failed' && d;
    });
    expect(gone.error_code).toBe('NOT_FOUND');
    expect(gone.error_message).toMatch(/moved or deleted/);
    expect(documentPaths(engine)).toEqual([join(root, 'gone.pdf'), join(root, 'kept.pdf')]);
  });
});
