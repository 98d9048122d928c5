import type { Redis } from 'ioredis';
import type { ClusterNode } from '../../shared/model.ts';
import {
  HEARTBEAT_MS,
  KEYS,
  NODE_SILENT_AFTER_MS,
  type CoordinatorRecord,
  type NodeHeartbeat,
} from './protocol.ts';

/**
 * Who is there: the coordinator's record and the nodes' heartbeats, kept in Redis. A node writes
 * its heartbeat every few seconds (key with a time to live, plus its time in a sorted set for
 * listing); the coordinator lists them and shows a node whose heartbeat stopped as gone.
 */

export async function readCoordinator(redis: Redis): Promise<CoordinatorRecord | null> {
  const raw = await redis.get(KEYS.coordinator);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as CoordinatorRecord;
  } catch {
    return null;
  }
}

export async function writeCoordinator(redis: Redis, record: CoordinatorRecord): Promise<void> {
  await redis.set(KEYS.coordinator, JSON.stringify(record));
}

/** A node as the coordinator shows it: its last heartbeat, and whether that is recent. */
export type NodeView = ClusterNode;

/** Nodes heard from in the last hour, by name; older entries are dropped from the listing. */
export async function listNodes(redis: Redis, now = Date.now()): Promise<NodeView[]> {
  await redis.zremrangebyscore(KEYS.nodes, '-inf', now - 3_600_000);
  const ids = await redis.zrange(KEYS.nodes, 0, -1);
  if (ids.length === 0) return [];
  const raws = await redis.mget(ids.map((id) => KEYS.node(id)));
  const nodes: NodeView[] = [];
  for (const raw of raws) {
    if (!raw) continue;
    try {
      const hb = JSON.parse(raw) as NodeHeartbeat;
      nodes.push({ ...hb, gone: now - hb.seenAt > NODE_SILENT_AFTER_MS });
    } catch {
      continue;
    }
  }
  return nodes.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

type StaticPart = Omit<
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
>;
type DynamicPart = Omit<NodeHeartbeat, keyof StaticPart | 'seenAt'>;

/** A node's side: writes its heartbeat, and follows the coordinator's record. */
export class NodePresence {
  readonly startedAt = Date.now();
  /** The last coordinator record read (kept when Redis is briefly away). */
  coordinator: CoordinatorRecord | null = null;
  onCoordinatorChange: ((c: CoordinatorRecord) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly redis: Redis;
  private readonly base: StaticPart;
  private readonly dynamic: () => DynamicPart;

  constructor(redis: Redis, base: StaticPart, dynamic: () => DynamicPart) {
    this.redis = redis;
    this.base = base;
    this.dynamic = dynamic;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
  }

  /** Writes the heartbeat now and re-reads the coordinator record; failures wait for the next beat. */
  async beat(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    const now = Date.now();
    const hb: NodeHeartbeat = { ...this.base, ...this.dynamic(), seenAt: now };
    try {
      await this.redis
        .multi()
        .set(KEYS.node(hb.id), JSON.stringify(hb), 'PX', NODE_SILENT_AFTER_MS * 4)
        .zadd(KEYS.nodes, now, hb.id)
        .exec();
      const c = await readCoordinator(this.redis);
      if (c) {
        const before = this.coordinator;
        this.coordinator = c;
        if (
          !before ||
          before.version !== c.version ||
          before.protocol !== c.protocol ||
          before.token !== c.token
        )
          this.onCoordinatorChange?.(c);
      }
    } catch {
      // Redis away: the connection reports it; the next beat tries again.
    }
  }

  /** Removes the heartbeat: a node that stopped in order is not shown as gone. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.redis.status !== 'ready') return;
    await this.redis
      .multi()
      .del(KEYS.node(this.base.id))
      .zrem(KEYS.nodes, this.base.id)
      .exec()
      .catch(() => undefined);
  }
}
