import { utilityProcess } from 'electron';
import type { SpawnWorker, WorkerPort, WorkerReply } from '../worker/protocol.ts';

/**
 * Spawns OCR workers as Electron utility processes (the Electron twin of engine/spawnNode.ts).
 * A utility process is a Chromium service running Node: it shows up by name in the task manager,
 * needs no ELECTRON_RUN_AS_NODE, and the worker entry talks to it through `process.parentPort`.
 * Messages are structured clones, like child_process's 'advanced' serialisation.
 */
export function utilitySpawner(workerPath: string): SpawnWorker {
  return (): WorkerPort => {
    const child = utilityProcess.fork(workerPath, [], { serviceName: 'Bulk OCR worker', stdio: 'inherit' });
    let exited = false;
    // A fatal V8 error is reported as 'error' and then as 'exit'; the pool acts on the exit. Without
    // a listener, EventEmitter would throw the 'error' in the main process.
    child.on('error', () => {});
    child.once('exit', () => {
      exited = true;
    });
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (!exited) child.postMessage(message);
      },
      onMessage(listener) {
        child.on('message', (m) => listener(m as WorkerReply));
      },
      onExit(listener) {
        // utilityProcess reports only an exit code; a crash shows up as a non-zero code.
        child.once('exit', (code) => listener(code, null));
      },
      kill() {
        child.kill();
      },
    };
  };
}
