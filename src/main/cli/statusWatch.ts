import { existsSync } from 'node:fs';
import { ProgressMeter } from '../../shared/progress.ts';
import { openQueueReader } from '../engine/queries.ts';
import { formatNodes, NodeWatcher } from './nodesTable.ts';
import { formatDuration } from './progress.ts';
import { count } from '../../shared/words.ts';
import { displayPath } from './display.ts';

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
    process.stdout.write(
      `No queue yet at ${displayPath(dbPath)}. Start one with: bulk-ocr run FOLDER --out DIR\n`,
    );
    return 0;
  }
  const queue = openQueueReader(dbPath);
  const nodes = redisUrl ? new NodeWatcher(redisUrl) : null;
  // Rate and ETA of the work under way, as the window and bulk-ocr run give them: over work time
  // only (idle minutes do not drag the rate down), the ETA once it means something.
  const meter = new ProgressMeter({ scope: 'sinceStart' });
  const out = process.stdout;
  const tty = out.isTTY === true;
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
    const d = counts.documents;
    const run = meter.update({
      now,
      filesUncounted: d.new,
      pagesSettled: p.done + p.failed,
      pagesOutstanding: p.queued + p.running,
      busy: d.exporting > 0,
      paused: queue.paused,
    });
    const perMinute = run.pagesPerMinute;
    const eta = run.idle ? null : run.etaSeconds;
    const holder = queue.engineHolder();
    const lines = [
      `Bulk OCR — ${displayPath(dbPath)}   ${new Date(now).toLocaleTimeString()}${queue.paused ? '   PAUSED' : ''}`,
      holder ? `Coordinator: running (pid ${holder.pid})` : 'Coordinator: not running',
      '',
      `Pages  ${p.done} done · ${p.failed} failed · ${p.running} running · ${p.queued} queued   of ${p.total}`,
      `Files  ${d.done + d['done-with-errors']} done · ${d.failed} failed · ${d.running + d.exporting} running · ${d.new + d.queued} queued · ${d.paused} paused   of ${d.total}`,
      `Rate   ${perMinute === null ? '—' : `${perMinute.toFixed(1)} pages/min`}   ETA ${run.counting ? 'counting pages…' : eta === null ? '—' : formatDuration(eta)}`,
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
