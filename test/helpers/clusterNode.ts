import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');

/** A real `bulk-ocr` process (a worker node, a coordinator), with what it printed so far. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves when a line matching `pattern` has been printed (bounded by `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

/** `bulk-ocr worker ARGS`. */
export function startNodeProcess(args: string[], env: NodeJS.ProcessEnv = {}): NodeProcess {
  return startBulkOcr(['worker', ...args], env);
}

/** `bulk-ocr ARGS` (run, watch, serve as a coordinator…). */
export function startBulkOcr(args: string[], env: NodeJS.ProcessEnv = {}): NodeProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const l of [...listeners]) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | string>((r) =>
    child.once('exit', (code, signal) => {
      r(code ?? signal ?? -1);
      for (const l of [...listeners]) l();
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolvePromise, reject) => {
        const check = (): void => {
          const m = pattern.exec(out);
          if (m) {
            done();
            resolvePromise(m[0]);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`the process exited before printing ${pattern}; it printed:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; the process printed:\n${out}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
