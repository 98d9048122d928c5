import { readFileSync } from 'node:fs';
import type { ErrorInfo } from '../../shared/model.ts';
import type {
  SpawnWorker,
  TaskType,
  WorkerPort,
  WorkerReply,
  WorkerRole,
  WorkerTasks,
} from '../worker/protocol.ts';

/** A task's outcome as a value: worker deaths and time-outs arrive here too, never as throws. */
export type TaskOutcome<T> = ({ ok: true; value: T } | { ok: false; error: ErrorInfo }) & {
  /** Process id of the worker that ran it (for logs), when one was running it. */
  worker?: number;
};

export interface PoolOptions {
  size: number;
  spawn: SpawnWorker;
  /** What its processes are for (protocol.ts WorkerRole); default `ocr`. */
  role?: WorkerRole;
  /** A task running longer than this kills its worker (Tesseract cannot abort a recognition). */
  timeoutMs: Record<TaskType, number>;
  /** A worker whose resident memory passes this is replaced: after its task, or at once past 1.5×. */
  maxWorkerRssBytes: number;
  /** A worker is replaced after this many tasks, to bound slow leaks in WASM heaps that never shrink. */
  recycleAfterTasks: number;
  /** Called whenever a worker becomes free, so the scheduler can hand it more work. */
  onIdle: () => void;
  /** Called when a worker process has gone, whatever the cause (for logs). */
  onWorkerExit?: (info: {
    slot: number;
    pid: number | undefined;
    code: number | null;
    signal: string | null;
    reason: ErrorInfo | null;
    busy: boolean;
  }) => void;
  /** Called when workers cannot start at all (after several tries in a row). */
  onFatal: (error: ErrorInfo) => void;
  /** How often worker memory is sampled while a task runs (Linux /proc); 0 to turn off. */
  memoryPollMs?: number;
  /** First delay before restarting a worker that failed to start; doubles with each failure in a row. */
  restartBackoffMs?: number;
  /**
   * A worker not ready this long after it was started (stuck loading Tesseract, stopped) is killed
   * and started again; without this a worker hung in start-up held its slot for good.
   */
  startTimeoutMs?: number;
  /** A worker asked to exit (recycled, retired) that is still there after this is killed (default 10 s). */
  shutdownGraceMs?: number;
}

interface Slot {
  index: number;
  port: WorkerPort | null;
  ready: boolean;
  tasksDone: number;
  lastRss: number;
  peakRss: number;
  /** What recognises in this worker, from its ready message. */
  ocrEngine: string | null;
  current: {
    id: number;
    type: TaskType;
    resolve: (o: TaskOutcome<unknown>) => void;
    timer: NodeJS.Timeout;
  } | null;
  /** The error to report for the current task when the process exits (set when we kill it on purpose). */
  killReason: ErrorInfo | null;
  restartTimer: NodeJS.Timeout | null;
  /** Taken out of the pool (fewer workers asked for): shuts down after its task, never respawned. */
  retiring: boolean;
}

const MAX_FAILED_STARTS = 5;

/** What ran out of memory, per task type, as the reason starts. */
const MEMORY_SUBJECTS: Record<TaskType, string> = {
  probe: 'opening this file',
  page: 'this page',
  export: 'writing the outputs',
  render: 'drawing this page',
};

/** What a user reads when a task ran out of time, per task type. */
const TIMEOUT_MESSAGES: Record<TaskType, (seconds: number) => string> = {
  probe: (s) => `opening the file took longer than ${s} s (the time limit); the worker was stopped`,
  page: (s) => `this page took longer than ${s} s (the time limit per page); the worker was stopped`,
  export: (s) => `writing the outputs took longer than ${s} s (the time limit); the worker was stopped`,
  render: (s) => `drawing the page took longer than ${s} s (the time limit); the worker was stopped`,
};

/**
 * N OCR worker processes. The pool hands one task at a time to each, replaces a worker that dies,
 * hangs or grows too large, and turns every such event into a task outcome the scheduler records.
 */
export class Pool {
  private readonly slots: Slot[] = [];
  /** Slots taken out by `resize` that are still finishing a task. */
  private readonly retiring = new Set<Slot>();
  private started = false;
  private nextTaskId = 1;
  private failedStarts = 0;
  private closing = false;
  private memoryTimer: NodeJS.Timeout | null = null;
  private readonly opts: PoolOptions;

  constructor(opts: PoolOptions) {
    this.opts = opts;
  }

  start(): void {
    this.started = true;
    for (let i = 0; i < this.opts.size; i++) this.addSlot();
    const poll = this.opts.memoryPollMs ?? 2_000;
    if (poll > 0 && process.platform === 'linux') {
      this.memoryTimer = setInterval(() => this.checkMemory(), poll);
      this.memoryTimer.unref();
    }
  }

  private addSlot(): void {
    const slot: Slot = {
      index: this.slots.length,
      port: null,
      ready: false,
      tasksDone: 0,
      lastRss: 0,
      peakRss: 0,
      ocrEngine: null,
      current: null,
      killReason: null,
      restartTimer: null,
      retiring: false,
    };
    this.slots.push(slot);
    this.spawn(slot);
  }

  /**
   * Changes the number of workers while running. New ones start at once; surplus ones leave the
   * pool now and shut down when idle, or after the task they are running (it is never cut short).
   */
  resize(size: number): void {
    const n = Math.max(1, Math.floor(size));
    this.opts.size = n;
    if (!this.started || this.closing) return;
    while (this.slots.length < n) this.addSlot();
    for (const slot of this.slots.splice(n)) {
      slot.retiring = true;
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      if (slot.current) {
        this.retiring.add(slot);
        continue;
      }
      this.shutDown(slot);
    }
  }

  private shutDown(slot: Slot): void {
    slot.ready = false;
    const port = slot.port;
    if (!port) return;
    slot.killReason = { code: 'INTERNAL', message: 'recycled' };
    this.askToExit(port);
  }

  /**
   * Asks an idle worker to exit, and kills it if it has not after the grace period: a worker that
   * hangs on its way out (stopped, stuck in Tesseract's teardown) would otherwise hold its slot,
   * which is refilled only when the process is gone.
   */
  private askToExit(port: WorkerPort): void {
    const killer = setTimeout(() => port.kill(), this.opts.shutdownGraceMs ?? 10_000);
    killer.unref();
    port.onExit(() => clearTimeout(killer));
    try {
      port.send({ type: 'shutdown' });
    } catch {
      port.kill();
    }
  }

  /** Workers ready for a task now. */
  get idleCount(): number {
    return this.slots.filter((s) => s.ready && !s.current).length;
  }

  get busyCount(): number {
    return this.slots.filter((s) => s.current).length;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Highest resident memory seen per worker slot, in bytes. */
  get peakRssBytes(): number[] {
    return this.slots.map((s) => s.peakRss);
  }

  /** What recognises in the workers that have started (`native libtesseract 5.3.0`, …), distinct. */
  get ocrEngines(): string[] {
    return [...new Set(this.slots.flatMap((s) => (s.ocrEngine ? [s.ocrEngine] : [])))];
  }

  /** Runs a task on an idle worker. Call only when `idleCount > 0`. */
  run<K extends TaskType>(
    type: K,
    request: WorkerTasks[K]['request'],
  ): Promise<TaskOutcome<WorkerTasks[K]['result']>> {
    const slot = this.slots.find((s) => s.ready && !s.current);
    if (!slot || !slot.port) throw new Error('Pool.run called with no idle worker');
    const id = this.nextTaskId++;
    const port = slot.port;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const seconds = Math.round(this.opts.timeoutMs[type] / 1000);
        this.killWorker(slot, { code: 'TIMEOUT', message: TIMEOUT_MESSAGES[type](seconds) });
      }, this.opts.timeoutMs[type]);
      slot.current = { id, type, resolve: resolve as (o: TaskOutcome<unknown>) => void, timer };
      port.send({ type, id, ...request } as never);
    });
  }

  /** Stops all workers: asks them to exit, then kills any still there after `graceMs`. */
  async close(graceMs = 3_000): Promise<void> {
    this.closing = true;
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    const exits = [...this.slots, ...this.retiring].map((slot) => {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      const port = slot.port;
      if (!port) return Promise.resolve();
      return new Promise<void>((resolve) => {
        port.onExit(() => resolve());
        // A busy worker is deep in a recognition it cannot abort (and would not read the message): kill it.
        if (slot.current) {
          port.kill();
          return;
        }
        const killer = setTimeout(() => port.kill(), graceMs);
        killer.unref();
        try {
          port.send({ type: 'shutdown' });
        } catch {
          port.kill();
        }
      });
    });
    await Promise.all(exits);
  }

  private spawn(slot: Slot): void {
    if (this.closing) return;
    let port: WorkerPort;
    try {
      port = this.opts.role === 'light' ? this.opts.spawn('light') : this.opts.spawn();
    } catch (error) {
      this.onStartFailure(slot, {
        code: 'INTERNAL',
        message: `cannot start an OCR worker: ${(error as Error).message}`,
      });
      return;
    }
    slot.port = port;
    slot.ready = false;
    slot.tasksDone = 0;
    slot.killReason = null;
    const startTimer = setTimeout(() => {
      if (slot.port === port && !slot.ready) {
        const seconds = Math.round((this.opts.startTimeoutMs ?? 60_000) / 1000);
        this.killWorker(slot, {
          code: 'INTERNAL',
          message: `an OCR worker did not start within ${seconds} s`,
        });
      }
    }, this.opts.startTimeoutMs ?? 60_000);
    startTimer.unref();
    let exited = false;
    port.onMessage((m) => this.onMessage(slot, port, m));
    port.onExit((code, signal) => {
      if (exited) return;
      exited = true;
      clearTimeout(startTimer);
      this.onExit(slot, port, code, signal);
    });
  }

  private onMessage(slot: Slot, port: WorkerPort, m: WorkerReply): void {
    if (slot.port !== port) return;
    switch (m.type) {
      case 'ready':
        slot.ready = true;
        slot.ocrEngine = m.engine ?? null;
        this.opts.onIdle();
        return;
      case 'fatal':
        slot.killReason = m.error;
        return;
      case 'done':
      case 'failed': {
        const current = slot.current;
        if (!current || current.id !== m.id) return;
        clearTimeout(current.timer);
        slot.current = null;
        slot.tasksDone++;
        this.failedStarts = 0;
        slot.lastRss = m.rss;
        slot.peakRss = Math.max(slot.peakRss, m.rss);
        current.resolve(
          m.type === 'done'
            ? { ok: true, value: m.value, worker: port.pid }
            : { ok: false, error: m.error, worker: port.pid },
        );
        if (slot.retiring) {
          this.retiring.delete(slot);
          this.shutDown(slot);
          return;
        }
        if (m.rss > this.opts.maxWorkerRssBytes || slot.tasksDone >= this.opts.recycleAfterTasks) {
          // Replace it quietly: nothing is running on it.
          slot.ready = false;
          slot.killReason = { code: 'INTERNAL', message: 'recycled' };
          this.askToExit(port);
          return;
        }
        this.opts.onIdle();
        return;
      }
    }
  }

  private onExit(slot: Slot, port: WorkerPort, code: number | null, signal: string | null): void {
    if (slot.port !== port) return;
    const wasReady = slot.ready;
    slot.port = null;
    slot.ready = false;
    const current = slot.current;
    const reason = slot.killReason;
    if (current) {
      clearTimeout(current.timer);
      slot.current = null;
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      current.resolve({
        ok: false,
        error: reason ?? { code: 'WORKER_CRASHED', message: `the OCR worker ${how} while processing this` },
        worker: port.pid,
      });
    }
    this.opts.onWorkerExit?.({
      slot: slot.index,
      pid: port.pid,
      code,
      signal,
      reason,
      busy: current !== null,
    });
    this.retiring.delete(slot);
    if (this.closing || slot.retiring) return;
    if (!wasReady && !current && reason?.message !== 'recycled') {
      this.onStartFailure(
        slot,
        reason ?? {
          code: 'INTERNAL',
          message: `an OCR worker exited while starting (code ${code ?? signal})`,
        },
      );
      return;
    }
    this.spawn(slot);
  }

  private onStartFailure(slot: Slot, error: ErrorInfo): void {
    this.failedStarts++;
    if (this.failedStarts >= MAX_FAILED_STARTS * this.slots.length) {
      this.opts.onFatal(error);
      return;
    }
    const delay = Math.min(10_000, (this.opts.restartBackoffMs ?? 250) * 2 ** Math.min(6, this.failedStarts));
    slot.restartTimer = setTimeout(() => this.spawn(slot), delay);
  }

  private killWorker(slot: Slot, reason: ErrorInfo): void {
    slot.killReason = reason;
    slot.port?.kill();
  }

  /** Samples worker memory while tasks run: a runaway page is stopped before it takes the machine. */
  private checkMemory(): void {
    for (const slot of this.slots) {
      const pid = slot.port?.pid;
      if (!pid || !slot.current) continue;
      const rss = rssOf(pid);
      if (rss === null) continue;
      slot.peakRss = Math.max(slot.peakRss, rss);
      if (rss > this.opts.maxWorkerRssBytes * 1.5) {
        const gb = (this.opts.maxWorkerRssBytes * 1.5) / 2 ** 30;
        const what = MEMORY_SUBJECTS[slot.current.type];
        this.killWorker(slot, {
          code: 'TOO_LARGE',
          message: `${what} needed more than ${gb.toFixed(1)} GB of memory (the limit per OCR worker); the worker was stopped`,
        });
      }
    }
  }
}

/** Resident memory of a process in bytes, from /proc (Linux); null where unavailable. */
function rssOf(pid: number): number | null {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return pages * 4096;
  } catch {
    return null;
  }
}
