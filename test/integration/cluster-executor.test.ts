import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClusterExecutor } from '../../src/main/engine/executors/cluster.ts';
import { silentLogger } from '../../src/main/engine/log/logger.ts';
import { KEY_PREFIX, QUEUES, type PageJob, type ResultJob } from '../../src/main/cluster/protocol.ts';
import type { PageResult } from '../../src/shared/model.ts';
import { tempDir } from '../helpers/engineRun.ts';
import { startRedis, type RedisServer } from '../helpers/redisServer.ts';

/**
 * The cluster executor against a real redis-server, with the test in the nodes' place: it reads
 * the page jobs and posts results as a node would, including the ones BullMQ's at-least-once
 * delivery produces (the same result twice, a result for a claim that is no longer current).
 */
let redis: RedisServer;
let client: Redis;
let executor: ClusterExecutor | null = null;

beforeAll(async () => {
  redis = await startRedis(path.join(tempDir('redis'), 'data'));
  client = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: null });
});
afterEach(async () => {
  await executor?.close();
  executor = null;
  await client.flushall();
});
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

async function startExecutor(): Promise<ClusterExecutor> {
  const ex = new ClusterExecutor({
    link: { redisUrl: redis.url, version: 'test', lookup: () => null, listenPort: 0 },
    log: silentLogger,
    onCapacity: () => undefined,
  });
  ex.start();
  const deadline = Date.now() + 10_000;
  while (ex.link.fileUrls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  executor = ex;
  return ex;
}

const request = (pageNo: number) => ({
  path: '/srv/scans/a.pdf',
  pageNo,
  options: { languages: ['eng'], dpi: 300, mode: 'auto' as const },
  identity: { size: 10, mtimeMs: 1, sha256: 'a'.repeat(64) },
});

const page: PageResult = {
  text: 'hello',
  words: [],
  meanConfidence: 90,
  source: 'ocr',
  width: 10,
  height: 10,
  dpi: 300,
  timings: { total: 1 },
};

async function waitingJobs(atLeast = 0): Promise<PageJob[]> {
  const q = new Queue<PageJob>(QUEUES.pages, { connection: client, prefix: KEY_PREFIX });
  const deadline = Date.now() + 5_000;
  let jobs = await q.getJobs(['waiting', 'prioritized']);
  while (jobs.length < atLeast && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    jobs = await q.getJobs(['waiting', 'prioritized']);
  }
  await q.close();
  return jobs.map((j) => j.data);
}

/** What a node posts, less the fields this test does not vary. */
type Posted = ResultJob extends infer R
  ? R extends ResultJob
    ? Omit<R, 'protocol' | 'node' | 'ms' | 'sha256'>
    : never
  : never;

async function post(result: Posted, jobId: string): Promise<void> {
  const q = new Queue<ResultJob>(QUEUES.results, { connection: client, prefix: KEY_PREFIX });
  await q.add(
    'result',
    { ...result, protocol: 1, node: { id: 'n', name: 'n' }, ms: 1, sha256: 'a'.repeat(64) },
    { jobId },
  );
  await q.close();
}

describe('the cluster executor', () => {
  it('hands each claim its own result once: duplicates and stale claims are dropped', async () => {
    const ex = await startExecutor();
    let resolved = 0;
    const outcome = ex.run('page', request(1), { docId: 7, pageId: 70, pageNo: 1, priority: 5 }).then((o) => {
      resolved++;
      return o;
    });
    const [job] = await waitingJobs(1);
    expect(job).toMatchObject({ pageId: 70, docId: 7, pageNo: 1, sha256: 'a'.repeat(64) });

    // A result for an older claim of the same page (another token): not this claim's.
    await post(
      { pageId: 70, docId: 7, pageNo: 1, token: 'old-claim', ok: true, value: { ...page, text: 'old' } },
      'x1',
    );
    // The node's result, then the same result again (a node redid it after its lock expired).
    await post({ pageId: 70, docId: 7, pageNo: 1, token: job.token, ok: true, value: page }, 'x2');
    await post({ pageId: 70, docId: 7, pageNo: 1, token: job.token, ok: true, value: page }, 'x3');
    const o = await outcome;
    expect(o).toMatchObject({ ok: true, value: { text: 'hello' } });
    const deadline = Date.now() + 5_000;
    while (ex.duplicates < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(ex.duplicates).toBe(2);
    expect(resolved).toBe(1);
    expect(ex.busy()).toBe(0);
  });

  it('takes back the waiting pages of a document (pause, cancel) and re-orders them by priority', async () => {
    const ex = await startExecutor();
    const a = ex.run('page', request(1), { docId: 1, pageId: 11, pageNo: 1, priority: 2 });
    void ex.run('page', request(2), { docId: 2, pageId: 21, pageNo: 2, priority: 2 });
    const b = ex.run('page', request(3), { docId: 2, pageId: 22, pageNo: 3, priority: 2 });
    expect((await waitingJobs(3)).map((j) => j.pageId).sort()).toEqual([11, 21, 22]);

    await ex.reprioritise([2], 9);
    const q = new Queue<PageJob>(QUEUES.pages, { connection: client, prefix: KEY_PREFIX });
    const byPriority = (await q.getJobs(['prioritized'])).map((j) => [j.data.pageId, j.priority]);
    await q.close();
    expect(byPriority.sort()).toEqual([
      [11, 8],
      [21, 1],
      [22, 1],
    ]);

    expect((await ex.withdraw([2])).sort()).toEqual([21, 22]);
    expect(await b).toMatchObject({ ok: false, withdrawn: true });
    expect((await waitingJobs()).map((j) => j.pageId)).toEqual([11]);
    expect(ex.busy()).toBe(1);
    await ex.close();
    expect(await a).toMatchObject({ withdrawn: true });
  });

  it('has no room while no node works', async () => {
    const ex = await startExecutor();
    expect(ex.capacity()).toBe(0);
  });
});
