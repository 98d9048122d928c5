/**
 * The page limit as a stored setting: checked with a reason at the API, applied at once by a running
 * engine (real worker, real SQLite), used by `bulk-ocr watch` and `run` as their default, and overridden by
 * `--max-pages`. The image limit (Settings' "Largest image", `--max-image-mpixels`) the same way.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '../../src/main/api/router.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import type { Settings } from '../../src/shared/api.ts';
import { CORPUS, tempDir, waitForDocuments } from '../helpers/engineRun.ts';

const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
/** Five pages: refused under a limit of 4, taken under 5. */
const FIVE_PAGES = 's02-report-5p.pdf';

let dir: string;
let engine: Engine | null = null;
let router: Router | null = null;
afterEach(async () => {
  router?.close();
  await engine?.stop();
  router = null;
  engine = null;
  rmSync(dir, { recursive: true, force: true });
});

function open(): { engine: Engine; router: Router; input: string; db: string } {
  dir = tempDir('max-pages');
  const input = join(dir, 'in');
  mkdirSync(input);
  copyFileSync(join(CORPUS, 'synthetic', FIVE_PAGES), join(input, FIVE_PAGES));
  const db = join(dir, 'queue.db');
  engine = new Engine({ dbPath: db, spawn: forkSpawner(), jobs: 1 });
  router = createRouter({ engine, version: 'test', coalesceMs: 20 });
  return { engine, router, input, db };
}

describe('the image limit setting', () => {
  it('refuses a bad value with a reason; applies at once: an image over it is refused with its size and how to raise it, raised it is opened', async () => {
    const { engine, router, input } = open();
    const image = join(input, 's08-image-png.png');
    copyFileSync(join(CORPUS, 'synthetic', 's08-image-png.png'), image);
    rmSync(join(input, FIVE_PAGES));
    expect(await router.call('settings.get', [])).toMatchObject({
      ok: true,
      value: { maxImageMpixels: 150 },
    });
    for (const bad of [0, 2.5, 10_001, '9'])
      expect(await router.call('settings.set', [{ maxImageMpixels: bad }])).toMatchObject({
        ok: false,
        error: {
          code: 'BAD_REQUEST',
          message: expect.stringMatching(
            /the image limit must be a whole number of megapixels from 1 to 10,000/,
          ) as string,
        },
      });
    engine.start();
    expect(await router.call('settings.set', [{ maxImageMpixels: 1 }])).toMatchObject({ ok: true });
    await router.call('queue.add', [{ paths: [input] }]);
    const docIds = ((await router.call('queue.ids', [{}])) as { ok: true; value: number[] }).value;
    const [refused] = await waitForDocuments(engine, docIds, 60_000);
    expect(refused).toMatchObject({ state: 'failed', error: { code: 'TOO_LARGE' } });
    expect(refused.error?.message).toMatch(
      /the image is 2550 × 3300 pixels \(8.4 megapixels\); the limit is 1 megapixels; .*--max-image-mpixels 9 .*"Largest image" in Settings/,
    );
    // Raised and retried: opened by the same engine (its page is queued), no restart.
    await router.call('settings.set', [{ maxImageMpixels: 9 }]);
    await router.call('queue.retry', [docIds]);
    const until = Date.now() + 60_000;
    while (engine.read.documents(docIds)[0].pageCount !== 1) {
      if (Date.now() > until)
        throw new Error(`not opened: ${JSON.stringify(engine.read.documents(docIds)[0])}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(engine.read.documents(docIds)[0].error).toBeNull();
  });
});

describe('the page limit setting', () => {
  it('is 10,000 by default, and a bad value is refused with a reason and not stored', async () => {
    const { router } = open();
    expect(await router.call('settings.get', [])).toMatchObject({ ok: true, value: { maxPages: 10_000 } });
    for (const bad of [0, -5, 2.5, 1_000_001, '500', null]) {
      const r = await router.call('settings.set', [{ maxPages: bad }]);
      expect(r).toMatchObject({
        ok: false,
        error: {
          code: 'BAD_REQUEST',
          message: expect.stringMatching(
            /the page limit must be a whole number of pages from 1 to 1,000,000/,
          ) as string,
        },
      });
    }
    expect(await router.call('settings.get', [])).toMatchObject({ ok: true, value: { maxPages: 10_000 } });
    expect(await router.call('settings.set', [{ maxPages: 1_000_000 }])).toMatchObject({
      ok: true,
      value: { maxPages: 1_000_000 },
    });
  });

  it('applies at once in a running engine: a longer document is refused with the limit in its reason; raised, it is taken', async () => {
    const { engine, router, input } = open();
    engine.start();
    expect(await router.call('settings.set', [{ maxPages: 4 }])).toMatchObject({ ok: true });
    const added = await router.call('queue.add', [{ paths: [input] }]);
    expect(added).toMatchObject({ ok: true, value: { queued: 1 } });
    const ids = await router.call('queue.ids', [{}]);
    const docIds = (ids as { ok: true; value: number[] }).value;
    const [refused] = await waitForDocuments(engine, docIds, 60_000);
    expect(refused).toMatchObject({ state: 'failed', error: { code: 'TOO_LARGE' } });
    expect(refused.error?.message).toMatch(/5 pages; the limit is 4 pages per document/);

    // Raised and retried: the same engine opens it (its pages are queued), no restart.
    await router.call('settings.set', [{ maxPages: 5 }]);
    await router.call('queue.retry', [docIds]);
    const until = Date.now() + 60_000;
    while (engine.read.documents(docIds)[0].pageCount !== 5) {
      if (Date.now() > until)
        throw new Error(`not opened: ${JSON.stringify(engine.read.documents(docIds)[0])}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(engine.read.documents(docIds)[0].error).toBeNull();
  });

  it('is the default of bulk-ocr watch and run, and --max-pages overrides it', async () => {
    const { input, db, ...first } = open();
    // Stored through the API by the app, then the app is closed.
    await first.router.call('settings.set', [{ maxPages: 4 } satisfies Partial<Settings>]);
    first.router.close();
    await first.engine.stop();
    engine = null;
    router = null;
    // bulk-ocr watch: the folder's file is refused under the stored limit.
    const watch = spawn(
      process.execPath,
      [BIN, 'watch', input, '--settle', '0.3', '--jobs', '1', '--db', db],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    watch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((r) => watch.once('exit', r));
    const until = Date.now() + 60_000;
    while (!/failed +.*s02-report-5p\.pdf: .*5 pages; the limit is 4 pages per document/.test(stderr)) {
      if (Date.now() > until || watch.exitCode !== null)
        throw new Error(`watch did not refuse it:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    watch.kill('SIGINT');
    await exited;

    const run = (extra: string[]) => {
      const r = spawnSync(process.execPath, [BIN, 'run', input, '--db', db, '--json', ...extra], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      return { status: r.status, summary: JSON.parse(r.stdout) as { failures: { message: string }[] } };
    };
    const stored = run([]);
    expect(stored.status).toBe(1);
    expect(stored.summary.failures[0].message).toMatch(/5 pages; the limit is 4 pages per document/);
    const overridden = run(['--max-pages', '3']);
    expect(overridden.status).toBe(1);
    expect(overridden.summary.failures[0].message).toMatch(/5 pages; the limit is 3 pages per document/);
  });
});
