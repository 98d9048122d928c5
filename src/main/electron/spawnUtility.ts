import { utilityProcess } from 'electron';
import type { SpawnWorker } from '../worker/protocol.ts';
import { utilityWorkerPort } from './utilityPort.ts';

/**
 * Spawns OCR workers as Electron utility processes (the Electron twin of engine/spawnNode.ts).
 * A utility process is a Chromium service running Node: it shows up by name in the task manager,
 * needs no ELECTRON_RUN_AS_NODE, and the worker entry talks to it through `process.parentPort`.
 * Messages are structured clones, like child_process's 'advanced' serialisation. Everything past
 * the fork (dead workers, exits, pids) is in utilityPort.ts, where a Node test covers it.
 */
export function utilitySpawner(workerPath: string): SpawnWorker {
  return (role) =>
    utilityWorkerPort(
      role === 'light'
        ? utilityProcess.fork(workerPath, ['--light'], { serviceName: 'Bulk OCR helper', stdio: 'inherit' })
        : utilityProcess.fork(workerPath, [], { serviceName: 'Bulk OCR worker', stdio: 'inherit' }),
    );
}
