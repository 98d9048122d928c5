import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SpawnWorker, WorkerPort, WorkerReply, WorkerRole } from '../worker/protocol.ts';

/** The worker entry when running from the sources (CLI, tests, `bulk-ocr serve`). */
export const workerEntryPath = fileURLToPath(new URL('../worker/entry.ts', import.meta.url));

/**
 * Spawns OCR workers with `child_process.fork` (plain Node). The Electron shell has its own adapter
 * built on `utilityProcess.fork`; the pool takes either.
 */
export function forkSpawner(entry: string = workerEntryPath, execArgv: string[] = []): SpawnWorker {
  return (role?: WorkerRole): WorkerPort => {
    // 'advanced' serialisation carries typed arrays and nested objects without a JSON round trip.
    const child = fork(entry, role === 'light' ? ['--light'] : [], {
      serialization: 'advanced',
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    let exited = false;
    const exit = (code: number | null, signal: string | null): void => {
      if (exited) return;
      exited = true;
      for (const l of exitListeners) l(code, signal);
    };
    child.once('exit', exit);
    // A child that could not be started at all gets an 'error' and never an 'exit': that is its exit.
    // Any other 'error' (a send racing the child's death: EPIPE) must not crash the engine as an
    // unhandled event; the 'exit' that follows reports the death (found by test/fault/workerFaults.ts).
    child.on('error', () => {
      if (child.pid === undefined) exit(null, null);
    });
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        // With a callback, a failed send is reported there instead of as an 'error' event.
        if (child.connected) child.send(message, () => undefined);
      },
      onMessage(listener) {
        child.on('message', (m) => listener(m as WorkerReply));
      },
      onExit(listener) {
        if (exited) return; // (the pool registers before the child can have exited)
        exitListeners.push(listener);
      },
      kill() {
        child.kill('SIGKILL');
      },
    };
  };
}
