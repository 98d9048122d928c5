import type { ClusterNode } from '../../shared/model.ts';
import { listNodes } from '../cluster/presence.ts';
import { ClusterError, checkRedis, openConnection, redactRedisUrl } from '../cluster/redisConnection.ts';
import { formatDuration } from './progress.ts';

/** The worker nodes as a table for a terminal, one line each, with the reason under an excluded or refused one. */
export function formatNodes(nodes: ClusterNode[], now = Date.now()): string[] {
  if (nodes.length === 0)
    return ['  (no worker node has reported; start one with: bulk-ocr worker --redis URL)'];
  const rows = nodes.map((n) => [
    n.name,
    n.gone ? `gone (${formatDuration((now - n.seenAt) / 1000)} ago)` : n.state,
    `${n.busy}/${n.jobs}`,
    String(n.pagesDone),
    n.pagesPerMinute.toFixed(1),
    String(n.pagesFailed),
    `${Math.round(n.rssBytes / 2 ** 20)} MB`,
    `${n.host} (${n.cores} cores)`,
    n.engine,
  ]);
  const head = ['NODE', 'STATE', 'BUSY', 'PAGES', 'PAGES/MIN', 'FAILED', 'MEMORY', 'HOST', 'OCR'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    '  ' +
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [line(head)];
  nodes.forEach((n, i) => {
    out.push(line(rows[i]));
    if (n.reason && (n.state === 'excluded' || n.state === 'refused') && !n.gone) {
      const until = n.retryAt
        ? ` (tries again in ${formatDuration(Math.max(0, n.retryAt - now) / 1000)})`
        : '';
      out.push(`      ${n.reason}${until}`);
    }
  });
  return out;
}

/** Reads the nodes from Redis once; a Redis that cannot be used is a ClusterError with its reason. */
export async function readNodes(redisUrl: string): Promise<ClusterNode[]> {
  await checkRedis(redisUrl);
  const c = openConnection(redisUrl);
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await listNodes(c);
  } finally {
    c.disconnect();
  }
}

/** A live source of the node list for `status --watch`: keeps one connection, survives Redis restarts. */
export class NodeWatcher {
  private readonly conn;
  nodes: ClusterNode[] = [];
  problem: string | null = null;
  readonly where: string;

  constructor(redisUrl: string) {
    this.where = redactRedisUrl(redisUrl);
    this.conn = openConnection(redisUrl);
    this.conn.on('error', (e: Error) => (this.problem = e.message));
  }

  async refresh(): Promise<void> {
    try {
      if (this.conn.status === 'wait') await this.conn.connect();
      this.nodes = await listNodes(this.conn);
      this.problem = null;
    } catch (error) {
      this.problem = error instanceof ClusterError ? error.message : (error as Error).message;
    }
  }

  close(): void {
    this.conn.disconnect();
  }
}
