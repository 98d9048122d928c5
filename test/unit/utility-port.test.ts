import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Pool } from '../../src/main/engine/pool.ts';
import { utilityWorkerPort, type UtilityChild } from '../../src/main/electron/utilityPort.ts';
import type { ErrorInfo } from '../../src/shared/model.ts';

/**
 * The Electron worker adapter's own logic (src/main/electron/utilityPort.ts) under the real pool,
 * with a stand-in for the few parts of Electron's UtilityProcess it uses. Electron cannot run here;
 * the stand-in follows Electron's documented behaviour: no pid until 'spawn', none after 'exit',
 * 'error' (a fatal V8 error) is followed by 'exit', kill() is false when there is no process, and
 * an EventEmitter 'error' nobody listens to is thrown, as it would be in the main process.
 */
class FakeUtilityProcess extends EventEmitter implements UtilityChild {
  pid: number | undefined = undefined;
  posted: unknown[] = [];
  /** The process is dead but Electron has not reported it: posting throws (the race to guard against). */
  dying = false;
  kills = 0;
  private readonly futurePid: number;

  constructor(pid: number) {
    super();
    this.futurePid = pid;
  }

  /** The process has started (Electron: 'spawn', then the worker says it is ready). */
  start(): void {
    this.pid = this.futurePid;
    this.emit('spawn');
  }

  say(message: unknown): void {
    this.emit('message', message);
  }

  die(code: number): void {
    if (this.pid === undefined) return;
    this.pid = undefined; // Electron clears the pid before 'exit'
    this.emit('exit', code);
  }

  postMessage(message: unknown): void {
    if (this.pid === undefined) return; // Electron: a no-op once the handle is gone
    if (this.dying) throw new Error('Cannot post to a closed port');
    this.posted.push(message);
  }

  kill(): boolean {
    this.kills++;
    if (this.pid === undefined) return false;
    queueMicrotask(() => this.die(0));
    return true;
  }
}

function setUp(opts: { autoStart?: boolean; startTimeoutMs?: number } = {}) {
  const children: FakeUtilityProcess[] = [];
  const exits: { pid: number | undefined; code: number | null; reason: ErrorInfo | null; busy: boolean }[] =
    [];
  const fatal: ErrorInfo[] = [];
  const pool = new Pool({
    size: 1,
    spawn: () => {
      const child = new FakeUtilityProcess(4000 + children.length);
      children.push(child);
      const port = utilityWorkerPort(child);
      if (opts.autoStart !== false)
        queueMicrotask(() => {
          child.start();
          child.say({ type: 'ready', pid: child.pid });
        });
      return port;
    },
    timeoutMs: { probe: 5_000, page: 5_000, export: 5_000, render: 5_000 },
    maxWorkerRssBytes: 1e12,
    recycleAfterTasks: 1_000,
    onIdle: () => {},
    onWorkerExit: (e) => exits.push({ pid: e.pid, code: e.code, reason: e.reason, busy: e.busy }),
    onFatal: (e) => fatal.push(e),
    memoryPollMs: 0,
    restartBackoffMs: 1,
    startTimeoutMs: opts.startTimeoutMs ?? 60_000,
  });
  return { pool, children, exits, fatal };
}

const until = async (what: string, cond: () => boolean, ms = 2_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('Electron utility-process worker adapter', () => {
  it('a task posted to a worker that has just died is dropped, not thrown; the pool hears of the death once', async () => {
    const { pool, children, exits } = setUp();
    pool.start();
    await until('the first worker ready', () => pool.idleCount === 1);
    const first = children[0];
    first.dying = true;
    // The pool sends the task into the race: no throw reaches it (a throw would reject or escape here).
    const outcome = pool.run('probe', { path: '/scans/a.pdf' });
    expect(first.posted).toEqual([]);
    first.emit('error', 'FatalError', 'v8::OOM', '{}'); // Electron's order: 'error', then 'exit'
    first.die(133);
    const result = await outcome;
    expect(result).toMatchObject({ ok: false, error: { code: 'WORKER_CRASHED' }, worker: 4000 });
    expect((result as { error: ErrorInfo }).error.message).toMatch(/exited with code 133/);
    // One exit, with the pid Electron had already cleared; a replacement started and took over.
    await until('a replacement worker', () => children.length === 2 && pool.idleCount === 1);
    expect(exits).toEqual([{ pid: 4000, code: 133, reason: null, busy: true }]);
    // A late 'exit' or message from the dead one changes nothing.
    first.emit('exit', 1);
    first.emit('message', { type: 'ready', pid: 4000 });
    expect(exits).toHaveLength(1);
    await pool.close(100);
  });

  it('an unlistened fatal-error event cannot escape: the adapter listens for it', async () => {
    const { pool, children, exits } = setUp();
    pool.start();
    await until('the worker ready', () => pool.idleCount === 1);
    // EventEmitter throws an 'error' nobody listens to; this must not throw.
    expect(() => children[0].emit('error', 'FatalError', 'here', 'report')).not.toThrow();
    children[0].die(5);
    await until('the exit seen', () => exits.length === 1);
    expect(exits[0]).toMatchObject({ pid: 4000, code: 5, busy: false });
    await pool.close(100);
  });

  it('a worker that never starts is killed at the start-up time-out, its exit reported once, and replaced', async () => {
    const { pool, children, exits } = setUp({ autoStart: false, startTimeoutMs: 50 });
    pool.start();
    // Electron has no process to kill (kill() is false) and will send no 'exit' for it: the
    // adapter reports the exit itself, so the slot is not held for good.
    await until('the slot given up and refilled', () => exits.length === 1 && children.length === 2);
    expect(children[0].kills).toBe(1);
    expect(exits[0]).toMatchObject({ pid: undefined, busy: false });
    expect(exits[0].reason?.message).toMatch(/did not start within/);
    // If the first one comes up after all, it is killed rather than left running unseen.
    children[0].start();
    expect(children[0].kills).toBe(2);
    children[0].emit('exit', 0);
    expect(exits).toHaveLength(1);
    await pool.close(100);
  });

  it('send and kill after the exit do nothing', () => {
    const child = new FakeUtilityProcess(7);
    const port = utilityWorkerPort(child);
    const seen: (number | null)[] = [];
    port.onExit((code) => seen.push(code));
    child.start();
    child.die(0);
    port.send({ type: 'shutdown' });
    port.kill();
    expect(child.posted).toEqual([]);
    expect(child.kills).toBe(0);
    expect(seen).toEqual([0]);
    expect(port.pid).toBe(7);
  });
});
