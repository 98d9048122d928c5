import type { ClusterStatus } from '../../shared/api.ts';
import type { TaskType, WorkerTasks } from '../worker/protocol.ts';
import type { EngineOptions } from './engineOptions.ts';
import type { ClusterSettings } from '../cluster/coordinatorLink.ts';
import { redactRedisUrl } from '../cluster/redisUrl.ts';
import type { NodeView } from '../cluster/presence.ts';
import type { EngineEmitter } from './events.ts';
import type { ClusterExecutor, ClusterExecutorOptions } from './executors/cluster.ts';
import type { Executor, TaskMeta } from './executors/executor.ts';
import type { TaskOutcome } from './pool.ts';
import type { Logger } from './log/logger.ts';
import type { Db } from './store/db.ts';
import { queuedDocumentFile, returnPages } from './store/cluster.ts';
import { getDocuments } from './store/documents.ts';

export type { ClusterSettings } from '../cluster/coordinatorLink.ts';

export interface ClusterControlOptions {
  settings: ClusterSettings;
  version: string;
  /** What the cluster needs of the engine it belongs to. */
  engine: {
    db: Db;
    log: Logger;
    events: EngineEmitter;
    /** The engine's lease owner: withdrawn pages are returned under it. */
    owner: string;
    now: () => number;
    /** The scheduler's pump: there may be room for more pages. */
    pump: () => void;
  };
}

/** What the window shows for an engine that works alone. */
export const NO_CLUSTER: ClusterStatus = { redis: null, connected: false, nodes: [], inFlight: 0 };

/**
 * The cluster an engine coordinates: `--redis` (opts.cluster), else the stored setting (Settings →
 * Cluster) where the host asks for it (the app, `serve`); null when it works alone.
 */
export function clusterFor(
  opts: Pick<EngineOptions, 'cluster' | 'clusterFromSettings' | 'version'>,
  storedRedis: string | null,
  engine: ClusterControlOptions['engine'],
): ClusterControl | null {
  const settings =
    opts.cluster ?? (opts.clusterFromSettings && storedRedis ? { redisUrl: storedRedis } : undefined);
  return settings ? new ClusterControl({ settings, version: opts.version ?? 'unknown', engine }) : null;
}

/**
 * The local pool's share: `--jobs 0` with nodes keeps one worker to open files, write outputs and
 * draw page pictures, and leaves every page to the nodes.
 */
export function localShare(
  jobs: number,
  cluster: ClusterControl | null,
): { size: number; accepts?: ReadonlySet<TaskType> } {
  if (!cluster || jobs > 0) return { size: jobs };
  return { size: 1, accepts: new Set<TaskType>(['probe', 'export', 'render']) };
}

/**
 * What the engine does with the cluster besides handing it pages: when the user pauses, cancels,
 * removes or re-prioritises documents, their pages waiting in Redis are taken back (and their
 * leases returned) or re-ordered, so that these actions mean with nodes what they mean locally.
 */
export class ClusterControl {
  readonly executor: DeferredClusterExecutor;
  private readonly opts: ClusterControlOptions;
  private readonly engine: ClusterControlOptions['engine'];

  constructor(opts: ClusterControlOptions) {
    this.opts = opts;
    const engine = opts.engine;
    this.engine = engine;
    this.executor = new DeferredClusterExecutor({
      link: {
        ...opts.settings,
        version: opts.version,
        lookup: (sha) => (engine.db.open ? queuedDocumentFile(engine.db, sha) : null),
      },
      log: engine.log,
      onCapacity: () => engine.pump(),
      onNodes: (nodes) => engine.events.emit('nodes', nodes),
    });
  }

  get nodes(): NodeView[] {
    return this.executor.loaded?.link.nodes ?? [];
  }

  /** What the window's nodes view shows. */
  status(): ClusterStatus {
    return {
      redis: redactRedisUrl(this.opts.settings.redisUrl),
      connected: this.executor.connected,
      nodes: this.nodes,
      inFlight: this.executor.busy(),
    };
  }

  /** Takes these documents' waiting pages back from Redis and returns their leases. */
  takeBack(docIds: readonly number[] | 'all'): void {
    const executor = this.executor.loaded; // none yet: nothing was handed to Redis
    if (!executor) return;
    void executor.withdraw(docIds).then((pageIds) => {
      const e = this.engine;
      if (pageIds.length === 0 || !e.db.open) return;
      const n = returnPages(e.db, e.owner, pageIds, e.now());
      e.log.info('cluster.withdrawn', { pages: n });
      e.pump();
    });
  }

  /** Gives these documents' pages waiting in Redis their documents' new priorities. */
  reprioritise(docIds: readonly number[]): void {
    const executor = this.executor.loaded;
    if (!executor || !this.engine.db.open) return;
    const byPriority = new Map<number, number[]>();
    for (const d of getDocuments(this.engine.db, [...docIds])) {
      byPriority.set(d.priority, [...(byPriority.get(d.priority) ?? []), d.id]);
    }
    for (const [priority, ids] of byPriority) void executor.reprioritise(ids, priority);
  }
}

/**
 * The cluster executor, loaded when it starts: BullMQ and ioredis (~25 MB of a process's memory)
 * are imported only by an engine that coordinates nodes, never by one that works alone. Until it
 * has loaded it has no capacity, so the scheduler hands it nothing.
 */
export class DeferredClusterExecutor implements Executor {
  readonly name = 'cluster';
  readonly accepts: ReadonlySet<TaskType> = new Set<TaskType>(['page']);
  /** The executor itself, once its module has loaded. */
  loaded: ClusterExecutor | null = null;
  private loading: Promise<void> | null = null;
  private closed = false;
  private readonly opts: ClusterExecutorOptions;

  constructor(opts: ClusterExecutorOptions) {
    this.opts = opts;
  }

  /** Connected to Redis and serving files. */
  get connected(): boolean {
    return this.loaded?.connected ?? false;
  }

  capacity(): number {
    return this.loaded?.capacity() ?? 0;
  }

  busy(): number {
    return this.loaded?.busy() ?? 0;
  }

  run<K extends TaskType>(
    type: K,
    request: WorkerTasks[K]['request'],
    meta: TaskMeta,
  ): Promise<TaskOutcome<WorkerTasks[K]['result']>> {
    if (!this.loaded) throw new Error('the cluster executor ran a task before it had loaded');
    return this.loaded.run(type, request, meta);
  }

  start(): void {
    this.loading ??= import('./executors/cluster.ts').then(
      ({ ClusterExecutor }) => {
        if (this.closed) return;
        this.loaded = new ClusterExecutor(this.opts);
        this.loaded.start();
      },
      (error: Error) => this.opts.log.error('cluster.load', { message: error.message }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.loading;
    await this.loaded?.close();
  }
}
