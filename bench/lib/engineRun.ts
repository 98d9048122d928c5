/**
 * Drives the real engine (SQLite queue + forked OCR workers) over a list of files, the way
 * `bulk-ocr run` does, with the worker transport wrapped so every task's round trip, every
 * worker's start-up and the engine's dispatch gaps are timed from the outside. No engine code is
 * changed: the pool takes its `spawn` function as a parameter.
 */
import { rmSync } from 'node:fs';
import type { OcrMode, OutputFormat, PageTimings } from '../../src/shared/model.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import type {
  SpawnWorker,
  TaskType,
  WorkerPort,
  WorkerReply,
  WorkerRequest,
  WorkerRole,
} from '../../src/main/worker/protocol.ts';
import type { TesseractBackend } from '../../src/main/worker/recognize.ts';
import type { ClusterSettings } from '../../src/main/engine/clusterControl.ts';
import { freshDir, median, quantile, sum } from './util.ts';

export interface TaskRecord {
  worker: number;
  type: TaskType;
  /** The input file the task is about. */
  path: string;
  sentAt: number;
  doneAt: number;
  ok: boolean;
  /** For page tasks: the worker's own total for the page (ocrPage's clock). */
  workerTotalMs?: number;
}

export interface TransportLog {
  /** Time from fork to the worker's `ready` (Tesseract loaded), per worker. */
  readyMs: number[];
  readyAt: number[];
  tasks: TaskRecord[];
  /** Per worker: engine time between a reply and the next task sent to the same worker. */
  gapsMs: number[];
}

/**
 * Wraps a spawner so each OCR worker's messages are timed as they cross the process boundary. The
 * engine's light helper (role `light`: it opens files and draws pages, no OCR) is started as it
 * is and left out of these figures, which are about the OCR workers.
 */
export function instrumentedSpawner(inner: SpawnWorker, log: TransportLog): SpawnWorker {
  let nextIndex = 0;
  return (role?: WorkerRole): WorkerPort => {
    if (role === 'light') return inner(role);
    const port = inner();
    const worker = nextIndex++;
    const spawnedAt = performance.now();
    const pending = new Map<number, { type: TaskType; path: string; sentAt: number }>();
    let lastReplyAt: number | null = null;
    // Registered before the pool's listener, so the reply is stamped before the engine handles it.
    port.onMessage((m: WorkerReply) => {
      const now = performance.now();
      if (m.type === 'ready') {
        log.readyMs.push(now - spawnedAt);
        log.readyAt.push(now);
        return;
      }
      if (m.type !== 'done' && m.type !== 'failed') return;
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      const rec: TaskRecord = {
        worker,
        type: p.type,
        path: p.path,
        sentAt: p.sentAt,
        doneAt: now,
        ok: m.type === 'done',
      };
      if (m.type === 'done' && p.type === 'page')
        rec.workerTotalMs = (m.value as { timings: PageTimings }).timings.total;
      log.tasks.push(rec);
      lastReplyAt = now;
    });
    return {
      get pid() {
        return port.pid;
      },
      send(message: WorkerRequest) {
        if (message.type !== 'shutdown') {
          const now = performance.now();
          const file = message.type === 'export' ? message.job.sourcePath : message.path;
          pending.set(message.id, { type: message.type, path: file, sentAt: now });
          if (lastReplyAt !== null) log.gapsMs.push(now - lastReplyAt);
          lastReplyAt = null;
        }
        port.send(message);
      },
      onMessage: (listener) => port.onMessage(listener),
      onExit: (listener) => port.onExit(listener),
      kill: () => port.kill(),
    };
  };
}

export interface EngineRunOptions {
  paths: string[];
  jobs: number;
  dbPath: string;
  outDir: string;
  mode: OcrMode;
  formats: OutputFormat[];
  /** Give up after this long (the run is reported as incomplete). */
  timeoutMs: number;
  /** Which Tesseract build the workers use (default: the engine's own choice, `auto`). */
  tesseract?: TesseractBackend;
  /** Coordinate worker nodes through this Redis (bench/lib/clusterBench.ts); `version` must be theirs. */
  cluster?: ClusterSettings;
  version?: string;
}

export interface PageRow {
  path: string;
  pageNo: number;
  state: string;
  source: string | null;
  timings: PageTimings | null;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface DocRow {
  id: number;
  path: string;
  state: string;
  pageCount: number | null;
  finishedAt: number | null;
  error: string | null;
}

export interface EngineRunResult {
  /** From `new Engine` to the last document done (worker start-up included), ms. */
  wallMs: number;
  /** From the first worker ready to the last document done, ms. */
  wallFromReadyMs: number;
  ingestMs: number;
  pagesDone: number;
  pagesFailed: number;
  complete: boolean;
  docs: DocRow[];
  pages: PageRow[];
  transport: TransportLog;
  peakWorkerRssBytes: number[];
  /** Highest RSS of this (the engine's) process sampled during the run. */
  peakEngineRssBytes: number;
  jobs: number;
  /** What recognised, as the workers reported it (`native libtesseract 5.3.0`, …). */
  ocrEngines: string[];
}

const TERMINAL = new Set(['done', 'done-with-errors', 'failed', 'cancelled']);

export async function runEngine(opts: EngineRunOptions): Promise<EngineRunResult> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(opts.dbPath + suffix, { force: true });
  freshDir(opts.outDir);
  const transport: TransportLog = { readyMs: [], readyAt: [], tasks: [], gapsMs: [] };
  // The workers read their Tesseract build from the environment they are forked with.
  const previous = process.env.BULK_OCR_TESSERACT;
  if (opts.tesseract) process.env.BULK_OCR_TESSERACT = opts.tesseract;
  else delete process.env.BULK_OCR_TESSERACT;
  const t0 = performance.now();
  const engine = new Engine({
    dbPath: opts.dbPath,
    spawn: instrumentedSpawner(forkSpawner(), transport),
    jobs: opts.jobs,
    ...(opts.cluster ? { cluster: opts.cluster, version: opts.version } : {}),
  });
  let peakEngineRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakEngineRss = Math.max(peakEngineRss, process.memoryUsage().rss);
  }, 250);
  try {
    engine.start();
    const tIngest = performance.now();
    const summary = await engine.ingest({
      paths: opts.paths,
      source: 'cli',
      options: { languages: ['eng'], dpi: 300, mode: opts.mode },
      outDir: opts.outDir,
      formats: opts.formats,
      overwrite: true,
    });
    const ingestMs = performance.now() - tIngest;
    if (summary.skipped.length > 0) throw new Error(`ingest skipped: ${JSON.stringify(summary.skipped)}`);
    const ids = [...new Set(summary.outcomes.map((o) => o.id))];

    const failure: { message: string | null } = { message: null };
    const complete = await new Promise<boolean>((resolve) => {
      const check = (): void => {
        if (failure.message) finish(false);
        else if (engine.read.documents(ids).every((d) => TERMINAL.has(d.state))) finish(true);
      };
      const timer = setTimeout(() => finish(false), opts.timeoutMs);
      const poll = setInterval(check, 1_000);
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        clearInterval(poll);
        engine.events.off('document', check);
        resolve(ok);
      };
      engine.events.on('document', check);
      engine.events.on('fatal', (e) => {
        failure.message = e.message;
        check();
      });
      check();
    });
    const tEnd = performance.now();
    if (failure.message) throw new Error(`engine fatal: ${failure.message}`);

    const docs = (
      engine.db
        .prepare(`SELECT id, path, state, page_count, finished_at, error_message FROM documents ORDER BY id`)
        .all() as {
        id: number;
        path: string;
        state: string;
        page_count: number | null;
        finished_at: number | null;
        error_message: string | null;
      }[]
    ).map((d) => ({
      id: d.id,
      path: d.path,
      state: d.state,
      pageCount: d.page_count,
      finishedAt: d.finished_at,
      error: d.error_message,
    }));
    const pages = (
      engine.db
        .prepare(
          `SELECT d.path, p.page_no, p.state, p.source, p.timings, p.started_at, p.finished_at
           FROM pages p JOIN documents d ON d.id = p.doc_id ORDER BY p.doc_id, p.page_no`,
        )
        .all() as {
        path: string;
        page_no: number;
        state: string;
        source: string | null;
        timings: string | null;
        started_at: number | null;
        finished_at: number | null;
      }[]
    ).map((p) => ({
      path: p.path,
      pageNo: p.page_no,
      state: p.state,
      source: p.source,
      timings: p.timings ? (JSON.parse(p.timings) as PageTimings) : null,
      startedAt: p.started_at,
      finishedAt: p.finished_at,
    }));
    const peakWorkerRssBytes = engine.workers.peakRssBytes;
    const ocrEngines = engine.workers.ocrEngines;
    const firstReady = transport.readyAt.length > 0 ? Math.min(...transport.readyAt) : t0;
    return {
      wallMs: tEnd - t0,
      wallFromReadyMs: tEnd - firstReady,
      ingestMs,
      pagesDone: pages.filter((p) => p.state === 'done').length,
      pagesFailed: pages.filter((p) => p.state === 'failed').length,
      complete,
      docs,
      pages,
      transport,
      peakWorkerRssBytes,
      peakEngineRssBytes: peakEngineRss,
      jobs: opts.jobs,
      ocrEngines,
    };
  } finally {
    clearInterval(sampler);
    await engine.stop();
    if (previous === undefined) delete process.env.BULK_OCR_TESSERACT;
    else process.env.BULK_OCR_TESSERACT = previous;
  }
}

export interface StageSummary {
  pages: number;
  rasterizeMedianMs: number;
  recognizeMedianMs: number;
  openMedianMs: number;
  workerTotalMedianMs: number;
  /** Host-side round trip of a page task minus the worker's own total: IPC, (de)serialisation. */
  ipcMedianMs: number;
  exportMedianMs: number;
  exportMaxMs: number;
  exportCount: number;
  probeMedianMs: number;
  /** Engine time between a worker's reply and the next task it is sent (claim, record, events). */
  dispatchGapMedianMs: number;
  dispatchGapP90Ms: number;
  /** Share of worker time (jobs × wall after the first ready) spent on a task. */
  utilisation: number;
  /** Wall time per page minus worker busy time per page (jobs × wall − Σ busy) / pages. */
  overheadPerPageMs: number;
}

export function summariseStages(r: EngineRunResult): StageSummary {
  const t = r.pages.filter((p) => p.state === 'done' && p.timings).map((p) => p.timings!);
  const pick = (k: keyof PageTimings): number[] =>
    t.map((x) => x[k]).filter((v): v is number => typeof v === 'number');
  const tasks = r.transport.tasks;
  const of = (type: TaskType): TaskRecord[] => tasks.filter((x) => x.type === type);
  const dur = (x: TaskRecord): number => x.doneAt - x.sentAt;
  const pageTasks = of('page').filter((x) => x.ok && x.workerTotalMs !== undefined);
  const busy = sum(tasks.map(dur));
  const span = r.wallFromReadyMs * r.jobs;
  return {
    pages: t.length,
    rasterizeMedianMs: median(pick('rasterize')),
    recognizeMedianMs: median(pick('recognize')),
    openMedianMs: median(pick('open')),
    workerTotalMedianMs: median(pick('total')),
    ipcMedianMs: median(pageTasks.map((x) => dur(x) - x.workerTotalMs!)),
    exportMedianMs: median(of('export').map(dur)),
    exportMaxMs: Math.max(0, ...of('export').map(dur)),
    exportCount: of('export').length,
    probeMedianMs: median(of('probe').map(dur)),
    dispatchGapMedianMs: median(r.transport.gapsMs),
    dispatchGapP90Ms: quantile(r.transport.gapsMs, 0.9),
    utilisation: span > 0 ? busy / span : Number.NaN,
    overheadPerPageMs: t.length > 0 ? (span - busy) / t.length : Number.NaN,
  };
}
