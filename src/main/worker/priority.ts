import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { WorkerRole } from './protocol.ts';

/**
 * OCR processes run below normal priority (niceness 10 on Linux and macOS, "below normal" on
 * Windows). They keep every core busy, so at normal priority anything else the machine is asked
 * to do queues behind them: the page the window asks to see (drawn by the light helper), the
 * engine's own thread recording results and handing out pages, the user's other programs. With
 * nothing else to run they get the whole machine all the same.
 */
export const OCR_NICENESS = 10;

/**
 * Lowers this process's priority if it is an OCR worker; never raises it (an app started with
 * `nice -n 15` keeps its workers at 15). A system that refuses keeps it as it is.
 */
export function lowerPriorityFor(role: WorkerRole): void {
  if (role !== 'ocr') return;
  const niceness = Math.max(OCR_NICENESS, getPriority());
  // Linux gives each thread its own niceness, and a thread inherits it from the one that creates
  // it: the threads Node started before this line (V8's, libuv's) are lowered one by one, and the
  // ones started later (Tesseract's, a worker thread) inherit it from the main thread.
  for (const tid of threadIds()) {
    try {
      setPriority(tid, niceness);
    } catch {
      // A thread that has just ended, or a system that refuses: OCR works the same, only without
      // yielding to the rest.
    }
  }
}

/** This process's threads (Linux: /proc/self/task); elsewhere the process itself (0). */
function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [0];
  }
}
