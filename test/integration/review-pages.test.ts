/**
 * What the review window reads for a document done with errors: the failed page and its reason,
 * and the page view's words — through the router, on real workers, one of which dies on page 2.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/main/api/router.ts';
import type { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import type { SpawnWorker } from '../../src/main/worker/protocol.ts';
import type { FailedPage, PageDetail } from '../../src/shared/api.ts';
import { CORPUS, runEngine, tempDir } from '../helpers/engineRun.ts';

let engine: Engine | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await engine?.stop();
  engine = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Real workers, except that the one handed page 2 is killed (every time). */
function killedOnPage2(): SpawnWorker {
  const real = forkSpawner();
  return () => {
    const port = real();
    return {
      get pid() {
        return port.pid;
      },
      onMessage: (l) => port.onMessage(l),
      onExit: (l) => port.onExit(l),
      kill: () => port.kill(),
      send(message) {
        if (message.type === 'page' && message.pageNo === 2) port.kill();
        else port.send(message);
      },
    };
  };
}

describe('review of a document done with errors', () => {
  it('names the failed page and its reason; the page view has the other pages’ words', async () => {
    const out = tempDir('review-out');
    dirs.push(out);
    const run = await runEngine(
      [join(CORPUS, 'synthetic/s10-tiff-3p.tif')],
      out,
      { jobs: 1, spawn: killedOnPage2(), policy: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 } },
      { formats: ['txt'] },
    );
    engine = run.engine;
    const [doc] = run.rows;
    expect(doc.state).toBe('done-with-errors');
    const router = createRouter({ engine, version: 'test' });
    const failed = await router.call('review.failedPages', [[doc.id]]);
    expect(failed.ok && (failed.value as FailedPage[])).toEqual([
      {
        docId: doc.id,
        pageNo: 2,
        error: { code: 'WORKER_CRASHED', message: expect.stringMatching(/worker/) as string },
      },
    ]);
    const page2 = await router.call('review.page', [doc.id, 2]);
    expect(page2).toMatchObject({
      ok: true,
      value: { state: 'failed', words: [], error: { code: 'WORKER_CRASHED' } },
    });
    const page1 = await router.call('review.page', [doc.id, 1]);
    expect(page1.ok).toBe(true);
    const detail = (page1 as { value: PageDetail }).value;
    expect(detail).toMatchObject({ state: 'done', source: 'ocr', pageCount: 3 });
    expect(detail.words.length).toBeGreaterThan(20);
    for (const w of detail.words) expect(w.x1 <= detail.width && w.y1 <= detail.height).toBe(true);
    expect(await router.call('review.page', [doc.id, 9])).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    router.close();
  });
});
