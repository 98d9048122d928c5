import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SpawnWorker, WorkerPort, WorkerReply } from '../worker/protocol.ts';

/** The worker entry when running from the sources (CLI, tests, `bulk-ocr serve`). */
export const workerEntryPath = fileURLToPath(new URL('../worker/entry.ts', import.meta.url));

/**
 * Spawns OCR workers with `child_process.fork` (plain Node). The Electron shell has its own adapter
 * built on `utilityProcess.fork`; the pool takes either.
 */
export function forkSpawner(entry: string = workerEntryPath, execArgv: string[] = []): SpawnWorker {
  return (): WorkerPort => {
    // 'advanced' serialisation carries typed arrays and nested objects without a JSON round trip.
    const child = fork(entry, [], {
      serialization: 'advanced',
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (child.connected) child.send(message);
      },
      onMessage(listener) {
        child.on('message', (m) => listener(m as WorkerReply));
      },
      onExit(listener) {
        child.once('exit', (code, signal) => listener(code, signal));
      },
      kill() {
        child.kill('SIGKILL');
      },
    };
  };
}
