/**
 * The cluster section of `npm run bench` (`--cluster`, `--cluster-only`):
 *
 * 1. This machine: the page set OCR'd by the engine alone (`--jobs J`), then by a coordinator with
 *    `--jobs 0` and one real `bulk-ocr worker --jobs J` node on the same cores, through a real
 *    redis-server; rounds back to back, the target on the median ratio. Outputs compared byte for byte.
 * 2. Scaling (bench/lib/clusterScaling.ts): 1, 2, 4 … 64 simulated nodes × 2 slots, page times
 *    recorded in step 1; then a run with no waiting at all, where the coordinator, Redis and the
 *    nodes' BullMQ side are all there is: the most pages per second the cluster path carries here.
 * 3. Redis memory with 1,000,000 pages queued (bench/lib/clusterMemory.ts).
 */
import path from 'node:path';
import { appVersion } from '../../src/main/cli/diagnostics.ts';
import { startNodeProcess } from '../../test/helpers/clusterNode.ts';
import { differences } from '../../test/helpers/clusterRun.ts';
import { benchRedis, stopBenchRedis } from './clusterRedis.ts';
import { redisMemoryAt, type RedisMemoryResult } from './clusterMemory.ts';
import { simulate, type ScalingRow, type SimulationSetup } from './clusterScaling.ts';
import { recordPages, saveRecorded } from './clusterSim.ts';
import { runEngine, type EngineRunResult } from './engineRun.ts';
import type { BenchFile } from './pageset.ts';
import { freshDir, log, median, OUT_DIR } from './util.ts';

export interface ClusterRound {
  localMs: number;
  clusterMs: number;
  /** Local wall ÷ cluster wall: the cluster's throughput as a share of the local one. */
  ratio: number;
}

export interface ClusterBenchResult {
  quick: boolean;
  jobs: number;
  pages: number;
  redisVersion: string;
  rounds: ClusterRound[];
  ratio: number;
  /** Files of the cluster runs' outputs that differ from the local run's ([] = byte-identical). */
  differences: string[];
  recorded: { pages: number; meanMs: number; medianMs: number };
  /** The recorded page times × this in the simulation (< 1 only when they were slow: a loaded machine). */
  timeScale: number;
  pagesPerSlot: number;
  scaling: ScalingRow[];
  saturation: ScalingRow;
  memory: RedisMemoryResult;
  seconds: number;
}

const MAX_MEAN_PAGE_MS = 2_500;

export async function runClusterBench(
  files: BenchFile[],
  jobs: number,
  quick: boolean,
): Promise<ClusterBenchResult> {
  const started = performance.now();
  const dir = freshDir(path.join(OUT_DIR, 'cluster'));
  const redis = await benchRedis(path.join(dir, 'redis'));
  const version = appVersion();
  try {
    // ── 1. Coordinator + one node on this machine vs the engine alone ──────────
    const pages = files.reduce((n, f) => n + f.pages, 0);
    const run = (name: string, cluster: boolean): Promise<EngineRunResult> =>
      runEngine({
        paths: files.map((f) => f.path),
        jobs: cluster ? 0 : jobs,
        dbPath: path.join(dir, name, 'queue.db'),
        outDir: path.join(dir, name, 'output'),
        mode: 'auto',
        formats: ['txt', 'pdf'],
        timeoutMs: 30 * 60_000,
        ...(cluster
          ? { cluster: { redisUrl: redis.server.url, listenHost: '127.0.0.1', listenPort: 0 }, version }
          : {}),
      });
    const rounds: ClusterRound[] = [];
    const diffs = new Set<string>();
    for (let round = 1; round <= (quick ? 1 : 2); round++) {
      log(`cluster round ${round}: the engine alone, ${jobs} workers, ${pages} pages…`);
      const local = await run(`local-${round}`, false);
      await redis.client.flushall();
      const node = startNodeProcess([
        ...['--redis', redis.server.url, '--jobs', String(jobs), '--name', 'bench-node'],
        ...['--cache-dir', path.join(dir, `node-cache-${round}`)],
      ]);
      try {
        await node.waitFor(/working for|waiting:/, 60_000);
        log(`cluster round ${round}: coordinator --jobs 0 + one node with ${jobs} workers…`);
        const cluster = await run(`cluster-${round}`, true);
        if (!local.complete || !cluster.complete) throw new Error('cluster bench: a run did not finish');
        rounds.push({
          localMs: local.wallFromReadyMs,
          clusterMs: cluster.wallFromReadyMs,
          ratio: local.wallFromReadyMs / cluster.wallFromReadyMs,
        });
        log(
          `cluster round ${round}: alone ${(local.wallFromReadyMs / 1000).toFixed(1)} s, with a node ${(cluster.wallFromReadyMs / 1000).toFixed(1)} s = ${rounds.at(-1)!.ratio.toFixed(3)}×`,
        );
        for (const d of differences(
          path.join(dir, 'local-1', 'output'),
          path.join(dir, `cluster-${round}`, 'output'),
        ))
          diffs.add(d);
      } finally {
        node.kill('SIGTERM');
        await node.exited;
      }
    }

    // ── 2. Scaling with simulated nodes ─────────────────────────────────────
    const recorded = recordPages(path.join(dir, 'local-1', 'queue.db'));
    const recordedFile = path.join(dir, 'recorded-pages.json');
    saveRecorded(recordedFile, recorded);
    const setup: SimulationSetup = { redis, recordedFile, version, dir };
    const ms = recorded.map((p) => p.ms);
    const meanMs = ms.reduce((a, b) => a + b, 0) / ms.length;
    // Bounded in time: on a loaded machine the recorded pages are slow; their times are then
    // shortened to a mean of 2.5 s (still ~1,000× the cluster path's own cost per page).
    const timeScale = Math.min(1, MAX_MEAN_PAGE_MS / meanMs);
    const pagesPerSlot = quick ? 4 : 6;
    const counts = quick ? [1, 2, 4] : [1, 2, 4, 8, 16, 32, 64];
    const rows: ScalingRow[] = [];
    for (const n of counts) {
      const r = await simulate(setup, n, 2, n * 2 * pagesPerSlot, timeScale);
      rows.push({
        ...r,
        linearity: rows.length === 0 ? 1 : r.pagesPerMin / (n * (rows[0].pagesPerMin / rows[0].nodes)),
      });
    }
    const satNodes = quick ? 4 : 16;
    const sat = await simulate(setup, satNodes, 2, quick ? 320 : 1_600, 0);
    const saturation: ScalingRow = { ...sat, linearity: Number.NaN };

    // ── 3. Redis memory with a million pages queued ─────────────────────────
    const memory = await redisMemoryAt(setup, quick ? 100_000 : 1_000_000, quick ? 8 : 64);

    return {
      quick,
      jobs,
      pages,
      redisVersion: redis.version,
      rounds,
      ratio: median(rounds.map((r) => r.ratio)),
      differences: [...diffs],
      recorded: { pages: recorded.length, meanMs, medianMs: median(ms) },
      timeScale,
      pagesPerSlot,
      scaling: rows,
      saturation,
      memory,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await stopBenchRedis(redis);
  }
}
