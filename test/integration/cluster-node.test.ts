import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFileServer, type FileServer } from '../../src/main/cluster/fileServer.ts';
import { listNodes, writeCoordinator } from '../../src/main/cluster/presence.ts';
import {
  CLUSTER_PROTOCOL,
  KEY_PREFIX,
  pageJobId,
  QUEUES,
  type PageJob,
  type ResultJob,
} from '../../src/main/cluster/protocol.ts';
import { appVersion } from '../../src/main/cli/diagnostics.ts';
import { startNodeProcess } from '../helpers/clusterNode.ts';
import { CORPUS, tempDir } from '../helpers/engineRun.ts';
import { startRedis, type RedisServer } from '../helpers/redisServer.ts';

/**
 * `bulk-ocr worker` as a process, against a real redis-server. The coordinator's side is played by
 * the test here (its record in Redis, the file endpoint, a results worker); the whole cluster with
 * the real coordinator is in cluster-run.test.ts.
 */
const PASSWORD = 'node-test-password';
let redis: RedisServer;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis(path.join(tempDir('redis'), 'data'), { password: PASSWORD });
  client = new Redis(redis.port, '127.0.0.1', { password: PASSWORD, maxRetriesPerRequest: null });
});
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

const url = (password = PASSWORD): string => `redis://:${password}@127.0.0.1:${redis.port}`;

describe('bulk-ocr worker refuses to start, with a clear message and exit code 2', () => {
  it('on a wrong password', async () => {
    const node = startNodeProcess(['--redis', url('not-it'), '--jobs', '1']);
    expect(await node.exited).toBe(2);
    expect(node.output()).toMatch(/refused the password \(WRONGPASS\)/);
    expect(node.output()).not.toMatch(/not-it/); // the password is not echoed
    expect(node.output()).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('on a Redis that is down', async () => {
    const node = startNodeProcess(['--redis', 'redis://127.0.0.1:1', '--jobs', '1']);
    expect(await node.exited).toBe(2);
    expect(node.output()).toMatch(/cannot reach Redis at 127\.0\.0\.1:1: connection refused/);
  });

  it('on a URL that is not a Redis URL', async () => {
    const node = startNodeProcess(['--redis', 'http://example.org', '--jobs', '1']);
    expect(await node.exited).toBe(2);
    expect(node.output()).toMatch(/"http:" is not a Redis URL scheme/);
  });

  it('for a coordinator of another version, naming both', async () => {
    await writeCoordinator(client, {
      version: '99.0.0',
      protocol: CLUSTER_PROTOCOL,
      fileUrls: [],
      token: 'x',
      nodeTimeoutMs: 30_000,
      seenAt: Date.now(),
      host: 'elsewhere',
      pid: 1,
    });
    const node = startNodeProcess(['--redis', url(), '--jobs', '1']);
    expect(await node.exited).toBe(2);
    expect(node.output()).toContain(`this node runs Bulk OCR ${appVersion()}`);
    expect(node.output()).toContain('the coordinator runs 99.0.0');
  });
});

describe('a node at work', () => {
  let files: FileServer | null = null;
  afterAll(async () => {
    await files?.close();
  });

  it('OCRs page jobs, fetching each document once, and stops in order on SIGTERM', async () => {
    const docsIn = ['synthetic/s02-report-5p.pdf', 'synthetic/s01-letter.pdf'].map((p) => {
      const file = path.join(CORPUS, p);
      const bytes = readFileSync(file);
      const s = statSync(file);
      return {
        file,
        sha: createHash('sha256').update(bytes).digest('hex'),
        size: s.size,
        mtimeMs: Math.trunc(s.mtimeMs),
      };
    });
    const requests: string[] = [];
    files = await startFileServer({
      token: 'file-token',
      host: '127.0.0.1',
      port: 0,
      lookup: (sha) => {
        requests.push(sha);
        const d = docsIn.find((x) => x.sha === sha);
        return d ? { path: d.file, size: d.size } : null;
      },
    });
    await writeCoordinator(client, {
      version: appVersion(),
      protocol: CLUSTER_PROTOCOL,
      fileUrls: [`http://127.0.0.1:${files.port}`],
      token: 'file-token',
      nodeTimeoutMs: 30_000,
      seenAt: Date.now(),
      host: 'test',
      pid: process.pid,
    });
    const results: ResultJob[] = [];
    const resultsWorker = new Worker<ResultJob>(
      QUEUES.results,
      (job) => {
        results.push(job.data);
        return Promise.resolve();
      },
      { connection: client, prefix: KEY_PREFIX },
    );
    const pages = new Queue<PageJob>(QUEUES.pages, { connection: client, prefix: KEY_PREFIX });
    const jobs: PageJob[] = [
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 1],
    ].map(([d, pageNo], i) => ({
      protocol: CLUSTER_PROTOCOL,
      pageId: 100 + i,
      token: 'tok1',
      docId: d + 1,
      pageNo,
      path: docsIn[d].file,
      sha256: docsIn[d].sha,
      identity: { size: docsIn[d].size, mtimeMs: docsIn[d].mtimeMs, sha256: docsIn[d].sha },
      options: { languages: ['eng'], dpi: 300, mode: 'auto' },
    }));
    await pages.addBulk(
      jobs.map((j) => ({
        name: 'page',
        data: j,
        opts: { jobId: pageJobId(j.pageId, j.token), priority: 5 },
      })),
    );

    const node = startNodeProcess([
      '--redis',
      url(),
      '--jobs',
      '2',
      '--name',
      'test-node',
      '--cache-dir',
      path.join(tempDir('cache'), 'c'),
    ]);
    try {
      const deadline = Date.now() + 90_000;
      while (results.length < jobs.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(results.map((r) => r.pageId).sort()).toEqual([100, 101, 102, 103]);
      for (const r of results) {
        expect(r.ok).toBe(true);
        expect(r.node.name).toBe('test-node');
      }
      const text = (id: number): string => {
        const r = results.find((x) => x.pageId === id)!;
        return r.ok ? r.value.text : '';
      };
      expect(text(100)).toMatch(/Eastvale/);
      expect(text(103).length).toBeGreaterThan(200);
      // Three pages of one document and one of another: two downloads.
      expect(requests.sort()).toEqual([docsIn[0].sha, docsIn[1].sha].sort());
      expect(node.output()).toMatch(/done +\S+s02-report-5p\.pdf page 1 \(/);

      const [seen] = (await listNodes(client)).filter((n) => n.name === 'test-node');
      expect(seen).toMatchObject({ state: 'working', jobs: 2, gone: false });
      expect(seen.engine).toMatch(/tesseract/);

      node.kill('SIGTERM');
      expect(await node.exited).toBe(0);
      expect(node.output()).toMatch(/Stopped after 4 pages/);
      expect((await listNodes(client)).filter((n) => n.name === 'test-node')).toEqual([]);
    } finally {
      node.kill();
      await resultsWorker.close();
      await pages.close();
    }
  });
});
