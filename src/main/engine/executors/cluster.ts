import { randomBytes } from 'node:crypto';
import type { ErrorInfo, PageResult } from '../../../shared/model.ts';
import type { TaskType, WorkerTasks } from '../../worker/protocol.ts';
import type { TaskOutcome } from '../pool.ts';
import type { Executor, TaskMeta } from './executor.ts';
import type { Logger } from '../log/logger.ts';
import { ClusterLink, type ClusterLinkOptions } from '../../cluster/coordinatorLink.ts';
import { CLUSTER_PROTOCOL, pageJobId, type PageJob, type ResultJob } from '../../cluster/protocol.ts';
import type { NodeView } from '../../cluster/presence.ts';

/** An outcome the scheduler does not record: the task was taken back (paused, cancelled, removed). */
export type WithdrawnOutcome = { ok: false; error: ErrorInfo; withdrawn: true };

interface InFlight {
  job: PageJob;
  priority: number;
  resolve: (o: TaskOutcome<PageResult> | WithdrawnOutcome) => void;
  submittedAt: number;
  /** Times the job had to be put in again (Redis lost it, it failed on a node). */
  resubmits: number;
}

export interface ClusterExecutorOptions {
  link: Omit<ClusterLinkOptions, 'onResult' | 'onNodes' | 'onConnection'>;
  log: Logger;
  /** Called when there is room for more pages (a result came back, a node joined). */
  onCapacity: () => void;
  /** Called when the nodes change (the window's nodes view). */
  onNodes?: (nodes: NodeView[]) => void;
  /** Pages kept in Redis per OCR slot of the nodes: enough that no node waits, few enough that priorities act within seconds. */
  pagesPerSlot?: number;
}

/**
 * The cluster queue as an executor: page tasks go to the worker nodes through BullMQ, at most a
 * small window of them at a time (about two per node slot), so Redis holds a few hundred jobs
 * however many pages are queued, and a priority change or a pause reaches the nodes within
 * seconds. Each claim gets a lease token; a result is handed to the scheduler only for the claim
 * that is still waiting for it, so a page done twice (BullMQ delivers at least once: a node cut
 * off mid-page, a result posted again) is recorded once.
 */
export class ClusterExecutor implements Executor {
  readonly name = 'cluster';
  readonly accepts: ReadonlySet<TaskType> = new Set<TaskType>(['page']);
  readonly link: ClusterLink;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly opts: ClusterExecutorOptions;
  private reconcileTimer: NodeJS.Timeout | null = null;
  /** Connected to Redis and serving files: pages may be handed out. */
  connected = false;
  private closed = false;
  /** Results dropped as duplicates or stale (tests and logs). */
  duplicates = 0;

  constructor(opts: ClusterExecutorOptions) {
    this.opts = opts;
    this.link = new ClusterLink({
      ...opts.link,
      onResult: (r) => this.onResult(r),
      onNodes: (nodes) => {
        this.opts.onNodes?.(nodes);
        this.opts.onCapacity();
      },
      onConnection: (up, message) =>
        this.opts.log.log(up ? 'info' : 'warn', up ? 'cluster.redis.up' : 'cluster.redis.down', { message }),
    });
  }

  /** Pages the nodes can take now beyond those already in Redis. 0 while no node works. */
  capacity(): number {
    if (!this.connected || this.closed) return 0;
    const slots = this.link.workingSlots;
    if (slots === 0) return 0;
    const window = slots * (this.opts.pagesPerSlot ?? 2);
    return Math.max(0, window - this.inFlight.size);
  }

  busy(): number {
    return this.inFlight.size;
  }

  /** Connects in the background, retrying while Redis is away; the scheduler sees capacity once it is up. */
  start(): void {
    const attempt = (): void => {
      if (this.closed) return;
      this.link.start().then(
        () => {
          this.connected = true;
          this.opts.log.info('cluster.start', { fileUrls: this.link.fileUrls.join(' ') });
          this.reconcileTimer = setInterval(
            () => void this.reconcile(),
            Math.max(2_000, this.link.nodeTimeoutMs / 3),
          );
          this.reconcileTimer.unref();
          this.opts.onCapacity();
        },
        (error: Error) => {
          this.opts.log.warn('cluster.unavailable', { message: error.message });
          void this.link.close().finally(() => setTimeout(attempt, 5_000).unref());
        },
      );
    };
    attempt();
  }

  run<K extends TaskType>(
    type: K,
    request: WorkerTasks[K]['request'],
    meta: TaskMeta,
  ): Promise<TaskOutcome<WorkerTasks[K]['result']>> {
    if (type !== 'page' || meta.pageId === undefined || meta.docId === undefined)
      throw new Error(`the cluster runs page tasks only, not ${type}`);
    const r = request as WorkerTasks['page']['request'];
    const sha256 = r.identity?.sha256;
    if (!sha256 || !r.identity) throw new Error('a page task for the cluster needs its document identity');
    const job: PageJob = {
      protocol: CLUSTER_PROTOCOL,
      pageId: meta.pageId,
      token: randomBytes(6).toString('hex'),
      docId: meta.docId,
      pageNo: r.pageNo,
      path: r.path,
      sha256,
      identity: r.identity,
      options: r.options,
      ...(r.limits ? { limits: r.limits } : {}),
    };
    const priority = meta.priority ?? 5;
    return new Promise((resolve) => {
      this.inFlight.set(job.pageId, {
        job,
        priority,
        resolve: resolve,
        submittedAt: Date.now(),
        resubmits: 0,
      });
      // While Redis is away the add waits for it; if it fails for good, the reconciliation puts it in again.
      this.link.submit(job, priority).catch(() => undefined);
    });
  }

  /** The one place a node's result becomes the outcome of a claim: only for the token that holds the page. */
  onResult(r: ResultJob): void {
    const waiting = this.inFlight.get(r.pageId);
    if (!waiting || waiting.job.token !== r.token) {
      this.duplicates++;
      this.opts.log.info('cluster.result.dropped', {
        pageId: r.pageId,
        node: r.node.name,
        reason: waiting ? 'stale lease' : 'already recorded or released',
      });
      return;
    }
    this.inFlight.delete(r.pageId);
    waiting.resolve(r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error });
    this.opts.onCapacity();
  }

  /**
   * Takes back the pages of these documents that wait in Redis (paused, cancelled, removed): their
   * runs end with a withdrawn outcome, which the scheduler does not record; the caller returns the
   * leases. Pages a node is already reading finish and are recorded as usual.
   */
  async withdraw(docIds: readonly number[] | 'all'): Promise<number[]> {
    const docs = new Set(docIds === 'all' ? [] : docIds);
    const mine = [...this.inFlight.values()].filter((f) => docIds === 'all' || docs.has(f.job.docId));
    if (!this.connected) return [];
    if (mine.length === 0) return [];
    const removed = new Set(await this.link.withdraw(mine.map((f) => pageJobId(f.job.pageId, f.job.token))));
    const pageIds: number[] = [];
    for (const f of mine) {
      if (!removed.has(pageJobId(f.job.pageId, f.job.token))) continue;
      this.inFlight.delete(f.job.pageId);
      pageIds.push(f.job.pageId);
      f.resolve({
        ok: false,
        error: { code: 'INTERNAL', message: 'taken back from the cluster' },
        withdrawn: true,
      });
    }
    if (pageIds.length > 0) this.opts.onCapacity();
    return pageIds;
  }

  /** New priority for these documents' pages waiting in Redis. */
  async reprioritise(docIds: readonly number[], priority: number): Promise<void> {
    const docs = new Set(docIds);
    const mine = [...this.inFlight.values()].filter((f) => docs.has(f.job.docId));
    for (const f of mine) f.priority = priority;
    await this.link.reprioritise(
      mine.map((f) => pageJobId(f.job.pageId, f.job.token)),
      priority,
    );
  }

  /**
   * Jobs in flight for long are looked up: one that Redis no longer has (lost in a crash before its
   * AOF was written), or that ended without a result reaching us, is put in again under the same
   * token, so the page is done however the cluster misbehaves; at most once more per minute.
   */
  private async reconcile(): Promise<void> {
    const now = Date.now();
    const old = [...this.inFlight.values()].filter((f) => now - f.submittedAt > 10_000);
    if (old.length === 0 || this.closed) return;
    let states;
    try {
      states = await this.link.states(old.map((f) => pageJobId(f.job.pageId, f.job.token)));
    } catch {
      return; // Redis away: next time
    }
    for (let i = 0; i < old.length; i++) {
      const f = old[i];
      const s = states[i];
      const lost = s === 'unknown' || s === 'failed' || (s === 'completed' && now - f.submittedAt > 60_000);
      if (!lost || this.inFlight.get(f.job.pageId) !== f) continue;
      f.resubmits++;
      f.submittedAt = now;
      this.opts.log.warn('cluster.job.resubmitted', { pageId: f.job.pageId, state: s, times: f.resubmits });
      await this.link.resubmit(f.job, f.priority).catch(() => undefined);
    }
  }

  /** Stops; runs still waiting end with a withdrawn outcome (their leases are released by the engine). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    for (const f of this.inFlight.values())
      f.resolve({
        ok: false,
        error: { code: 'INTERNAL', message: 'the engine is stopping' },
        withdrawn: true,
      });
    this.inFlight.clear();
    await this.link.close();
  }
}
