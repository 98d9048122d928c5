/**
 * The cluster scaling simulation: the real coordinator (Engine with the cluster executor, its
 * file endpoint, SQLite), a real redis-server and real BullMQ, with N simulated nodes × 2 slots
 * whose recognition waits for per-page times recorded on this machine (bench/lib/clusterSim.ts).
 * Each configuration OCRs `pagesPerSlot` pages per slot, in 4 documents, in `force` mode (txt + searchable PDF out)
 * and is measured on the steady part of the run: pages finished between 10% and 90% of the total.
 */
import path from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import type { BenchRedis } from './clusterRedis.ts';
import { redisCpuMs } from './clusterRedis.ts';
import { startSimulatedNodes } from './clusterNodes.ts';
import { simulationPdf } from './clusterSim.ts';
import { freshDir, log } from './util.ts';

export interface ScalingRow {
  nodes: number;
  slots: number;
  pages: number;
  /** Pages per minute over the steady part (10% → 90% of pages finished). */
  pagesPerMin: number;
  /** Pages per minute from the first page claimed to the last one recorded. */
  overallPagesPerMin: number;
  /** pagesPerMin ÷ (nodes × the 1-node row's pagesPerMin). */
  linearity: number;
  /** CPU of the coordinator's process (engine, scheduler, SQLite, BullMQ client, file endpoint) per page, ms. */
  coordinatorCpuMsPerPage: number;
  redisCpuMsPerPage: number;
  /** CPU of the simulated nodes' process (BullMQ worker side, fetch, results) per page, ms. */
  nodesCpuMsPerPage: number;
  /** Wall time of the page phase, s. */
  seconds: number;
}

export interface SimulationSetup {
  redis: BenchRedis;
  recordedFile: string;
  version: string;
  dir: string;
}

/**
 * Documents per configuration. A node fetches each document it has a page of once; with the same
 * number of documents whatever the number of nodes, every configuration has the same share of
 * pages that start with a download (the 1-node row is not spared the fetches the 64-node row pays).
 */
const DOCS = 4;
const TERMINAL = new Set(['done', 'done-with-errors', 'failed', 'cancelled']);

async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`cluster bench: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One configuration: `nodes` simulated nodes × `jobs` slots, `pages` pages (rounded up to whole documents). */
export async function simulate(
  s: SimulationSetup,
  nodes: number,
  jobs: number,
  pages: number,
  scale: number,
): Promise<Omit<ScalingRow, 'linearity'>> {
  await s.redis.client.flushall();
  const dir = freshDir(path.join(s.dir, `sim-${nodes}x${jobs}-${scale}`));
  const docs = Math.min(DOCS, pages);
  const perDoc = Math.ceil(pages / docs);
  const files: string[] = [];
  for (let i = 0; i < docs; i++)
    files.push(await simulationPdf(path.join(s.dir, 'docs', `sim-${perDoc}-${i}.pdf`), i, perDoc));
  const engine = new Engine({
    dbPath: path.join(dir, 'queue.db'),
    spawn: forkSpawner(),
    jobs: 0,
    cluster: { redisUrl: s.redis.server.url, listenHost: '127.0.0.1', listenPort: 0 },
    version: s.version,
  });
  let nodesProc: Awaited<ReturnType<typeof startSimulatedNodes>> | null = null;
  try {
    engine.start();
    await until(() => engine.cluster!.executor.connected, 30_000, 'the coordinator connecting to Redis');
    const summary = await engine.ingest({
      paths: files,
      source: 'cli',
      options: { languages: ['eng'], dpi: 300, mode: 'force' },
      outDir: path.join(dir, 'out'),
      formats: ['txt', 'pdf'],
      overwrite: true,
    });
    const ids = summary.outcomes.map((o) => o.id);
    const total = docs * perDoc;
    // Every document opened before the nodes come: the run measures the page flow, not the probes.
    await until(() => engine.read.counts().pages.total >= total, 120_000, 'opening the documents');
    nodesProc = await startSimulatedNodes({
      redisUrl: s.redis.server.url,
      nodes,
      jobs,
      recordedFile: s.recordedFile,
      cacheDir: path.join(dir, 'node-cache'),
      version: s.version,
      scale,
    });
    const cpu0 = process.cpuUsage();
    const redis0 = await redisCpuMs(s.redis.client);
    const nodes0 = await nodesProc.cpuMs();
    const t0 = Date.now();
    await until(
      () => engine.read.documents(ids).every((d) => TERMINAL.has(d.state)),
      30 * 60_000,
      `${total} pages on ${nodes} simulated nodes`,
    );
    const cpu = process.cpuUsage(cpu0);
    const redisMs = (await redisCpuMs(s.redis.client)) - redis0;
    const nodesMs = (await nodesProc.cpuMs()) - nodes0;
    const finished = engine.db
      .prepare(`SELECT finished_at FROM pages WHERE state = 'done' ORDER BY finished_at`)
      .pluck()
      .all() as number[];
    if (finished.length !== total)
      throw new Error(`cluster bench: ${finished.length} of ${total} pages done on ${nodes} nodes`);
    const started = engine.db.prepare(`SELECT min(started_at) FROM pages`).pluck().get() as number;
    const a = Math.floor(total * 0.1);
    const b = Math.ceil(total * 0.9) - 1;
    const steady = finished[b] > finished[a] ? ((b - a) / (finished[b] - finished[a])) * 60_000 : Number.NaN;
    const row = {
      nodes,
      slots: nodes * jobs,
      pages: total,
      pagesPerMin: steady,
      overallPagesPerMin: (total / Math.max(1, finished[total - 1] - started)) * 60_000,
      coordinatorCpuMsPerPage: (cpu.user + cpu.system) / 1000 / total,
      redisCpuMsPerPage: redisMs / total,
      nodesCpuMsPerPage: nodesMs / total,
      seconds: (Date.now() - t0) / 1000,
    };
    log(
      `cluster: ${nodes} node(s) × ${jobs}${scale === 0 ? ' (no waiting)' : ''}: ${total} pages, ${steady.toFixed(0)} pages/min; coordinator ${row.coordinatorCpuMsPerPage.toFixed(2)} ms CPU/page`,
    );
    return row;
  } finally {
    if (nodesProc) await nodesProc.stop().catch(() => undefined);
    await engine.stop();
  }
}
