/**
 * Redis memory with a large queue: `pending` pages waiting in SQLite (10,000 documents of 100
 * pages for 1,000,000), the real coordinator handing them to simulated nodes whose pages never
 * finish during the measurement. The coordinator keeps only a window of about two pages per node
 * slot in Redis, so used_memory should not depend on how many pages wait in SQLite.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import { insertDocuments, type NewDocument } from '../../src/main/engine/store/documents.ts';
import { completeProbe } from '../../src/main/engine/store/tasks.ts';
import { KEY_PREFIX, QUEUES } from '../../src/main/cluster/protocol.ts';
import { startSimulatedNodes } from './clusterNodes.ts';
import { usedMemory } from './clusterRedis.ts';
import type { SimulationSetup } from './clusterScaling.ts';
import { simulationPdf } from './clusterSim.ts';
import { freshDir, log } from './util.ts';

export interface RedisMemoryResult {
  pendingPages: number;
  nodes: number;
  slots: number;
  /** Page jobs in Redis (waiting + active) once the window was full. */
  jobsInRedis: number;
  /** used_memory before the coordinator started (an empty Redis), bytes. */
  baselineBytes: number;
  /** used_memory with the window full, bytes. */
  usedBytes: number;
  /** Pages waiting in SQLite meanwhile. */
  queuedInSqlite: number;
  /** Seconds to queue the pages in SQLite (rows only). */
  queueSeconds: number;
}

const PAGES_PER_DOC = 100;
/** Documents with real files: the window reaches only the first few (claims go document by document). */
const REAL_DOCS = 10;

export async function redisMemoryAt(
  s: SimulationSetup,
  pendingPages: number,
  nodes: number,
): Promise<RedisMemoryResult> {
  const jobs = 2;
  await s.redis.client.flushall();
  const baselineBytes = await usedMemory(s.redis.client);
  const dir = freshDir(path.join(s.dir, 'memory'));
  const dbPath = path.join(dir, 'queue.db');
  const docs = Math.ceil(pendingPages / PAGES_PER_DOC);
  const t0 = performance.now();
  const real: { path: string; size: number; mtimeMs: number; sha256: string }[] = [];
  for (let i = 0; i < REAL_DOCS; i++) {
    const file = await simulationPdf(path.join(s.dir, 'docs', `big-${i}.pdf`), 10_000 + i, PAGES_PER_DOC);
    const st = statSync(file);
    real.push({
      path: file,
      size: st.size,
      mtimeMs: Math.trunc(st.mtimeMs),
      sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
    });
  }
  // The queue in SQLite: documents inserted and opened as ingest and the probe would (rows only).
  {
    const engine = new Engine({ dbPath, spawn: forkSpawner(), jobs: 0 });
    const options = { languages: ['eng'], dpi: 300, mode: 'force' as const };
    for (let start = 0; start < docs; start += 1_000) {
      const batch: NewDocument[] = [];
      for (let i = start; i < Math.min(docs, start + 1_000); i++) {
        const file = real[i]?.path ?? `/bench/inbox/big-${String(i).padStart(6, '0')}.pdf`;
        batch.push({
          path: file,
          root: path.dirname(file),
          size: real[i]?.size ?? 1_000_000,
          mtimeMs: real[i]?.mtimeMs ?? 1_700_000_000_000,
          priority: 5,
          source: 'cli',
          options,
          output: { formats: ['txt', 'pdf'], overwrite: true, stem: path.join(dir, 'out', `big-${i}`) },
        });
      }
      insertDocuments(engine.db, batch, Date.now());
    }
    const owner = 'bench-memory';
    const opened = engine.db
      .prepare(`UPDATE documents SET lease_owner = ? WHERE state = 'new' RETURNING id, path, size, mtime_ms`)
      .all(owner) as { id: number; size: number; mtime_ms: number }[];
    engine.db.transaction(() => {
      for (const [i, d] of opened.entries())
        completeProbe(
          engine.db,
          d.id,
          owner,
          {
            kind: 'pdf',
            pageCount: PAGES_PER_DOC,
            sha256: real[i]?.sha256 ?? createHash('sha256').update(`big-${i}`).digest('hex'),
            size: d.size,
            mtimeMs: d.mtime_ms,
          },
          Date.now(),
        );
    })();
    await engine.stop();
  }
  const queueSeconds = (performance.now() - t0) / 1000;
  log(`cluster: ${pendingPages.toLocaleString('en')} pages queued in SQLite in ${queueSeconds.toFixed(1)} s`);

  const engine = new Engine({
    dbPath,
    spawn: forkSpawner(),
    jobs: 0,
    cluster: { redisUrl: s.redis.server.url, listenHost: '127.0.0.1', listenPort: 0 },
    version: s.version,
  });
  const queue = new Queue(QUEUES.pages, {
    connection: { host: '127.0.0.1', port: s.redis.server.port },
    prefix: KEY_PREFIX,
  });
  let nodesProc: Awaited<ReturnType<typeof startSimulatedNodes>> | null = null;
  try {
    engine.start();
    // Pages that never finish while we look: the recorded times × 1000.
    nodesProc = await startSimulatedNodes({
      redisUrl: s.redis.server.url,
      nodes,
      jobs,
      recordedFile: s.recordedFile,
      cacheDir: path.join(dir, 'node-cache'),
      version: s.version,
      scale: 1_000,
    });
    const window = nodes * jobs * 2;
    const deadline = Date.now() + 120_000;
    while (engine.cluster!.executor.busy() < window && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 3_000)); // the nodes take their first pages, heartbeats settle
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
    const jobsInRedis = Object.values(counts).reduce((a, b) => a + b, 0);
    const usedBytes = await usedMemory(s.redis.client);
    const queuedInSqlite = engine.read.counts().pages.queued;
    log(
      `cluster: Redis used_memory ${(usedBytes / 2 ** 20).toFixed(1)} MiB with ${jobsInRedis} page jobs in Redis and ${queuedInSqlite.toLocaleString('en')} pages waiting in SQLite`,
    );
    return {
      pendingPages: docs * PAGES_PER_DOC,
      nodes,
      slots: nodes * jobs,
      jobsInRedis,
      baselineBytes,
      usedBytes,
      queuedInSqlite,
      queueSeconds,
    };
  } finally {
    if (nodesProc) await nodesProc.stop().catch(() => undefined);
    await queue.close();
    await engine.stop();
  }
}
