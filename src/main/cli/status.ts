import { existsSync } from 'node:fs';
import { appVersion } from './diagnostics.ts';
import { openQueueReader } from '../engine/queries.ts';
import type { ClusterNode } from '../../shared/model.ts';
import type { SearchIndexStatus } from '../../shared/api.ts';
import { formatNodes, readNodes } from './nodesTable.ts';
import { count } from '../../shared/words.ts';
import { displayPath } from './display.ts';

/**
 * `bulk-ocr status`: what the queue holds, read without taking the engine lock (a run may be going
 * on); with `--redis`, the cluster's worker nodes too.
 */
export async function statusCommand(
  dbPath: string,
  json: boolean,
  redisUrl: string | null = null,
): Promise<number> {
  let nodes: ClusterNode[] | null = null;
  let nodesProblem: string | null = null;
  if (redisUrl) {
    try {
      nodes = await readNodes(redisUrl);
    } catch (error) {
      nodesProblem = (error as Error).message;
    }
  }
  // No queue on this machine (a node's, or an operator's): the nodes are still worth showing.
  if (!existsSync(dbPath)) {
    const withNodes = redisUrl ? { nodes, nodesProblem } : {};
    if (json) process.stdout.write(JSON.stringify({ database: dbPath, exists: false, ...withNodes }) + '\n');
    else {
      process.stdout.write(
        `No queue yet at ${displayPath(dbPath)}. Start one with: bulk-ocr run FOLDER --out DIR\n`,
      );
      if (redisUrl) writeNodes(nodes, nodesProblem);
    }
    return 0;
  }
  const queue = openQueueReader(dbPath);
  try {
    const counts = queue.counts();
    const failures = queue.failures(10);
    const paused = queue.paused;
    const lock = queue.engineHolder();
    const search = queue.searchStatus();
    const running = lock !== null && isAlive(lock.pid);
    if (json) {
      const report = {
        database: dbPath,
        versions: queue.versions(appVersion()),
        paused,
        running: lock ? { pid: lock.pid, since: new Date(lock.startedAt).toISOString() } : null,
        documents: counts.documents,
        pages: counts.pages,
        searchIndex: search,
        lowConfidence: queue.lowConfidence(10),
        recentFailures: failures.map((f) => ({
          path: f.path,
          state: f.state,
          code: f.error?.code ?? null,
          message: f.error?.message ?? null,
        })),
        ...(redisUrl ? { nodes, nodesProblem } : {}),
      };
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      return 0;
    }
    const d = counts.documents;
    const out = process.stdout;
    out.write(`Queue: ${displayPath(dbPath)}${paused ? '  (paused)' : ''}\n`);
    out.write(
      !lock
        ? 'Engine: not running\n'
        : running
          ? `Engine: running (pid ${lock.pid})\n`
          : `Engine: not running (pid ${lock.pid} stopped without closing the queue; the next start takes up its work)\n`,
    );
    out.write(
      `Files: ${d.total} — ${d.done} done, ${d['done-with-errors']} done with some pages failed, ${d.failed} failed, ${d.cancelled} cancelled, ` +
        `${d.new + d.queued} queued, ${d.paused} paused, ${d.running} running, ${d.exporting} writing outputs\n`,
    );
    const p = counts.pages;
    out.write(
      `Pages: ${p.total} — ${p.done} done, ${p.failed} failed, ${p.queued} queued, ${p.running} running\n`,
    );
    out.write(`Search index: ${describeSearchIndex(search, running)}\n`);
    if (redisUrl) writeNodes(nodes, nodesProblem);
    if (failures.length > 0) {
      out.write('\nRecent problems:\n');
      for (const f of failures)
        out.write(`  ${f.path}: ${f.error?.message ?? `${count(f.pagesFailed, 'page')} failed`}\n`);
    }
    return 0;
  } finally {
    queue.close();
  }
}

function writeNodes(nodes: ClusterNode[] | null, problem: string | null): void {
  process.stdout.write(`\nWorker nodes${problem ? `: ${problem}` : ''}\n`);
  if (nodes) process.stdout.write(formatNodes(nodes).join('\n') + '\n');
}

function describeSearchIndex(s: SearchIndexStatus, engineRunning: boolean): string {
  if (s.building) {
    const pct = Math.floor((s.building.done / Math.max(1, s.building.total)) * 100);
    return `being built, ${pct}% (${engineRunning ? 'by the running engine' : 'it goes on when Bulk OCR runs, or with bulk-ocr search'})`;
  }
  if (s.pending > 0)
    return `${count(s.pending, 'page')} waiting to be added (${engineRunning ? 'in a moment' : 'when Bulk OCR runs, or with bulk-ocr search'})`;
  return 'up to date';
}

/** The lock's holder still exists (a killed engine leaves its row behind). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
