import { existsSync } from 'node:fs';
import { Throughput } from '../api/throughput.ts';
import { openQueueReader } from '../engine/queries.ts';
import { formatNodes, NodeWatcher } from './nodesTable.ts';
import { formatDuration } from './progress.ts';
import { count } from '../../shared/words.ts';

/**
 * `bulk-ocr status --watch`: the queue, the nodes and the throughput, redrawn every two seconds, for
 * the headless server where the coordinator runs without a window. Reads the database without the
 * engine lock (the coordinator keeps running) and the nodes from Redis. On a terminal the screen is
 * redrawn in place; piped into a file, a block is written every 30 s. Ctrl-C ends it (exit 0).
 */
export async function statusWatchCommand(
  dbPath: string,
  redisUrl: string | null,
  intervalMs = 2_000,
): Promise<number> {
  if (!existsSync(dbPath)) {
    process.stdout.write(`No queue yet at ${dbPath}. Start one with: bulk-ocr run FOLDER --out DIR\n`);
    return 0;
  }
  const queue = openQueueReader(dbPath);
  const nodes = redisUrl ? new NodeWatcher(redisUrl) : null;
  const rate = new Throughput(5 * 60_000);
  const out = process.stdout;
  const tty = out.isTTY === true;
  let lastDone: number | null = null;
  let lastPrinted = 0;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((r) => (stop = r));
  const onSignal = (): void => stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const frame = async (): Promise<void> => {
    const now = Date.now();
    if (nodes) await Promise.race([nodes.refresh(), new Promise((r) => setTimeout(r, 1_500))]);
    const counts = queue.counts();
    const p = counts.pages;
    if (lastDone !== null) for (let i = lastDone; i < p.done; i++) rate.record(now);
    lastDone = p.done;
    const perMinute = rate.pagesPerMinute(now);
    const eta = rate.etaSeconds(p.queued + p.running, now);
    const d = counts.documents;
    const holder = queue.engineHolder();
    const lines = [
      `Bulk OCR — ${dbPath}   ${new Date(now).toLocaleTimeString()}${queue.paused ? '   PAUSED' : ''}`,
      holder ? `Coordinator: running (pid ${holder.pid})` : 'Coordinator: not running',
      '',
      `Pages  ${p.done} done · ${p.failed} failed · ${p.running} running · ${p.queued} queued   of ${p.total}`,
      `Files  ${d.done + d['done-with-errors']} done · ${d.failed} failed · ${d.running + d.exporting} in progress · ${d.new + d.queued + d.paused} waiting   of ${d.total}`,
      `Rate   ${perMinute === null ? '—' : `${perMinute.toFixed(1)} pages/min`}   ETA ${eta === null ? '—' : formatDuration(eta)}`,
      '',
    ];
    if (nodes) {
      lines.push(`Worker nodes (${nodes.where})${nodes.problem ? `: ${nodes.problem}` : ''}`);
      lines.push(...formatNodes(nodes.nodes, now));
    } else lines.push('Worker nodes: give --redis URL to see them');
    const failures = queue.failures(5);
    if (failures.length > 0) {
      lines.push('', 'Recent problems:');
      for (const f of failures)
        lines.push(`  ${f.path}: ${f.error?.message ?? `${count(f.pagesFailed, 'page')} failed`}`);
    }
    if (tty) out.write(`\x1b[H\x1b[2J${lines.join('\n')}\n\n(Ctrl-C to quit)\n`);
    else if (now - lastPrinted >= 30_000) {
      lastPrinted = now;
      out.write(`${lines.join('\n')}\n\n`);
    }
  };

  try {
    for (;;) {
      await frame();
      const next = await Promise.race([
        stopped.then(() => 'stop'),
        new Promise((r) => setTimeout(r, intervalMs)),
      ]);
      if (next === 'stop') break;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    nodes?.close();
    queue.close();
  }
}
