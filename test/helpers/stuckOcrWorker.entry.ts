/**
 * A worker whose every page recognition never ends (as a huge page would keep a real one busy for
 * minutes), for tests of what must not wait for recognitions: opening files and drawing pages for
 * the window. Everything else is the real runtime; with `--light` it is the real light helper.
 */
import { runWorker } from '../../src/main/worker/runtime.ts';
import type { WorkerRequest } from '../../src/main/worker/protocol.ts';

const light = process.argv.includes('--light');

void runWorker({
  // No Tesseract needed: this worker never gets to recognise anything.
  role: 'light',
  send: (reply) => process.send?.(reply),
  onMessage(handler) {
    process.on('message', (m) => {
      const request = m as WorkerRequest;
      if (!light && request.type === 'page') return; // busy for ever
      handler(request);
    });
  },
  exit: (code) => process.exit(code),
});

process.on('disconnect', () => process.exit(0));
