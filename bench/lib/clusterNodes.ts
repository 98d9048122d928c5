/**
 * Starting and stopping the cluster benchmark's simulated nodes (bench/lib/clusterNodesChild.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR } from './util.ts';

export interface SimulatedNodes {
  child: ChildProcess;
  /** The nodes' process's CPU time so far, ms. */
  cpuMs(): Promise<number>;
  /** Hands their pages back, stops them; their CPU time in all and the pages they did. */
  stop(): Promise<{ cpuMs: number; pages: number }>;
}

export interface SimulatedNodesOptions {
  redisUrl: string;
  nodes: number;
  jobs: number;
  recordedFile: string;
  cacheDir: string;
  version: string;
  /** Multiplies the recorded page times (0: no waiting at all). */
  scale: number;
}

export async function startSimulatedNodes(o: SimulatedNodesOptions): Promise<SimulatedNodes> {
  const child = fork(
    path.join(BENCH_DIR, 'lib', 'clusterNodesChild.ts'),
    [
      ...['--redis', o.redisUrl, '--nodes', String(o.nodes), '--jobs', String(o.jobs)],
      ...['--recorded', o.recordedFile, '--cache', o.cacheDir, '--version', o.version],
      ...['--scale', String(o.scale)],
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const next = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`the simulated nodes exited with ${code ?? 'a signal'}`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as T);
      });
    });
  await next<{ ready: true }>();
  return {
    child,
    async cpuMs() {
      const reply = next<{ cpuMs: number }>();
      child.send('cpu');
      return (await reply).cpuMs;
    },
    async stop() {
      const reply = next<{ cpuMs: number; pages: number }>();
      child.send('stop');
      const r = await reply;
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      return r;
    },
  };
}
