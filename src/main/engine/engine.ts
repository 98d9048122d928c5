import { randomUUID } from 'node:crypto';
import type { Settings } from '../../shared/api.ts';
import type { ExportOptions, ExportStartResult } from '../../shared/exports.ts';
import type { Limits } from '../worker/ocrTypes.ts';
import { closeDatabase, type Db } from './store/db.ts';
import {
  cancelDocuments,
  isGloballyPaused,
  pauseDocuments,
  removeDocuments,
  resumeDocuments,
  retryDocuments,
  setGloballyPaused,
  setPriority,
  shiftPriority,
} from './store/documents.ts';
import { recoverLeases } from './store/tasks.ts';
import {
  createExportBatch,
  recoverExportTasks,
  releaseExportLeases,
  retryExportTasks,
} from './store/exportTasks.ts';
import { defaultRetryPolicy } from './store/policy.ts';
import { openOwnedDatabase, releaseEngineLock, releaseLeases } from './store/lock.ts';
import { createFileLogger, logPathFor, silentLogger, type Logger } from './log/logger.ts';
import { DEFAULT_TIMEOUTS, type EngineOptions } from './engineOptions.ts';
import { WalCheckpointer } from './store/walCheckpointer.ts';
import { EngineEmitter } from './events.ts';
import { ingest, logIngest, type IngestRequest, type IngestSummary } from './ingest.ts';
import { WatchService } from './watch/watchService.ts';
import { DEFAULT_WATCH_TIMINGS } from './watch/folderWatcher.ts';
import type { LocalPoolExecutor, WorkersView } from './executors/localPool.ts';
import { localExecutors } from './executors/localExecutors.ts';
import { Scheduler, type PagePreviewOutcome, type RenderRequest } from './scheduler.ts';
import { Announcer } from './announce.ts';
import { QueueReader } from './queries.ts';
import { limitsOf, writeSettings, workerCount } from './settings.ts';
import { SearchIndexer } from './search/searchIndexer.ts';
import { clusterFor, type ClusterControl } from './clusterControl.ts';

export type { PagePreviewOutcome } from './scheduler.ts';

export type { EngineOptions } from './engineOptions.ts';
export { DatabaseError } from './store/db.ts';

/**
 * The product: a persistent page queue worked by OCR processes. Front ends (CLI, Electron, browser)
 * call its methods, read through `engine.read`, and listen to its events; it imports nothing from
 * Electron.
 *
 * Every state change is written to SQLite before it is announced, so a crash at any moment loses at
 * most the pages that were being recognised; they are queued again at the next start.
 *
 * Who does what: the store (`store/`) holds every row and every SQL statement; the scheduler
 * claims tasks from it and hands them to executors (`executors/`: this machine's workers and light
 * helper, and the worker nodes of a cluster); the table in `taskKinds.ts` says how each kind of task
 * is run, recorded and announced.
 */
export class Engine {
  readonly events = new EngineEmitter();
  /** The database, for the engine's own modules and tests; front ends read through `read`. */
  readonly db: Db;
  /** Every question a front end asks about the queue (lists, review, exports, settings). */
  readonly read: QueueReader;
  /**
   * Watched folders. Stored in the database; they run only where a host starts them
   * (`engine.watch.start()`: the desktop app, `bulk-ocr serve`, `bulk-ocr watch`), not in `bulk-ocr run`.
   */
  readonly watch: WatchService;
  readonly log: Logger;
  /** Adds recorded pages to the search index in the background (and builds it after an upgrade). */
  readonly searchIndex: SearchIndexer;
  private readonly owner = randomUUID();
  private readonly local: LocalPoolExecutor;
  private readonly helper: LocalPoolExecutor | null;
  /** Worker nodes on other machines, when this engine coordinates a cluster (`--redis`). */
  readonly cluster: ClusterControl | null;
  private readonly scheduler: Scheduler;
  private readonly checkpointer: WalCheckpointer;
  private readonly clock: () => number;
  private readonly ownsLog: boolean;
  private started = false;
  private stopping = false;
  /** `{ limits }` for worker requests, or nothing when the defaults apply. */
  private limitsField: { limits?: Partial<Limits> };

  constructor(opts: EngineOptions) {
    this.limitsField = opts.limits ? { limits: opts.limits } : {};
    this.clock = opts.clock ?? Date.now;
    this.db = openOwnedDatabase(opts.dbPath, this.owner, this.clock());
    this.read = new QueueReader(this.db);
    // Opened only once the queue is ours: a refused database gets no log folder beside it.
    this.ownsLog = opts.log === undefined && opts.dbPath !== ':memory:';
    this.log =
      opts.log ?? (this.ownsLog ? createFileLogger({ path: logPathFor(opts.dbPath) }) : silentLogger);
    this.checkpointer = new WalCheckpointer(this.db, opts.dbPath);
    this.cluster = clusterFor(opts, this.read.settings().clusterRedis, {
      ...{ db: this.db, log: this.log, events: this.events, owner: this.owner, now: this.clock },
      pump: () => this.pump(),
    });
    ({ local: this.local, helper: this.helper } = localExecutors(opts, {
      log: this.log,
      cluster: this.cluster,
      onIdle: () => this.scheduler.pump(),
      onFatal: (error) => this.events.emit('fatal', error),
    }));
    this.scheduler = new Scheduler({
      // The helper first: it takes the tasks it can (pictures, opening files) off the OCR workers;
      // the cluster's nodes last: pages go to this machine's idle workers first.
      executors: [
        ...(this.helper ? [this.helper] : []),
        this.local,
        ...(this.cluster ? [this.cluster.executor] : []),
      ],
      leaseMs: (opts.timeouts?.page ?? DEFAULT_TIMEOUTS.page) + 60_000,
      events: this.events,
      log: this.log,
      step: {
        db: this.db,
        owner: this.owner,
        now: this.clock,
        policy: opts.policy ?? defaultRetryPolicy,
        limits: () => this.limitsField,
        announce: new Announcer(this.db, this.events),
      },
    });
    this.log.info('engine.open', {
      db: opts.dbPath,
      jobs: opts.jobs,
      pid: process.pid,
      node: process.versions.node,
    });
    this.searchIndex = new SearchIndexer({ db: this.db, events: this.events, log: this.log });
    this.watch = new WatchService({
      db: this.db,
      events: this.events,
      ingest: (req) => this.ingest(req),
      wake: () => this.pump(),
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
    this.scheduler.start();
    this.helper?.start();
    this.local.start();
    this.searchIndex.start();
    this.cluster?.executor.start();
    return { recovered: recovered.pages + recovered.documents + exports };
  }

  /** Stops claiming, stops the workers and returns unfinished tasks to the queue without counting the attempt. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info('engine.stop', {});
    this.scheduler.stop();
    await this.watch.stop();
    await Promise.all([this.local.close(), this.helper?.close()]);
    await this.searchIndex.stop();
    await this.cluster?.executor.close();
    releaseLeases(this.db, this.owner);
    releaseExportLeases(this.db, this.owner);
    releaseEngineLock(this.db, this.owner);
    await this.checkpointer.stop();
    closeDatabase(this.db);
    this.log.info('engine.stopped', {});
    if (this.ownsLog) this.log.close();
  }

  async ingest(req: IngestRequest): Promise<IngestSummary> {
    const summary = await ingest(this.db, req, this.clock);
    logIngest(this.log, req, summary);
    this.pump();
    return summary;
  }

  // ── Queue operations (what the UI and CLI call) ──────────────────────────────
  pause(ids: number[]): void {
    pauseDocuments(this.db, ids, this.clock());
    this.cluster?.takeBack(ids);
  }
  resume(ids: number[]): void {
    resumeDocuments(this.db, ids, this.clock());
    this.pump();
  }
  cancel(ids: number[]): void {
    cancelDocuments(this.db, ids, this.clock());
    this.cluster?.takeBack(ids);
  }
  retry(ids: number[]): void {
    retryDocuments(this.db, ids, this.clock());
    this.pump();
  }
  setPriority(ids: number[], priority: number): void {
    setPriority(this.db, ids, priority, this.clock());
    this.cluster?.reprioritise(ids);
  }
  /** Moves each document up (`delta` > 0) or down from its own priority, within 0–9. */
  shiftPriority(ids: number[], delta: number): void {
    shiftPriority(this.db, ids, delta, this.clock());
    this.cluster?.reprioritise(ids);
  }
  remove(ids: number[]): void {
    removeDocuments(this.db, ids, this.clock());
    this.cluster?.takeBack(ids);
  }
  setPaused(paused: boolean): void {
    setGloballyPaused(this.db, paused);
    if (paused) this.cluster?.takeBack('all');
    else this.pump();
  }
  get paused(): boolean {
    return isGloballyPaused(this.db);
  }
  /** False once the engine has stopped and its database is closed. */
  get isOpen(): boolean {
    return this.db.open;
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

  // ── Settings ─────────────────────────────────────────────────────────────────
  /**
   * Stores a change of the settings (refused with a SettingsError naming what is wrong) and applies
   * what takes effect at once: the number of workers and the page limit.
   */
  updateSettings(patch: Partial<Settings>): Settings {
    const next = writeSettings(this.db, patch);
    if (patch.workers !== undefined) this.setWorkers(workerCount(next.workers));
    if (patch.maxPages !== undefined || patch.maxImageMpixels !== undefined) this.setLimits(limitsOf(next));
    return next;
  }

  /**
   * Changes the number of OCR workers now: new ones start at once; surplus ones finish the page
   * they are on and stop.
   */
  setWorkers(n: number): void {
    this.local.pool.resize(n);
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
  renderPage(request: RenderRequest): Promise<PagePreviewOutcome> {
    return this.scheduler.renderPage(request);
  }

  get workers(): WorkersView {
    return this.local.describe();
  }

  private pump(): void {
    if (this.started && !this.stopping) this.scheduler.pump();
  }
}
