import { randomBytes } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { startFileServer, type FileServer, type FileServerOptions } from './fileServer.ts';
import { listNodes, readCoordinator, writeCoordinator, type NodeView } from './presence.ts';
import {
  bullPriority,
  CLUSTER_PROTOCOL,
  HEARTBEAT_MS,
  incompatibility,
  KEY_PREFIX,
  pageJobId,
  QUEUES,
  type CoordinatorRecord,
  type PageJob,
  type ResultJob,
} from './protocol.ts';
import { checkRedis, ClusterError, openConnection } from './redisConnection.ts';

/** What a coordinator is told to do with the cluster (the CLI's --redis, --node-timeout…). */
export interface ClusterSettings {
  redisUrl: string;
  /** A node silent this long loses its pages to others (BullMQ lock duration). Default 30 s. */
  nodeTimeoutMs?: number;
  /** Where the file endpoint listens; default: loopback when Redis is on this machine, else every interface. */
  listenHost?: string;
  /** Default 7781; 0 picks a free port. */
  listenPort?: number;
  /** Base URLs nodes should use for the file endpoint, when the addresses found are not the right ones. */
  advertise?: string[];
  tls?: FileServerOptions['tls'];
}

export interface ClusterLinkOptions extends ClusterSettings {
  version: string;
  /** The file a document's bytes are in while it has pages in the queue (the store decides). */
  lookup: FileServerOptions['lookup'];
  /** Every page outcome a node returns, in arrival order; duplicates and stale ones included. */
  onResult: (result: ResultJob) => void;
  /** Called when the list of nodes changes (the window and `status --watch` show it). */
  onNodes?: (nodes: NodeView[]) => void;
  /** Redis went away or came back (logs). */
  onConnection?: (up: boolean, message: string) => void;
}

/** How the job of a page looks to the reconciliation. */
export type JobState = 'waiting' | 'active' | 'completed' | 'failed' | 'unknown' | 'other';

/**
 * The coordinator's side of the cluster in Redis: publishes who it is and where documents are
 * served, adds page jobs, takes the nodes' results, lists the nodes. It keeps no state of its own
 * about pages: the cluster executor does (by lease token), and SQLite is the truth.
 */
export class ClusterLink {
  private readonly opts: ClusterLinkOptions;
  private connection: Redis | null = null;
  private pages: Queue<PageJob> | null = null;
  private results: Worker<ResultJob> | null = null;
  private files: FileServer | null = null;
  private record: CoordinatorRecord | null = null;
  private timer: NodeJS.Timeout | null = null;
  private known: NodeView[] = [];

  constructor(opts: ClusterLinkOptions) {
    this.opts = opts;
  }

  get nodeTimeoutMs(): number {
    return this.opts.nodeTimeoutMs ?? 30_000;
  }

  /** Connects (ClusterError when Redis cannot be used), serves files, publishes the record, takes results. */
  async start(): Promise<void> {
    await checkRedis(this.opts.redisUrl);
    const redisHost = new URL(this.opts.redisUrl).hostname;
    const loopbackRedis = /^(127\.|localhost$|\[?::1\]?$)/.test(redisHost);
    const token = randomBytes(24).toString('base64url');
    const connection = openConnection(this.opts.redisUrl);
    this.connection = connection;
    await connection.connect();
    // One coordinator per Redis database: two would hand the same queue's pages out twice over.
    const other = await readCoordinator(connection);
    if (
      other &&
      Date.now() - other.seenAt < 3 * HEARTBEAT_MS &&
      !(other.host === hostname() && !isAlive(other.pid))
    )
      throw new ClusterError(
        `another coordinator (pid ${other.pid} on ${other.host}) is using this Redis; stop it, or give each coordinator its own Redis database (redis://host:6379/1)`,
      );
    this.files = await startFileServer({
      token,
      lookup: this.opts.lookup,
      host: this.opts.listenHost ?? (loopbackRedis ? '127.0.0.1' : '0.0.0.0'),
      port: this.opts.listenPort ?? 7781,
      ...(this.opts.tls ? { tls: this.opts.tls } : {}),
    });
    let down = false;
    connection.on('error', (e: Error) => {
      if (!down) this.opts.onConnection?.(false, e.message);
      down = true;
    });
    connection.on('ready', () => {
      if (down) this.opts.onConnection?.(true, 'Redis connection back');
      down = false;
      void this.beat();
    });
    const local = connection.stream?.localAddress;
    this.record = {
      version: this.opts.version,
      protocol: CLUSTER_PROTOCOL,
      fileUrls: this.opts.advertise ?? fileUrls(this.files, local, loopbackRedis),
      token,
      nodeTimeoutMs: this.nodeTimeoutMs,
      seenAt: Date.now(),
      host: hostname(),
      pid: process.pid,
    };
    this.pages = new Queue<PageJob>(QUEUES.pages, { connection, prefix: KEY_PREFIX });
    this.pages.on('error', () => undefined);
    // Page jobs of an earlier run of this coordinator that no node has taken: their leases were
    // returned at start-up (SQLite is the truth), so they would only be done twice.
    await this.pages.drain();
    this.results = new Worker<ResultJob>(
      QUEUES.results,
      (job: Job<ResultJob>) => {
        this.opts.onResult(job.data);
        return Promise.resolve();
      },
      {
        connection,
        prefix: KEY_PREFIX,
        concurrency: 16,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 1_000 },
      },
    );
    this.results.on('error', () => undefined);
    await this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
  }

  /** The file endpoint's port (tests, messages). */
  get filePort(): number {
    return this.files?.port ?? 0;
  }

  get fileUrls(): string[] {
    return this.record?.fileUrls ?? [];
  }

  /** The nodes as last seen (refreshed with each heartbeat). */
  get nodes(): NodeView[] {
    return this.known;
  }

  /** OCR slots of the nodes that take pages now (alive, same version, not excluded). */
  get workingSlots(): number {
    return this.known.filter((n) => this.isWorking(n)).reduce((sum, n) => sum + n.jobs, 0);
  }

  private isWorking(n: NodeView): boolean {
    return !n.gone && n.state === 'working' && incompatibility(n, this.record ?? n) === null;
  }

  async submit(job: PageJob, priority: number): Promise<void> {
    await this.pages!.add('page', job, {
      jobId: pageJobId(job.pageId, job.token),
      priority: bullPriority(priority),
      removeOnComplete: { count: 1_000 },
      removeOnFail: { count: 1_000 },
    });
  }

  /** Removes waiting jobs (not those a node is working on); returns the ids removed. */
  async withdraw(jobIds: string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const id of jobIds) {
      // 1: removed; 0: not there or locked by a node (it finishes, and its result is recorded or not).
      const n = await this.pages!.remove(id).catch(() => 0);
      if (n === 1) removed.push(id);
    }
    return removed;
  }

  async reprioritise(jobIds: string[], priority: number): Promise<void> {
    for (const id of jobIds) {
      const job = await this.pages!.getJob(id);
      if (!job || (await job.isActive())) continue;
      await job.changePriority({ priority: bullPriority(priority) }).catch(() => undefined);
    }
  }

  /** Where the jobs are now, for the reconciliation of jobs that take long. */
  async states(jobIds: string[]): Promise<JobState[]> {
    return Promise.all(
      jobIds.map(async (id) => {
        const s = await this.pages!.getJobState(id);
        if (s === 'waiting' || s === 'prioritized' || s === 'delayed') return 'waiting';
        if (s === 'active' || s === 'completed' || s === 'failed' || s === 'unknown') return s;
        return 'other';
      }),
    );
  }

  /** Puts a job in again that Redis lost (or that failed on a node), under the same id. */
  async resubmit(job: PageJob, priority: number): Promise<void> {
    await this.pages!.remove(pageJobId(job.pageId, job.token)).catch(() => 0);
    await this.submit(job, priority);
  }

  private async beat(): Promise<void> {
    const c = this.connection;
    if (!c || c.status !== 'ready' || !this.record) return;
    try {
      this.record.seenAt = Date.now();
      await writeCoordinator(c, this.record);
      const before = JSON.stringify(this.known.map((n) => [n.id, n.state, n.gone, n.pagesDone, n.busy]));
      this.known = await listNodes(c);
      const after = JSON.stringify(this.known.map((n) => [n.id, n.state, n.gone, n.pagesDone, n.busy]));
      if (before !== after) this.opts.onNodes?.(this.known);
    } catch {
      // Redis away: the connection's listener says so; the next beat tries again.
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // Nodes see at once that this coordinator has gone (a later one may start right away).
    if (this.connection?.status === 'ready' && this.record) {
      this.record.seenAt = 0;
      await writeCoordinator(this.connection, this.record).catch(() => undefined);
    }
    await this.results?.close().catch(() => undefined);
    await this.pages?.close().catch(() => undefined);
    await this.files?.close();
    this.connection?.disconnect();
  }
}

/** The file endpoint's URLs for nodes, best first: the address this machine reaches Redis from, then the others. */
function fileUrls(files: FileServer, redisLocalAddress: string | undefined, loopback: boolean): string[] {
  const base = (addr: string): string =>
    `${files.scheme}://${addr.includes(':') ? `[${addr}]` : addr}:${files.port}`;
  if (loopback) return [base('127.0.0.1')];
  const addrs = new Set<string>();
  if (redisLocalAddress) addrs.add(redisLocalAddress.replace(/^::ffff:/, ''));
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') addrs.add(a.address);
  return [...addrs].map(base);
}

/** Whether a process of this machine is still there (a coordinator killed a moment ago is not). */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return false; // our own record from a moment ago
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
