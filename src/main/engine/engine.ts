import { randomUUID } from 'node:crypto';
import type { DocumentRow, ErrorInfo, PageResult, ProbeResult, QueueCounts } from '../../shared/model.ts';
import type { ExportOptions, ExportStartResult } from '../../shared/exports.ts';
import type { ExportWireJob, RenderResult, SpawnWorker, TaskType } from '../worker/protocol.ts';
import type { Limits } from '../worker/ocrTypes.ts';
import { closeDatabase, openDatabase, type Db } from './store/db.ts';
import {
  cancelDocuments,
  getDocument,
  getDocuments,
  isGloballyPaused,
  pauseDocuments,
  queueCounts,
  recentFailures,
  removeDocuments,
  resumeDocuments,
  retryDocuments,
  setGloballyPaused,
  setPriority,
} from './store/documents.ts';
import {
  claimNext,
  completeExport,
  completePage,
  completeProbe,
  exportSource,
  failExport,
  failPage,
  failProbe,
  nextWakeTime,
  recoverLeases,
  type Task,
} from './store/tasks.ts';
import {
  claimExportTask,
  completeExportTask,
  createExportBatch,
  failExportTask,
  nextExportWake,
  recoverExportTasks,
  releaseExportLeases,
  retryExportTasks,
  type ExportTaskClaim,
} from './store/exportTasks.ts';
import { defaultRetryPolicy, type RetryPolicy } from './store/policy.ts';
import { acquireEngineLock, releaseEngineLock, releaseLeases } from './store/lock.ts';
import { Pool, type TaskOutcome } from './pool.ts';
import { createFileLogger, logPathFor, silentLogger, type Logger } from './log/logger.ts';
import { WalCheckpointer } from './store/walCheckpointer.ts';
import { EngineEmitter } from './events.ts';
import { ingest, type IngestRequest, type IngestSummary } from './ingest.ts';
import { WatchService } from './watch/watchService.ts';
import { DEFAULT_WATCH_TIMINGS, type WatchTimings } from './watch/folderWatcher.ts';

export interface EngineOptions {
  /** Database file (created if missing). */
  dbPath: string;
  spawn: SpawnWorker;
  /** Worker processes; default os.availableParallelism(). */
  jobs: number;
  policy?: RetryPolicy;
  /** Per task type, in ms. */
  timeouts?: Partial<Record<TaskType, number>>;
  maxWorkerRssBytes?: number;
  recycleAfterTasks?: number;
  /** A worker not ready this long after its start is replaced (default 60 s). */
  workerStartTimeoutMs?: number;
  /** Input limits (pixels, pages) when they differ from the worker's defaults. */
  limits?: Partial<Limits>;
  /**
   * Structured log of what the engine does (ids, codes, timings; never document text). Default:
   * `logs/bulk-ocr.log` beside the database (the data folder, for the default queue).
   */
  log?: Logger;
  clock?: () => number;
  /** Watched folders' patience (settling, rescans, polling); defaults suit real use. */
  watchTimings?: Partial<WatchTimings>;
}

const defaultTimeouts: Record<TaskType, number> = {
  probe: 60_000,
  page: 180_000,
  export: 300_000,
  render: 60_000,
};

/** A page picture waits this long for a worker to come free before the window is told to try again. */
const RENDER_WAIT_MS = 60_000;

/** What the review window's page view needs to draw a page: its picture and the scale of its boxes. */
export type PagePreviewOutcome = { ok: true; value: RenderResult } | { ok: false; error: ErrorInfo };

interface PendingRender {
  request: { path: string; pageNo: number; dpi: number; maxSide: number };
  resolve: (o: PagePreviewOutcome) => void;
  timer: NodeJS.Timeout;
}

/**
 * The product: a persistent page queue worked by a pool of OCR processes. Front ends (CLI, Electron,
 * browser) call its methods and listen to its events; it imports nothing from Electron.
 *
 * Every state change is written to SQLite before it is announced, so a crash at any moment loses at
 * most the pages that were being recognised; they are queued again at the next start.
 */
export class Engine {
  readonly events = new EngineEmitter();
  readonly db: Db;
  /**
   * Watched folders. Stored in the database; they run only where a host starts them
   * (`engine.watch.start()`: the desktop app, `bulk-ocr serve`, `bulk-ocr watch`), not in `bulk-ocr run`.
   */
  readonly watch: WatchService;
  private readonly owner = randomUUID();
  private readonly pool: Pool;
  private readonly checkpointer: WalCheckpointer;
  private readonly policy: RetryPolicy;
  private readonly timeouts: Record<TaskType, number>;
  /** Page pictures asked for by a window: served by the next worker that comes free, before queue work. */
  private readonly renders: PendingRender[] = [];
  private readonly clock: () => number;
  private started = false;
  private stopping = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private inFlight = 0;

  /** `{ limits }` for worker requests, or nothing when the defaults apply. */
  private limitsField: { limits?: Partial<Limits> };

  readonly log: Logger;
  private readonly ownsLog: boolean;

  constructor(opts: EngineOptions) {
    this.limitsField = opts.limits ? { limits: opts.limits } : {};
    this.clock = opts.clock ?? Date.now;
    this.policy = opts.policy ?? defaultRetryPolicy;
    this.timeouts = { ...defaultTimeouts, ...opts.timeouts };
    this.db = openDatabase(opts.dbPath);
    try {
      acquireEngineLock(this.db, this.owner, this.clock());
    } catch (error) {
      closeDatabase(this.db);
      throw error;
    }
    // Opened only once the queue is ours: a refused database gets no log folder beside it.
    this.ownsLog = opts.log === undefined && opts.dbPath !== ':memory:';
    this.log =
      opts.log ?? (this.ownsLog ? createFileLogger({ path: logPathFor(opts.dbPath) }) : silentLogger);
    this.checkpointer = new WalCheckpointer(this.db, opts.dbPath);
    this.pool = new Pool({
      size: opts.jobs,
      spawn: opts.spawn,
      timeoutMs: this.timeouts,
      maxWorkerRssBytes: opts.maxWorkerRssBytes ?? 1.5 * 2 ** 30,
      recycleAfterTasks: opts.recycleAfterTasks ?? 2_000,
      ...(opts.workerStartTimeoutMs ? { startTimeoutMs: opts.workerStartTimeoutMs } : {}),
      onIdle: () => this.pump(),
      onFatal: (error) => {
        this.log.error('engine.fatal', { code: error.code, message: error.message });
        this.events.emit('fatal', error);
      },
      onWorkerExit: (w) =>
        this.log.log(
          w.busy || (w.code !== 0 && w.reason?.message !== 'recycled') ? 'warn' : 'info',
          'worker.exit',
          {
            slot: w.slot,
            worker: w.pid,
            exitCode: w.code,
            signal: w.signal,
            code: w.reason?.code,
            reason: w.reason?.message,
            busy: w.busy,
          },
        ),
    });
    this.log.info('engine.open', {
      db: opts.dbPath,
      jobs: opts.jobs,
      pid: process.pid,
      node: process.versions.node,
    });
    this.watch = new WatchService({
      db: this.db,
      events: this.events,
      ingest: (req) => this.ingest(req),
      timings: { ...DEFAULT_WATCH_TIMINGS, ...opts.watchTimings },
      clock: this.clock,
    });
  }

  /** Returns leftover leases from a previous run to the queue and starts the workers. */
  start(): { recovered: number } {
    if (this.started) return { recovered: 0 };
    this.started = true;
    const recovered = recoverLeases(this.db, this.clock());
    const exports = recoverExportTasks(this.db);
    this.log.info('engine.start', {
      recoveredPages: recovered.pages,
      recoveredDocuments: recovered.documents,
      recoveredExports: exports,
    });
    this.pool.start();
    return { recovered: recovered.pages + recovered.documents + exports };
  }

  /** Stops claiming, stops the workers and returns unfinished tasks to the queue without counting the attempt. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info('engine.stop', {});
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    await this.watch.stop();
    for (const r of this.renders.splice(0)) {
      clearTimeout(r.timer);
      r.resolve({ ok: false, error: { code: 'INTERNAL', message: 'the engine is stopping' } });
    }
    await this.pool.close();
    releaseLeases(this.db, this.owner);
    releaseExportLeases(this.db, this.owner);
    releaseEngineLock(this.db, this.owner);
    await this.checkpointer.stop();
    closeDatabase(this.db);
    this.log.info('engine.stopped', {});
    if (this.ownsLog) this.log.close();
  }

  ingest(req: IngestRequest): Promise<IngestSummary> {
    return ingest(this.db, req, this.clock).then((summary) => {
      this.log.info('queue.add', {
        source: req.source,
        named: req.paths.length,
        found: summary.outcomes.length,
        created: summary.outcomes.filter((o) => o.created).length,
        skipped: summary.skipped.length,
      });
      this.pump();
      return summary;
    });
  }

  // ── Queue operations (what the UI and CLI call) ──────────────────────────────
  pause(ids: number[]): void {
    pauseDocuments(this.db, ids, this.clock());
  }
  resume(ids: number[]): void {
    resumeDocuments(this.db, ids, this.clock());
    this.pump();
  }
  cancel(ids: number[]): void {
    cancelDocuments(this.db, ids, this.clock());
  }
  retry(ids: number[]): void {
    retryDocuments(this.db, ids, this.clock());
    this.pump();
  }
  setPriority(ids: number[], priority: number): void {
    setPriority(this.db, ids, priority, this.clock());
  }
  remove(ids: number[]): void {
    removeDocuments(this.db, ids, this.clock());
  }
  setPaused(paused: boolean): void {
    setGloballyPaused(this.db, paused);
    if (!paused) this.pump();
  }
  get paused(): boolean {
    return isGloballyPaused(this.db);
  }

  /**
   * Exports documents that are done again, to the targets in `options` (the export dialog). Each
   * becomes an export task in the database, worked by the pool before any further page (exports
   * are short, and the user is waiting for them); follow them with `exportBatch` and the `export`
   * event. Documents not done yet are listed as not ready.
   */
  exportDocuments(ids: number[], options: ExportOptions): ExportStartResult {
    const result = createExportBatch(this.db, ids, options, this.clock());
    this.pump();
    return result;
  }

  /** Queues failed exports again; returns the batches they belong to. */
  retryExports(taskIds: number[]): number[] {
    const batches = retryExportTasks(this.db, taskIds);
    this.pump();
    return batches;
  }

  /**
   * Changes the number of OCR workers now: new ones start at once; surplus ones finish the page
   * they are on and stop.
   */
  setWorkers(n: number): void {
    this.pool.resize(n);
    this.pump();
  }

  /**
   * Changes input limits (the page limit of the settings) while running: documents opened from now
   * on are held to them; a document already opened keeps the verdict it got (retry re-opens it).
   */
  setLimits(limits: Partial<Limits>): void {
    this.limitsField = { limits: { ...this.limitsField.limits, ...limits } };
  }

  /**
   * Renders a page's picture on the next worker that comes free (queue work waits for that one
   * task; nothing claimed is touched: no lease, no database write). `dpi` is for PDF pages.
   */
  renderPage(request: PendingRender['request']): Promise<PagePreviewOutcome> {
    if (!this.started || this.stopping)
      return Promise.resolve({
        ok: false,
        error: { code: 'INTERNAL', message: 'the engine is not running' },
      });
    return new Promise((resolve) => {
      const pending: PendingRender = {
        request,
        resolve,
        timer: setTimeout(() => {
          const i = this.renders.indexOf(pending);
          if (i >= 0) this.renders.splice(i, 1);
          resolve({
            ok: false,
            error: {
              code: 'TIMEOUT',
              message: 'every worker is busy with a long page; try again in a moment',
            },
          });
        }, RENDER_WAIT_MS),
      };
      this.renders.push(pending);
      this.pump();
    });
  }

  document(id: number): DocumentRow | null {
    return getDocument(this.db, id);
  }
  documents(ids: number[]): DocumentRow[] {
    return getDocuments(this.db, ids);
  }
  counts(): QueueCounts {
    return queueCounts(this.db);
  }
  recentFailures(limit = 20): DocumentRow[] {
    return recentFailures(this.db, limit);
  }
  get workers(): { total: number; busy: number; peakRssBytes: number[]; ocrEngines: string[] } {
    return {
      total: this.pool.size,
      busy: this.pool.busyCount,
      peakRssBytes: this.pool.peakRssBytes,
      ocrEngines: this.pool.ocrEngines,
    };
  }

  // ── Scheduling ───────────────────────────────────────────────────────────────
  /** Hands ready tasks to idle workers until one or the other runs out. */
  private pump(): void {
    if (!this.started || this.stopping || this.db.open === false) return;
    // Page pictures first, even while paused: a person is looking at the window, waiting.
    while (this.pool.idleCount > 0 && this.renders.length > 0) this.dispatchRender(this.renders.shift()!);
    if (isGloballyPaused(this.db)) return;
    while (this.pool.idleCount > 0) {
      const now = this.clock();
      const leaseMs = this.timeouts.page + 60_000;
      const task =
        claimExportTask(this.db, this.owner, now, leaseMs) ?? claimNext(this.db, this.owner, now, leaseMs);
      if (!task) {
        this.scheduleWake(now);
        if (this.inFlight === 0) this.events.emit('idle');
        return;
      }
      this.dispatch(task);
    }
  }

  /** Wakes the scheduler when the earliest task waiting on its backoff becomes ready. */
  private scheduleWake(now: number): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    const times = [nextWakeTime(this.db, now), nextExportWake(this.db, now)].filter((t) => t !== null);
    if (times.length === 0) return;
    const at = Math.min(...times);
    this.wakeTimer = setTimeout(() => this.pump(), Math.max(0, at - now) + 5);
    this.wakeTimer.unref();
  }

  private dispatchRender(r: PendingRender): void {
    clearTimeout(r.timer);
    void this.pool.run('render', r.request).then((o) => {
      r.resolve(o);
      this.pump();
    });
  }

  private dispatch(task: Task | ExportTaskClaim): void {
    this.inFlight++;
    const settle = (): void => {
      this.inFlight--;
      this.pump();
    };
    switch (task.kind) {
      case 'probe':
        void this.logged(
          'probe',
          { docId: task.docId },
          this.pool.run('probe', { path: task.path, ...this.limitsField }),
        ).then((o) => {
          this.record(() =>
            o.ok
              ? completeProbe(this.db, task.docId, this.owner, o.value, this.clock())
              : failProbe(this.db, task.docId, this.owner, o.error, this.policy, this.clock()),
          );
          this.announceDocument(task.docId);
          settle();
        });
        return;
      case 'page':
        void this.logged(
          'page',
          { docId: task.docId, pageNo: task.pageNo, attempt: task.attempt },
          this.pool.run('page', {
            path: task.path,
            pageNo: task.pageNo,
            options: task.options,
            identity: task.identity,
            ...this.limitsField,
          }),
        ).then((o) => {
          const recorded = this.record(() =>
            o.ok
              ? completePage(this.db, task.pageId, this.owner, o.value, this.clock())
              : failPage(this.db, task.pageId, this.owner, o.error, this.policy, this.clock()),
          );
          if (recorded) this.announcePage(task, o);
          settle();
        });
        return;
      case 'export': {
        const job = this.exportJob(task.docId);
        if (!job) {
          settle();
          return;
        }
        void this.logged('export', { docId: task.docId }, this.pool.run('export', { job })).then((o) => {
          this.record(() =>
            o.ok
              ? completeExport(this.db, task.docId, this.owner, o.value.written, this.clock())
              : failExport(this.db, task.docId, this.owner, o.error, this.policy, this.clock()),
          );
          this.announceDocument(task.docId);
          settle();
        });
        return;
      }
      case 'reexport': {
        const job = this.exportJob(task.docId);
        if (!job) {
          settle();
          return;
        }
        job.target = { formats: task.formats, stem: task.stem, overwrite: false };
        void this.logged(
          'export',
          { docId: task.docId, batchId: task.batchId },
          this.pool.run('export', { job, ifExists: task.ifExists }),
        ).then((o) => {
          this.record(() =>
            o.ok
              ? completeExportTask(this.db, task.taskId, this.owner, o.value, this.clock())
              : failExportTask(this.db, task.taskId, this.owner, o.error, this.policy, this.clock()),
          );
          if (this.db.open) this.events.emit('export', { batchId: task.batchId, docId: task.docId });
          settle();
        });
        return;
      }
    }
  }

  /**
   * Logs a task's outcome with its ids, worker, time and error code, and passes it on unchanged.
   * Only measurements and codes are taken from a result: never its text or words.
   */
  private logged<T>(
    type: 'probe' | 'page' | 'export',
    ids: Record<string, number | undefined>,
    outcome: Promise<TaskOutcome<T>>,
  ): Promise<TaskOutcome<T>> {
    const started = performance.now();
    return outcome.then((o) => {
      const ms = Math.round(performance.now() - started);
      if (!o.ok) {
        this.log.warn(`${type}.failed`, {
          ...ids,
          worker: o.worker,
          ms,
          code: o.error.code,
          reason: o.error.message,
        });
        return o;
      }
      const v = o.value as Partial<PageResult & ProbeResult & { written: string[]; bytes: number }>;
      const details =
        type === 'page'
          ? {
              source: v.source,
              dpi: v.dpi,
              width: v.width,
              height: v.height,
              confidence:
                v.meanConfidence === null || v.meanConfidence === undefined
                  ? null
                  : Math.round(v.meanConfidence),
              rasterizeMs: v.timings?.rasterize,
              recognizeMs: v.timings?.recognize,
            }
          : type === 'probe'
            ? { kind: v.kind, pages: v.pageCount, bytes: v.size }
            : { files: v.written?.length, bytes: v.bytes };
      this.log.info(`${type}.done`, { ...ids, worker: o.worker, ms, ...details });
      return o;
    });
  }

  /** Writes an outcome unless the engine is shutting down (then the lease is released instead). */
  private record(write: () => boolean): boolean {
    if (!this.db.open) return false;
    if (this.stopping) return false;
    return write();
  }

  private exportJob(docId: number): ExportWireJob | null {
    const src = exportSource(this.db, docId);
    if (!src) return null;
    return {
      sourcePath: src.doc.path,
      sourceIdentity: { size: src.doc.size, mtimeMs: src.doc.mtime_ms, sha256: src.doc.sha256 },
      kind: (src.doc.kind ?? 'pdf') as ExportWireJob['kind'],
      target: src.output,
      pages: src.pages.map((p) => ({
        text: p.text ?? '',
        words: p.words ?? '[]',
        width: p.width ?? 0,
        height: p.height ?? 0,
        source: (p.source ?? 'ocr') as 'ocr' | 'text-layer',
        failed: p.state !== 'done',
      })),
    };
  }

  private announcePage(task: Extract<Task, { kind: 'page' }>, outcome: TaskOutcome<PageResult>): void {
    const page = this.db.prepare('SELECT state FROM pages WHERE id = ?').get(task.pageId) as
      { state: string } | undefined;
    const error: ErrorInfo | null = outcome.ok ? null : outcome.error;
    this.events.emit('page', {
      docId: task.docId,
      pageNo: task.pageNo,
      ok: outcome.ok,
      retrying: !outcome.ok && page?.state === 'queued',
      error,
      timings: outcome.ok ? outcome.value.timings : null,
    });
    this.announceDocument(task.docId);
  }

  private announceDocument(docId: number): void {
    if (!this.db.open) return;
    const d = getDocument(this.db, docId);
    if (!d) return;
    this.events.emit('document', { id: d.id, state: d.state, pageCount: d.pageCount, error: d.error });
    // Copies of this document follow its state; tell their listeners too.
    const copies = this.db.prepare('SELECT id FROM documents WHERE duplicate_of = ?').all(docId) as {
      id: number;
    }[];
    for (const c of copies) {
      const copy = getDocument(this.db, c.id);
      if (copy)
        this.events.emit('document', {
          id: copy.id,
          state: copy.state,
          pageCount: copy.pageCount,
          error: copy.error,
        });
    }
  }
}
