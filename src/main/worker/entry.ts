/**
 * OCR worker process entry: wires the runtime to this process's IPC channel and nothing else.
 * Runs under `child_process.fork` (Node) and as an Electron `utilityProcess` alike.
 */
import { lowerPriorityFor } from './priority.ts';
import { runWorker } from './runtime.ts';
import type { WorkerRequest } from './protocol.ts';
import { dropPdfjsStrayRejections } from './strayRejections.ts';

// pdf.js's background work on a damaged file must not take the worker down (strayRejections.ts).
dropPdfjsStrayRejections();

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

// Electron's utilityProcess exposes `process.parentPort`; child_process.fork gives `process.send`.
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

// `--light`: a helper without Tesseract, for opening files and drawing pages (protocol.ts WorkerRole).
const role = process.argv.includes('--light') ? 'light' : 'ocr';
lowerPriorityFor(role);

void runWorker({
  role,
  send(reply) {
    if (parentPort) parentPort.postMessage(reply);
    else process.send?.(reply);
  },
  onMessage(handler) {
    if (parentPort) parentPort.on('message', (e) => handler(e.data as WorkerRequest));
    else process.on('message', (m) => handler(m as WorkerRequest));
  },
  exit(code) {
    process.exit(code);
  },
});

// The host went away (engine crashed or was killed): do not linger as an orphan.
process.on('disconnect', () => process.exit(0));
