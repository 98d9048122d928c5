/**
 * An engine that works alone does not load the cluster's libraries (BullMQ, ioredis: ~25 MB of its
 * memory, measured by the benchmark's idle figure); one given `--redis` loads them when it starts.
 * Checked in a fresh Node process whose module hooks record every module it loads.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engineRun.ts';

const ENGINE = path.resolve(import.meta.dirname, '../../src/main/engine/engine.ts');
const SPAWN = path.resolve(import.meta.dirname, '../../src/main/engine/spawnNode.ts');

/** The node_modules packages a process loaded while it started and stopped an engine. */
function packagesLoaded(cluster: boolean): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = new Set();
    registerHooks({ resolve(spec, ctx, next) {
      const r = next(spec, ctx);
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url);
      if (m) loaded.add(m[1]);
      return r;
    } });
    const { Engine } = await import(${JSON.stringify(ENGINE)});
    const { forkSpawner } = await import(${JSON.stringify(SPAWN)});
    const engine = new Engine({
      dbPath: ${JSON.stringify(path.join(tempDir('imports'), 'queue.db'))},
      spawn: forkSpawner(),
      jobs: 0,
      ${cluster ? `cluster: { redisUrl: 'redis://127.0.0.1:9' },` : ''}
    });
    engine.start();
    await new Promise((r) => setTimeout(r, 300));
    await engine.stop();
    process.stdout.write(JSON.stringify([...loaded]));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('what an engine loads', () => {
  it('working alone: not BullMQ or ioredis; coordinating nodes: both', () => {
    const alone = packagesLoaded(false);
    expect(alone).toContain('better-sqlite3');
    expect(alone).not.toContain('bullmq');
    expect(alone).not.toContain('ioredis');
    const coordinator = packagesLoaded(true);
    expect(coordinator).toContain('bullmq');
    expect(coordinator).toContain('ioredis');
  });
});
