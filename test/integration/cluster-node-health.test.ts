import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterNode } from '../../src/shared/model.ts';
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
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import { listInstalledLanguages } from '../../src/main/worker/languages.ts';
import { startBulkOcr, startNodeProcess, type NodeProcess } from '../helpers/clusterNode.ts';
import { CORPUS, tempDir } from '../helpers/engineRun.ts';
import { startRedis, type RedisServer } from '../helpers/redisServer.ts';

/**
 * A node's health as an operator sees it, with a real redis-server and real `bulk-ocr worker`
 * processes (the coordinator's side played by the test, as in cluster-node.test.ts): a node whose
 * own pages keep failing is excluded with the reason shown and takes pages again afterwards; the
 * second SIGTERM hands its page back; `status --json` and `status --watch` show the nodes; `rediss://` with a password works, and a certificate the
 * node does not trust is one clear line.
 */
const PASSWORD = 'health-test-password';
const BIN = path.resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
let redis: RedisServer;
let client: Redis;
let files: FileServer;
let pages: Queue<PageJob>;
let resultsWorker: Worker<ResultJob>;
const results: ResultJob[] = [];
const url = (): string => `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;

const LETTER = path.join(CORPUS, 'synthetic/s01-letter.pdf');
const REPORT = path.join(CORPUS, 'synthetic/s02-report-5p.pdf');
const docs = [LETTER, REPORT].map((file) => ({
  file,
  sha: createHash('sha256').update(readFileSync(file)).digest('hex'),
  size: statSync(file).size,
  mtimeMs: Math.trunc(statSync(file).mtimeMs),
}));

function pageJob(pageId: number, doc: number, pageNo: number, languages: string[]): PageJob {
  const d = docs[doc];
  return {
    protocol: CLUSTER_PROTOCOL,
    pageId,
    token: 'tok',
    docId: doc + 1,
    pageNo,
    path: d.file,
    sha256: d.sha,
    identity: { size: d.size, mtimeMs: d.mtimeMs, sha256: d.sha },
    options: { languages, dpi: 300, mode: 'auto' },
  };
}

const addPage = (job: PageJob): Promise<unknown> =>
  pages.add('page', job, { jobId: pageJobId(job.pageId, job.token), priority: 5 });

async function nodeNamed(name: string): Promise<ClusterNode | undefined> {
  return (await listNodes(client)).find((n) => n.name === name);
}

async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const startNode = (name: string, extra: string[] = []): NodeProcess =>
  startNodeProcess([
    ...['--redis', url(), '--jobs', '1', '--name', name],
    ...['--cache-dir', path.join(tempDir(`cache-${name}`), 'c'), ...extra],
  ]);

/**
 * `bulk-ocr status --watch --redis URL` on a pseudo-terminal (util-linux `script`) over an empty
 * queue, until its screen shows `name` and `pattern`; then Ctrl-C. Its screen and exit code.
 */
async function liveStatus(
  redisUrl: string,
  name: string,
  pattern: RegExp,
): Promise<{ screen: string; code: number }> {
  const dir = tempDir('watch');
  await new Engine({ dbPath: path.join(dir, 'queue.db'), spawn: forkSpawner(), jobs: 1 }).stop();
  const cmd = [
    process.execPath,
    BIN,
    'status',
    '--watch',
    '--db',
    path.join(dir, 'queue.db'),
    '--redis',
    redisUrl,
  ]
    .map((a) => `'${a}'`)
    .join(' ');
  // `exec`: script(1) runs the command through $SHELL, and dash (the /bin/sh of a CI machine without
  // SHELL) waits on it instead of replacing itself, then dies of the Ctrl-C itself (exit 130).
  const child = spawn('script', ['-qfec', `exec ${cmd}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
  const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
  try {
    await until(() => screen.includes(name) && pattern.test(screen), 60_000, `the live view showing ${name}`);
  } finally {
    child.stdin.write('\x03'); // Ctrl-C on its terminal
  }
  return { screen, code: await exited };
}

beforeAll(async () => {
  redis = await startRedis(path.join(tempDir('redis'), 'data'), { password: PASSWORD });
  client = new Redis(redis.port, '127.0.0.1', { password: PASSWORD, maxRetriesPerRequest: null });
  files = await startFileServer({
    token: 'file-token',
    host: '127.0.0.1',
    port: 0,
    lookup: (sha) => {
      const d = docs.find((x) => x.sha === sha);
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
  pages = new Queue<PageJob>(QUEUES.pages, { connection: client, prefix: KEY_PREFIX });
  resultsWorker = new Worker<ResultJob>(
    QUEUES.results,
    (job) => {
      results.push(job.data);
      return Promise.resolve();
    },
    { connection: client, prefix: KEY_PREFIX },
  );
});
afterAll(async () => {
  await resultsWorker?.close();
  await pages?.close();
  await files?.close();
  client?.disconnect();
  await redis?.stop();
});

describe('a node whose own pages keep failing', () => {
  it('is excluded with the reason shown (its log, the nodes list, status --json and --watch) and takes pages again after its pause', async () => {
    const missing = ['ita', 'nld', 'por', 'pol', 'tur'].find((l) => !listInstalledLanguages().includes(l))!;
    const bad = pageJob(200, 0, 1, [missing]);
    await addPage(bad);
    const node = startNode('lacking-node', ['--exclude-after', '2', '--probation', '15']);
    try {
      await node.waitFor(/EXCLUDED: /, 60_000);
      expect(node.output()).toContain(`lacks the OCR language ${missing}`);
      // Each failure gave the page back to the queue, for a node that has the language.
      expect(node.output()).toMatch(/back +\S+s01-letter\.pdf page 1 returned to the queue: this node lacks/);
      await until(
        async () => ['waiting', 'prioritized'].includes(await pages.getJobState(pageJobId(200, 'tok'))),
        10_000,
        'the page back in the queue',
      );
      expect(results.filter((r) => r.pageId === 200)).toEqual([]);

      const seen = await nodeNamed('lacking-node');
      expect(seen).toMatchObject({ state: 'excluded', gone: false });
      expect(seen!.reason).toContain(`lacks the OCR language ${missing}`);
      expect(seen!.retryAt).toBeGreaterThan(Date.now());

      // What an operator runs on any machine: the node, its state and why, as JSON.
      const status = startBulkOcr([
        ...['status', '--json', '--redis', url()],
        ...['--db', path.join(tempDir('no-queue'), 'queue.db')],
      ]);
      expect(await status.exited).toBe(0);
      const report = JSON.parse(status.output()) as { nodes: ClusterNode[] };
      const listed = report.nodes.find((n) => n.name === 'lacking-node');
      expect(listed).toMatchObject({ state: 'excluded', jobs: 1 });
      expect(listed!.reason).toContain(missing);
      // And the live view of a headless coordinator, on a terminal (a pseudo-terminal: frames every 2 s).
      const live = await liveStatus(url(), 'lacking-node', /lacks the OCR language/);
      expect(live.screen).toMatch(/lacking-node +excluded +0\/1/);
      expect(live.screen).toMatch(/Pages +0 done/);
      expect(live.code).toBe(0);

      // Another node takes that page meanwhile; this one is back once its pause is over.
      await (await pages.getJob(pageJobId(200, 'tok')))!.remove();
      await addPage(pageJob(201, 0, 1, ['eng']));
      await node.waitFor(/taking pages again/, 30_000);
      await until(() => results.some((r) => r.pageId === 201), 90_000, 'the page after the pause');
      const done = results.find((r) => r.pageId === 201)!;
      expect(done.ok && done.value.text).toMatch(/Yours sincerely/);
      expect(done.node.name).toBe('lacking-node');
      expect(await nodeNamed('lacking-node')).toMatchObject({ state: 'working', reason: null });
    } finally {
      node.kill('SIGTERM');
      await node.exited;
      await (await pages.getJob(pageJobId(200, 'tok')))?.remove();
    }
  });
});

describe('stopping a node', () => {
  it('the second SIGTERM hands the page in progress back to the queue at once, with nothing returned for it', async () => {
    const job = pageJob(300, 1, 3, ['eng']);
    const node = startNode('stopping-node');
    try {
      await node.waitFor(/working for/, 60_000);
      await addPage(job);
      await until(
        async () => (await pages.getJobState(pageJobId(300, 'tok'))) === 'active',
        60_000,
        'the node taking the page',
      );
      node.kill('SIGTERM');
      await node.waitFor(/Stopping: finishing the pages in progress/, 10_000);
      node.kill('SIGTERM');
      expect(await node.exited).toBe(0);
      expect(node.output()).toMatch(/Handing the pages in progress back to the queue/);
      expect(node.output()).toMatch(
        /back +\S+s02-report-5p\.pdf page 3 returned to the queue: the node is stopping/,
      );
      expect(['waiting', 'prioritized']).toContain(await pages.getJobState(pageJobId(300, 'tok')));
      expect(results.filter((r) => r.pageId === 300)).toEqual([]);
    } finally {
      node.kill();
      await (await pages.getJob(pageJobId(300, 'tok')))?.remove();
    }
  });
});

describe('Redis over TLS (rediss://)', () => {
  let tlsRedis: RedisServer;
  let dir: string;
  beforeAll(async () => {
    // A throwaway CA and a certificate for 127.0.0.1 signed by it.
    dir = tempDir('tls');
    const f = (n: string): string => path.join(dir, n);
    const openssl = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
    openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem')].concat([
        '-days',
        '2',
        '-subj',
        '/CN=Bulk OCR test CA',
      ]),
    );
    openssl(
      ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr')].concat([
        '-subj',
        '/CN=127.0.0.1',
      ]),
    );
    writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(
      ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key')].concat([
        '-CAcreateserial',
        '-out',
        f('server.pem'),
        '-days',
        '2',
        '-extfile',
        f('san.ext'),
      ]),
    );
    tlsRedis = await startRedis(path.join(dir, 'data'), {
      password: PASSWORD,
      tls: { certFile: f('server.pem'), keyFile: f('server.key'), caFile: f('ca.pem') },
    });
  });
  afterAll(async () => {
    await tlsRedis?.stop();
  });
  const tlsUrl = (): string => `rediss://:${PASSWORD}@127.0.0.1:${tlsRedis.port}`;

  it('a node connects with the password over TLS when it trusts the certificate (NODE_EXTRA_CA_CERTS)', async () => {
    const node = startNodeProcess(
      ['--redis', tlsUrl(), '--jobs', '1', '--name', 'tls-node', '--cache-dir', path.join(dir, 'cache')],
      { NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') },
    );
    try {
      await node.waitFor(/working for rediss:\/\/:\*\*\*@127\.0\.0\.1/, 60_000);
      const tlsClient = new Redis({
        host: '127.0.0.1',
        port: tlsRedis.port,
        password: PASSWORD,
        tls: { ca: readFileSync(path.join(dir, 'ca.pem')) },
        maxRetriesPerRequest: 3,
      });
      try {
        await until(
          async () => (await listNodes(tlsClient)).some((n) => n.name === 'tls-node'),
          20_000,
          'the heartbeat',
        );
        // No coordinator on this Redis yet: the node says so and waits.
        expect((await listNodes(tlsClient)).find((n) => n.name === 'tls-node')).toMatchObject({
          state: 'waiting',
        });
      } finally {
        tlsClient.disconnect();
      }
    } finally {
      node.kill('SIGTERM');
      await node.exited;
    }
  });

  it('a certificate the node does not trust, or plain redis:// to the TLS port: one line, exit 2', async () => {
    const untrusted = startNodeProcess(['--redis', tlsUrl(), '--jobs', '1']);
    expect(await untrusted.exited).toBe(2);
    expect(untrusted.output()).toMatch(
      /cannot open a TLS connection to Redis at 127\.0\.0\.1:\d+: .*certificate/,
    );
    expect(untrusted.output()).not.toMatch(/\n\s+at /);

    const plain = startNodeProcess([
      '--redis',
      `redis://:${PASSWORD}@127.0.0.1:${tlsRedis.port}`,
      '--jobs',
      '1',
    ]);
    expect(await plain.exited).toBe(2);
    expect(plain.output()).toMatch(
      /cannot reach Redis at 127\.0\.0\.1:\d+: the connection was (reset|closed) \(plain redis:\/\/ to a TLS port/,
    );
    expect(plain.output()).not.toContain(PASSWORD);
  });
});
