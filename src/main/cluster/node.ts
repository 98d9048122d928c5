import { availableParallelism, hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ErrorInfo } from '../../shared/model.ts';
import { Pool, type TaskOutcome } from '../engine/pool.ts';
import type { SpawnWorker } from '../worker/protocol.ts';
import { listInstalledLanguages } from '../worker/languages.ts';
import { FileCache } from './fileCache.ts';
import { InputGone, NodeFault, NodeInputs } from './nodeInput.ts';
import type { PathMapping } from './pathMap.ts';
import {
  CLUSTER_PROTOCOL,
  incompatibility,
  KEY_PREFIX,
  QUEUES,
  type NodeHeartbeat,
  type PageJob,
  type ResultJob,
} from './protocol.ts';
import { checkRedis, ClusterError, openConnection } from './redisConnection.ts';
import { NodePresence, readCoordinator } from './presence.ts';

export interface NodeOptions {
  redisUrl: string;
  /** OCR worker processes on this node. */
  jobs: number;
  /** Shown in the coordinator's nodes view; default the host name. */
  name?: string;
  cacheDir: string;
  cacheBytes: number;
  pathMap: PathMapping[];
  spawn: SpawnWorker;
  version: string;
  /** CA certificate (PEM) for an HTTPS file endpoint with a private certificate. */
  ca?: Buffer;
  /** Own failures in a row (fetch, cache, missing language) after which the node stops taking pages. */
  excludeAfter?: number;
  /** First pause when excluded, doubled each time it happens again in a row (max 10 min). */
  probationMs?: number;
  /** What the node tells its operator (the CLI prints it). */
  onEvent?: (event: NodeEvent) => void;
}

export type NodeEvent =
  | { type: 'page'; path: string; pageNo: number; ok: boolean; ms: number; via: string; error?: ErrorInfo }
  | { type: 'handed-back'; path: string; pageNo: number; reason: string }
  | { type: 'state'; state: NodeHeartbeat['state']; reason: string | null }
  | { type: 'connection'; up: boolean; message: string };

/**
 * A worker node: takes page jobs from the cluster queue, OCRs them in the same worker processes
 * (and with the same limits) as the app's local pool, and returns each page's outcome through the
 * results queue. It holds nothing the coordinator cannot rebuild: its pages in flight come back to
 * the queue by themselves (BullMQ's lock expires) if it dies.
 */
export class WorkerNode {
  readonly id: string;
  readonly name: string;
  private readonly opts: NodeOptions;
  private readonly pool: Pool;
  private readonly inputs: NodeInputs;
  private connection: Redis | null = null;
  private worker: Worker<PageJob> | null = null;
  private results: Queue<ResultJob> | null = null;
  private presence: NodePresence | null = null;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly active = new Set<Promise<unknown>>();
  private handingBack = false;
  private ownFailuresInRow = 0;
  private exclusions = 0;
  private probationTimer: NodeJS.Timeout | null = null;
  private fatal: ErrorInfo | null = null;
  private onFatal: ((e: ErrorInfo) => void) | null = null;
  readonly stats = { pagesDone: 0, pagesFailed: 0, handedBack: 0, doneAt: [] as number[] };

  constructor(opts: NodeOptions) {
    this.opts = opts;
    this.name = opts.name ?? hostname();
    this.id = `${this.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${randomBytes(3).toString('hex')}`;
    this.inputs = new NodeInputs(
      new FileCache({ dir: opts.cacheDir, maxBytes: opts.cacheBytes, ...(opts.ca ? { ca: opts.ca } : {}) }),
      opts.pathMap,
    );
    this.pool = new Pool({
      size: opts.jobs,
      spawn: opts.spawn,
      // The same limits as the app's local pool (engine.ts defaults).
      timeoutMs: { probe: 60_000, page: 180_000, export: 300_000, render: 60_000 },
      maxWorkerRssBytes: 1.5 * 2 ** 30,
      recycleAfterTasks: 2_000,
      onIdle: () => {
        for (const w of this.idleWaiters.splice(0)) w();
      },
      onFatal: (error) => {
        this.fatal = error;
        this.onFatal?.(error);
      },
    });
  }

  /**
   * Connects, checks the coordinator's version and starts taking pages. Throws ClusterError (the
   * CLI exits 2) when Redis cannot be reached or refuses the password, or the versions differ.
   */
  async start(): Promise<void> {
    await checkRedis(this.opts.redisUrl);
    const connection = openConnection(this.opts.redisUrl);
    this.connection = connection;
    let down = false;
    connection.on('error', (e: Error) => {
      if (down) return;
      down = true;
      this.emit({
        type: 'connection',
        up: false,
        message: `Redis connection lost (${e.message}); reconnecting…`,
      });
    });
    connection.on('ready', () => {
      if (!down) return;
      down = false;
      this.emit({ type: 'connection', up: true, message: 'Redis connection back' });
    });
    await connection.connect();
    const coordinator = await readCoordinator(connection);
    if (coordinator) {
      const why = incompatibility({ version: this.opts.version, protocol: CLUSTER_PROTOCOL }, coordinator);
      if (why) throw new ClusterError(why);
    }
    this.presence = new NodePresence(connection, this.heartbeatBase(), () => this.dynamicState());
    this.presence.onCoordinatorChange = (c) => this.onCoordinator(c);
    await this.presence.start();

    this.pool.start();
    this.results = new Queue<ResultJob>(QUEUES.results, { connection, prefix: KEY_PREFIX });
    this.results.on('error', () => undefined); // the connection's own listener reports it
    const lockMs = coordinator?.nodeTimeoutMs ?? 30_000;
    this.worker = new Worker<PageJob>(QUEUES.pages, (job, token) => this.track(this.process(job, token)), {
      connection,
      prefix: KEY_PREFIX,
      name: this.id,
      concurrency: this.opts.jobs,
      // OCR runs in the worker processes, never on this event loop, so locks are renewed on time
      // (every lockDuration/2) however long a page takes. lockDuration is then only how long a
      // node may be silent (crashed, cut off) before its pages are given to another: the
      // coordinator's --node-timeout, published in Redis so that every node applies the same.
      lockDuration: lockMs,
      stalledInterval: Math.max(1_000, Math.round(lockMs / 2)),
      // A page whose node vanished goes back to the queue however often that happens: nodes
      // vanishing is not the page's fault (a page that kills its OCR process fails on its own
      // attempts, counted by the coordinator).
      maxStalledCount: 1_000,
      removeOnComplete: { count: 1_000 },
      removeOnFail: { count: 1_000 },
    });
    this.worker.on('error', () => undefined);
    if (!coordinator) this.setState('waiting', 'no coordinator has started on this Redis yet');
    if (this.fatal) throw new ClusterError(`cannot run OCR on this node: ${this.fatal.message}`);
  }

  /** Called (once) if the OCR worker processes cannot start at all on this machine. */
  whenFatal(listener: (e: ErrorInfo) => void): void {
    this.onFatal = listener;
    if (this.fatal) listener(this.fatal);
  }

  /**
   * Stops taking pages. `finish`: the pages being read are finished and returned first.
   * `hand-back`: they are stopped and put back in the queue at once, for another node.
   */
  async stop(mode: 'finish' | 'hand-back'): Promise<void> {
    if (this.probationTimer) clearTimeout(this.probationTimer);
    if (mode === 'hand-back') {
      this.handingBack = true;
      // Pages waiting for a worker will not get one (the pool closes): let them go back now.
      for (const w of this.idleWaiters.splice(0)) w();
      void this.worker?.pause(true);
      await this.pool.close(0);
      await Promise.allSettled([...this.active]);
    }
    await this.worker?.close();
    await this.pool.close();
    await this.presence?.stop();
    await this.results?.close();
    this.connection?.disconnect();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.active.add(p);
    void p.finally(() => this.active.delete(p)).catch(() => undefined);
    return p;
  }

  private async process(job: Job<PageJob>, token: string | undefined): Promise<void> {
    const data = job.data;
    const started = performance.now();
    const coordinator = this.presence?.coordinator;
    let outcome: TaskOutcome<unknown> & { via?: string };
    let release = (): void => undefined;
    try {
      if (data.protocol !== CLUSTER_PROTOCOL)
        throw new NodeFault(
          `a page job of cluster protocol ${data.protocol}; this node speaks ${CLUSTER_PROTOCOL}`,
        );
      const installed = listInstalledLanguages();
      const missing = data.options.languages.filter((l) => !installed.includes(l));
      if (missing.length > 0)
        throw new NodeFault(
          `this node lacks the OCR language${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (npm package @tesseract.js-data/${missing[0]})`,
        );
      if (!coordinator)
        throw new NodeFault('no coordinator record in Redis: where to fetch documents is unknown');
      const input = await this.inputs.open(data, coordinator.fileUrls, coordinator.token);
      release = () => input.release();
      await this.idleSlot();
      // Stopping while the document was fetched or a worker awaited: the page goes back unread.
      if (this.handingBack)
        outcome = { ok: false, error: { code: 'INTERNAL', message: 'the node is stopping' } };
      else {
        outcome = await this.pool.run('page', {
          path: input.path,
          pageNo: data.pageNo,
          options: data.options,
          identity: input.identity,
          ...(data.limits ? { limits: data.limits } : {}),
        });
        outcome.via = input.via;
      }
    } catch (error) {
      if (error instanceof InputGone)
        outcome = { ok: false, error: { code: error.code, message: error.message } };
      else return this.handBack(job, token, (error as Error).message, true);
    } finally {
      release();
    }
    if (this.handingBack) return this.handBack(job, token, 'the node is stopping', false);
    const ms = Math.round(performance.now() - started);
    const result: ResultJob = {
      protocol: CLUSTER_PROTOCOL,
      pageId: data.pageId,
      token: data.token,
      docId: data.docId,
      pageNo: data.pageNo,
      sha256: data.sha256,
      node: { id: this.id, name: this.name },
      ms,
      ...(outcome.ok
        ? { ok: true as const, value: outcome.value as Extract<ResultJob, { ok: true }>['value'] }
        : { ok: false as const, error: outcome.error }),
    };
    // The job id makes a result posted twice (a retry after a lost reply) one job.
    await this.results!.add('result', result, {
      jobId: `r${data.pageId}-${data.token}`,
      removeOnComplete: true,
      removeOnFail: { count: 1_000 },
    });
    this.ownFailuresInRow = 0;
    this.exclusions = 0;
    if (outcome.ok) this.stats.pagesDone++;
    else this.stats.pagesFailed++;
    this.stats.doneAt.push(Date.now());
    this.emit({
      type: 'page',
      path: data.path,
      pageNo: data.pageNo,
      ok: outcome.ok,
      ms,
      via: outcome.via ?? 'cache',
      ...(outcome.ok ? {} : { error: outcome.error }),
    });
  }

  /** Puts the job back in the queue for any node; an own failure counts towards exclusion. */
  private async handBack(
    job: Job<PageJob>,
    token: string | undefined,
    reason: string,
    own: boolean,
  ): Promise<never> {
    this.stats.handedBack++;
    this.emit({ type: 'handed-back', path: job.data.path, pageNo: job.data.pageNo, reason });
    if (own && ++this.ownFailuresInRow >= (this.opts.excludeAfter ?? 3)) this.exclude(reason);
    await job.moveToWait(token);
    throw new WaitingError();
  }

  /** Stops taking pages for a while (its own failures keep happening), then tries again. */
  private exclude(reason: string): void {
    if (this.probationTimer) return;
    const base = this.opts.probationMs ?? 30_000;
    const wait = Math.min(10 * 60_000, base * 2 ** Math.min(10, this.exclusions++));
    this.ownFailuresInRow = 0;
    void this.worker?.pause(true);
    this.setState('excluded', reason, Date.now() + wait);
    this.probationTimer = setTimeout(() => {
      this.probationTimer = null;
      this.setState('working', null);
      void this.worker?.resume();
    }, wait);
    this.probationTimer.unref();
  }

  private onCoordinator(c: NonNullable<NodePresence['coordinator']>): void {
    const why = incompatibility({ version: this.opts.version, protocol: CLUSTER_PROTOCOL }, c);
    if (why) {
      void this.worker?.pause(true);
      this.setState('refused', why);
    } else if (this.state === 'refused' || this.state === 'waiting') {
      this.setState('working', null);
      void this.worker?.resume();
    }
  }

  private state: NodeHeartbeat['state'] = 'working';
  private reason: string | null = null;
  private retryAt: number | null = null;

  private setState(
    state: NodeHeartbeat['state'],
    reason: string | null,
    retryAt: number | null = null,
  ): void {
    const changed = state !== this.state || reason !== this.reason;
    this.state = state;
    this.reason = reason;
    this.retryAt = retryAt;
    if (changed) this.emit({ type: 'state', state, reason });
    void this.presence?.beat();
  }

  private idleSlot(): Promise<void> {
    if (this.handingBack || this.pool.idleCount > 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve)).then(() => this.idleSlot());
  }

  private heartbeatBase(): Omit<
    NodeHeartbeat,
    | 'busy'
    | 'engine'
    | 'pagesDone'
    | 'pagesFailed'
    | 'pagesPerMinute'
    | 'rssBytes'
    | 'seenAt'
    | 'state'
    | 'reason'
    | 'retryAt'
  > {
    return {
      id: this.id,
      name: this.name,
      host: hostname(),
      pid: process.pid,
      version: this.opts.version,
      protocol: CLUSTER_PROTOCOL,
      cores: availableParallelism(),
      jobs: this.opts.jobs,
      startedAt: Date.now(),
    };
  }

  private dynamicState(): Pick<
    NodeHeartbeat,
    | 'busy'
    | 'engine'
    | 'pagesDone'
    | 'pagesFailed'
    | 'pagesPerMinute'
    | 'rssBytes'
    | 'state'
    | 'reason'
    | 'retryAt'
  > {
    const now = Date.now();
    const windowMs = 5 * 60_000;
    while (this.stats.doneAt.length > 0 && this.stats.doneAt[0] < now - windowMs) this.stats.doneAt.shift();
    const since = Math.min(windowMs, now - (this.presence?.startedAt ?? now));
    const rss = this.pool.peakRssBytes.reduce((a, b) => a + b, 0) + process.memoryUsage().rss;
    return {
      busy: this.pool.busyCount,
      engine: this.pool.ocrEngines.join(', ') || 'starting',
      pagesDone: this.stats.pagesDone,
      pagesFailed: this.stats.pagesFailed,
      pagesPerMinute: since > 5_000 ? Math.round((this.stats.doneAt.length / since) * 600_000) / 10 : 0,
      rssBytes: rss,
      state: this.state,
      reason: this.reason,
      retryAt: this.retryAt,
    };
  }

  private emit(e: NodeEvent): void {
    this.opts.onEvent?.(e);
  }
}
