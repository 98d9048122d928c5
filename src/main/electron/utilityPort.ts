/**
 * The worker port over an Electron utility process, as plain logic with no runtime import of
 * `electron`, so a Node test drives it with a fake child (test/unit/utility-port.test.ts).
 * spawnUtility.ts only calls `utilityProcess.fork` and hands the child to `utilityWorkerPort`.
 *
 * It keeps the promises of the Node adapter (engine/spawnNode.ts) that the pool relies on:
 * - `send` never throws and never causes an unhandled 'error', also to a worker that has just
 *   died (the message is dropped; the exit that follows reports the death);
 * - the pool hears of the death exactly once, whatever mix of 'error' and 'exit' arrives;
 * - a worker that never started (or is gone without Electron noticing) reports an exit when it is
 *   killed, so its slot is freed instead of waiting forever;
 * - `pid` still names the process after it has gone (Electron clears its own), for the log.
 */
import type { WorkerPort, WorkerReply, WorkerRequest } from '../worker/protocol.ts';

/** The part of Electron's `UtilityProcess` this adapter uses. */
export interface UtilityChild {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  /** Electron: SIGTERM, then SIGKILL if needed; false when there is no process to kill. */
  kill(): boolean;
  on(event: 'spawn', listener: () => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  /** Electron's `exit` carries the exit code only (a signal shows as a code). */
  on(event: 'exit', listener: (code: number) => void): unknown;
  /** A fatal V8 error in the child; an 'exit' follows. Unlistened, it would be thrown in main. */
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown;
}

export function utilityWorkerPort(child: UtilityChild): WorkerPort {
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  let exited = false;
  let killed = false;
  let knownPid = child.pid;
  const exit = (code: number | null): void => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners.splice(0)) l(code, null);
  };
  child.on('spawn', () => {
    knownPid = child.pid ?? knownPid;
    // Declared gone before it came up (killed while starting): make sure it does not linger.
    if (exited || killed) child.kill();
  });
  child.on('exit', (code) => exit(code));
  child.on('error', () => {
    // Reported by the 'exit' that follows (Electron guarantees one).
  });
  return {
    get pid() {
      return child.pid ?? knownPid;
    },
    send(message: WorkerRequest) {
      if (exited) return;
      try {
        child.postMessage(message);
      } catch {
        // Posting to a process that is going away: dropped, like a send on a closed pipe. The
        // 'exit' (or the kill after a time-out) reports it; a throw here would reach the pool's caller.
      }
    },
    onMessage(listener) {
      child.on('message', (m) => {
        if (!exited) listener(m as WorkerReply);
      });
    },
    onExit(listener) {
      if (exited) return; // (the pool registers before the child can have exited)
      exitListeners.push(listener);
    },
    kill() {
      killed = true;
      if (exited) return;
      let killedNow: boolean;
      try {
        killedNow = child.kill();
      } catch {
        killedNow = false;
      }
      // No process to signal: it never started, or it is gone and Electron has not said so.
      // Report the exit ourselves, or the pool would wait for it forever.
      if (!killedNow) exit(null);
    },
  };
}
