/**
 * A real OCR worker with one test-only fault, used by the worker-fault harness through the pool's
 * `spawn` parameter (production code has no switch for it): a page of a file whose name contains
 * `OOM` makes the worker allocate memory until the pool's memory limit stops it, as a runaway
 * decoder would. Every other request goes to the real runtime.
 */
import { appendFileSync } from 'node:fs';
import { runWorker } from '../../src/main/worker/runtime.ts';
import type { WorkerRequest } from '../../src/main/worker/protocol.ts';

const hoard: Buffer[] = [];
/** Stop growing here whatever happens (the pool should have killed us long before). */
const CEILING = 6 * 2 ** 30;

function allocateForever(): void {
  // Tell the harness which process this is, so its random kills leave the pool's memory limit to
  // stop this one (FAULT_HOG_PIDS: a file of pids, one a line, set by workerFaults.ts).
  if (process.env.FAULT_HOG_PIDS) appendFileSync(process.env.FAULT_HOG_PIDS, `${process.pid}\n`);
  const grow = (): void => {
    if (process.memoryUsage().rss > CEILING) return; // stuck: the page time-out ends it
    hoard.push(Buffer.alloc(32 * 2 ** 20, 1)); // filled, so the pages are really resident
    setTimeout(grow, 100);
  };
  grow();
}

void runWorker({
  role: process.argv.includes('--light') ? 'light' : 'ocr',
  send: (reply) => process.send?.(reply),
  onMessage(handler) {
    process.on('message', (m) => {
      const request = m as WorkerRequest;
      if (request.type === 'page' && request.path.includes('OOM')) allocateForever();
      else handler(request);
    });
  },
  exit: (code) => process.exit(code),
});

process.on('disconnect', () => process.exit(0));
