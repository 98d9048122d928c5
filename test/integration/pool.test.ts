import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/main/engine/engine.ts';
import { CORPUS, faultySpawner, runEngine, tempDir } from '../helpers/engineRun.ts';

const policy = { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 1_000 };
let engine: Engine | null = null;
const dirs: string[] = [];

afterEach(async () => {
  await engine?.stop();
  engine = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A folder with a good image and a copy of it whose name marks it for a fault. */
function inputs(marker: string): { dir: string; good: string; bad: string } {
  const dir = tempDir('pool-in');
  dirs.push(dir);
  const good = join(dir, 'good.tif');
  const bad = join(dir, `${marker}.tif`);
  copyFileSync(join(CORPUS, 'real/phototest.tif'), good);
  // Different bytes, or the duplicate detection would never OCR the marked copy.
  copyFileSync(join(CORPUS, 'synthetic/s08-image-png.png'), bad);
  return { dir, good, bad };
}

describe('worker pool with real workers', () => {
  it('a page whose worker crashes is retried, then fails with a clear reason; other files finish', async () => {
    const { dir, bad } = inputs('crash-me');
    const out = tempDir('pool-out');
    dirs.push(out);
    const run = await runEngine([dir], out, { spawn: faultySpawner('crash', 'crash-me'), policy });
    engine = run.engine;
    const good = run.rows.find((r) => r.path.endsWith('good.tif'))!;
    const crashed = run.rows.find((r) => r.path === bad)!;
    expect(good.state).toBe('done');
    expect(existsSync(join(out, 'good.txt'))).toBe(true);
    expect(crashed.state).toBe('failed');
    expect(crashed.error?.code).toBe('WORKER_CRASHED');
    expect(crashed.error?.message).toMatch(/worker was killed .*tried 2 times/);
    expect(existsSync(join(out, 'crash-me.txt'))).toBe(false);
  });

  it('a worker that crashes once is replaced and the page succeeds on the next attempt', async () => {
    const { dir } = inputs('crash-once');
    const out = tempDir('pool-out');
    dirs.push(out);
    const run = await runEngine([dir], out, { spawn: faultySpawner('crash', 'crash-once', 1), policy });
    engine = run.engine;
    expect(run.rows.map((r) => r.state)).toEqual(['done', 'done']);
  });

  it('a page that hangs is stopped at its time limit, retried, then failed; other files finish', async () => {
    const { dir } = inputs('hang-me');
    const out = tempDir('pool-out');
    dirs.push(out);
    const run = await runEngine([dir], out, {
      spawn: faultySpawner('hang', 'hang-me'),
      policy,
      timeouts: { page: 6_000 },
    });
    engine = run.engine;
    const hung = run.rows.find((r) => r.path.includes('hang-me'))!;
    expect(run.rows.find((r) => r.path.endsWith('good.tif'))?.state).toBe('done');
    expect(hung.state).toBe('failed');
    expect(hung.error?.code).toBe('TIMEOUT');
    expect(hung.error?.message).toMatch(/took longer than 6 s.*tried 2 times/);
  });
});
