import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvents } from '../../src/shared/api.ts';
import type { WatchFolderRow } from '../../src/shared/model.ts';
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
    expect(engine.counts().documents.total).toBe(1);
  });
});
