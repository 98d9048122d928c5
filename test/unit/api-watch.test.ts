import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvents } from '../../src/shared/api.ts';
import type { WatchFolderOptions, WatchFolderRow } from '../../src/shared/model.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { createRouter, type Router } from '../../src/main/api/router.ts';
import type { SpawnWorker } from '../../src/main/worker/protocol.ts';
import { FAST, tinyPdf } from '../helpers/watchRun.ts';

// The engine is never started: files are queued, no worker is spawned. The watchers are real.
const noSpawn: SpawnWorker = () => {
  throw new Error('no workers in router tests');
};

let dir: string;
let engine: Engine;
let router: Router;
const pushes: ApiEvents['watch.changed'][] = [];
const docPushes: ApiEvents['document.changed'][] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulk-ocr-api-watch-'));
  mkdirSync(join(dir, 'scans'));
  engine = new Engine({ dbPath: join(dir, 'queue.db'), spawn: noSpawn, jobs: 1, watchTimings: FAST });
  router = createRouter({ engine, version: '1', coalesceMs: 20 });
  router.subscribe((event, payload) => {
    if (event === 'watch.changed') pushes.push(payload as ApiEvents['watch.changed']);
    if (event === 'document.changed') docPushes.push(payload as ApiEvents['document.changed']);
  });
  engine.watch.start();
});
afterEach(async () => {
  router.close();
  await engine.stop();
  pushes.length = 0;
  docPushes.length = 0;
  rmSync(dir, { recursive: true, force: true });
});

async function pushed(what: string, test: (f: WatchFolderRow[]) => boolean): Promise<WatchFolderRow[]> {
  const until = Date.now() + 20_000;
  for (;;) {
    const hit = pushes.find((p) => test(p.folders));
    if (hit) return hit.folders;
    if (Date.now() > until)
      throw new Error(`no watch.changed push with ${what}: ${JSON.stringify(pushes.at(-1))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('watch.* API', () => {
  it('refuses a relative path, a missing folder and a file, with codes', async () => {
    expect(await router.call('watch.add', [{ path: 'scans' }])).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await router.call('watch.add', [{ path: join(dir, 'nope') }])).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: expect.stringMatching(/no such folder/) as string },
    });
    writeFileSync(join(dir, 'file.pdf'), 'x');
    expect(await router.call('watch.add', [{ path: join(dir, 'file.pdf') }])).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/not a folder/) as string },
    });
    expect(
      await router.call('watch.add', [{ path: join(dir, 'scans'), options: { after: 'delete' } }]),
    ).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await router.call('watch.remove', [99])).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('adds a folder with the settings as defaults, pushes its state and what it ingested, updates and removes it', async () => {
    await router.call('settings.set', [{ formats: ['txt'] }]);
    const added = await router.call('watch.add', [{ path: join(dir, 'scans'), options: { after: 'move' } }]);
    expect(added).toMatchObject({
      ok: true,
      value: {
        path: join(dir, 'scans'),
        options: { formats: ['txt'], after: 'move', recursive: true, detection: 'auto' },
      },
    });
    const id = (added as { value: WatchFolderRow }).value.id;
    await pushed('watching', (f) => f[0]?.state === 'watching');

    writeFileSync(join(dir, 'scans', 'a.pdf'), tinyPdf('a'));
    const folders = await pushed('one ingested', (f) => f[0]?.stats.ingested === 1);
    expect(folders[0].stats).toMatchObject({ ingested: 1, inQueue: 1, duplicates: 0 });
    expect(
      docPushes.some((p) =>
        p.rows.some((r) => r.path === join(dir, 'scans', 'a.pdf') && r.source === 'watch'),
      ),
    ).toBe(true);
    const list = await router.call('watch.list', []);
    expect(list).toMatchObject({ ok: true, value: [{ id, state: 'watching' }] });

    const updated = await router.call('watch.update', [id, { detection: 'polling' }]);
    expect(updated).toMatchObject({ ok: true, value: { options: { detection: 'polling', after: 'move' } } });
    const polling = await pushed('polling', (f) => f[0]?.state === 'polling');
    expect(polling[0].stateReason).toMatch(/polling/);
    expect(await router.call('watch.rescan', [id])).toEqual({ ok: true, value: undefined });

    expect(await router.call('watch.remove', [id])).toEqual({ ok: true, value: undefined });
    await pushed('the folder gone', (f) => f.length === 0);
    expect(await router.call('watch.list', [])).toEqual({ ok: true, value: [] });
    // The queued document stays.
    expect(engine.read.counts().documents.total).toBe(1);
  });
});

describe('watch.update', () => {
  async function added(options: Partial<WatchFolderOptions> = {}): Promise<WatchFolderRow> {
    const r = await router.call('watch.add', [{ path: join(dir, 'scans'), options }]);
    if (!r.ok) throw new Error(r.error.message);
    return r.value as WatchFolderRow;
  }

  it('refuses bad options with the field to blame, and keeps the stored ones', async () => {
    const { id, options } = await added({ outDir: join(dir, 'out') });
    writeFileSync(join(dir, 'a-file'), 'x');
    const refusals: [Record<string, unknown>, string, RegExp][] = [
      [{ outDir: 'relative/out' }, 'outDir', /must be a full path/],
      [{ outDir: join(dir, 'scans') }, 'outDir', /cannot be the watched folder or a folder that contains it/],
      [{ outDir: dir }, 'outDir', /cannot be the watched folder or a folder that contains it/],
      [{ outDir: join(dir, 'a-file') }, 'outDir', /is a file, not a folder/],
      [{ ocr: { languages: ['kor'], dpi: 300, mode: 'auto' } }, 'ocr.languages', /kor is not installed/],
      [{ priority: 12 }, 'priority', /.+/],
      [{ formats: [] }, 'formats', /.+/],
    ];
    for (const [patch, field, reason] of refusals) {
      const r = await router.call('watch.update', [id, patch]);
      expect(r.ok, JSON.stringify(patch)).toBe(false);
      if (r.ok) continue;
      expect(r.error.code).toBe('BAD_REQUEST');
      expect(Object.keys(r.error.fields ?? {}), JSON.stringify(patch)).toEqual([field]);
      expect(r.error.fields?.[field]).toMatch(reason);
    }
    expect(await router.call('watch.list', [])).toMatchObject({ ok: true, value: [{ id, options }] });
    // watch.add names its fields the same way, inside `options`.
    mkdirSync(join(dir, 'other'));
    const add = await router.call('watch.add', [{ path: join(dir, 'other'), options: { outDir: 'x' } }]);
    expect(add).toMatchObject({
      ok: false,
      error: { fields: { 'options.outDir': expect.any(String) as string } },
    });
    const relative = await router.call('watch.add', [{ path: 'other' }]);
    expect(relative).toMatchObject({ ok: false, error: { fields: { path: expect.any(String) as string } } });
    expect(await router.call('watch.update', [99, { recursive: false }])).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('takes effect at once: the folder is watched again with the new options', async () => {
    mkdirSync(join(dir, 'scans', 'sub'));
    const { id } = await added({ recursive: true });
    await pushed('watching', (f) => f[0]?.state === 'watching');
    const updated = await router.call('watch.update', [id, { recursive: false, outDir: join(dir, 'ocr') }]);
    expect(updated).toMatchObject({
      ok: true,
      value: { options: { recursive: false, outDir: join(dir, 'ocr') } },
    });
    // The row returned is the restarted watcher's, not a stopped one.
    expect((updated as { value: WatchFolderRow }).value.state).not.toBe('stopped');
    writeFileSync(join(dir, 'scans', 'sub', 'deep.pdf'), tinyPdf('deep'));
    writeFileSync(join(dir, 'scans', 'top.pdf'), tinyPdf('top'));
    await pushed('one ingested', (f) => f[0]?.stats.ingested === 1);
    await router.call('watch.rescan', [id]);
    const docs = engine.db.prepare('SELECT path, output_stem FROM documents').all() as {
      path: string;
      output_stem: string;
    }[];
    // Only the top-level file: subfolders are no longer watched; its outputs go to the new folder.
    expect(docs).toEqual([{ path: join(dir, 'scans', 'top.pdf'), output_stem: join(dir, 'ocr', 'top') }]);
    expect(await router.call('watch.list', [])).toMatchObject({
      ok: true,
      value: [{ id, options: { recursive: false }, stats: { ingested: 1 } }],
    });
  });

  it('two quick edits leave one watcher: after stopping, nothing of the folder runs', async () => {
    const { id } = await added();
    await pushed('watching', (f) => f[0]?.state === 'watching');
    const reports: string[] = [];
    engine.events.on('watchReport', (r) => reports.push(r.message));
    const [a, b] = await Promise.all([
      router.call('watch.update', [id, { detection: 'polling' }]),
      router.call('watch.update', [id, { detection: 'events' }]),
    ]);
    expect(a.ok && b.ok).toBe(true);
    await engine.watch.stop();
    reports.length = 0;
    // A watcher left running would find its folder gone at its next presence check and say so.
    rmSync(join(dir, 'scans'), { recursive: true });
    await new Promise((r) => setTimeout(r, 5 * FAST.availabilityEveryMs));
    expect(reports).toEqual([]);
  });
});
