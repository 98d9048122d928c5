/**
 * Hands work to executors. Whenever an executor has room, the scheduler claims the next task it
 * can run from the store (the claim is the lease, written before anything runs), runs it there,
 * logs the outcome, records it and announces it: one step for every kind of task, driven by the
 * table in taskKinds.ts. Page pictures for the window go first, unclaimed (nothing to record).
 */
import type { ErrorInfo } from '../../shared/model.ts';
import type { RenderResult, TaskType, WorkerTasks } from '../worker/protocol.ts';
import type { EngineEmitter } from './events.ts';
import type { Executor } from './executors/executor.ts';
import type { Logger } from './log/logger.ts';
import type { TaskOutcome } from './pool.ts';
import { isGloballyPaused } from './store/documents.ts';
import { claimExportTask, nextExportWake } from './store/exportTasks.ts';
import { claimNext, nextWakeTime, type Task } from './store/tasks.ts';
import { logged } from './taskLog.ts';
import { TASK_KINDS, type ClaimedTask, type StepContext } from './taskKinds.ts';

/** A page picture waits this long for a worker to come free before the window is told to try again. */
const RENDER_WAIT_MS = 60_000;

/** What the review window's page view needs to draw a page: its picture and the scale of its boxes. */
export type PagePreviewOutcome = { ok: true; value: RenderResult } | { ok: false; error: ErrorInfo };

export type RenderRequest = WorkerTasks['render']['request'];

interface PendingRender {
  request: RenderRequest;
  resolve: (o: PagePreviewOutcome) => void;
  timer: NodeJS.Timeout;
}

export interface SchedulerOptions {
  /** The executors, in order of preference: the first with room gets the next task. */
  executors: readonly Executor[];
  step: StepContext;
  /** How long a claim holds a task before another engine start may take it back. */
  leaseMs: number;
  events: EngineEmitter;
  log: Logger;
}

export class Scheduler {
  private readonly executors: readonly Executor[];
  private readonly step: StepContext;
  private readonly renders: PendingRender[] = [];
  private running = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly opts: SchedulerOptions;

  constructor(opts: SchedulerOptions) {
    this.opts = opts;
    this.executors = opts.executors;
    this.step = opts.step;
  }

  /** Starts handing out work (call `pump` when work may have become ready). */
  start(): void {
    this.running = true;
  }

  /**
   * Stops handing out work: outcomes still to come are not recorded (their leases are released by
   * the engine), and page pictures still waiting are answered.
   */
  stop(): void {
    this.running = false;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    for (const r of this.renders.splice(0)) {
      clearTimeout(r.timer);
      r.resolve({ ok: false, error: { code: 'INTERNAL', message: 'the engine is stopping' } });
    }
  }

  /** Hands ready tasks to executors with room until one or the other runs out. */
  pump(): void {
    if (!this.running || !this.step.db.open) return;
    // Page pictures first, even while paused: a person is looking at the window, waiting.
    for (let ex = this.withRoomFor('render'); ex && this.renders.length > 0; ex = this.withRoomFor('render'))
      this.runRender(ex, this.renders.shift()!);
    if (isGloballyPaused(this.step.db)) return;
    let starved = false;
    for (const executor of this.executors) {
      while (executor.capacity() > 0) {
        const task = this.claimFor(executor);
        if (!task) {
          starved = true;
          break;
        }
        this.dispatch(executor, task);
      }
    }
    if (starved) {
      this.scheduleWake(this.step.now());
      if (this.inFlight === 0) this.opts.events.emit('idle');
    }
  }

  /**
   * Renders a page's picture on the next worker that comes free (queue work waits for that one
   * task; nothing claimed is touched: no lease, no database write). `dpi` is for PDF pages.
   */
  renderPage(request: RenderRequest): Promise<PagePreviewOutcome> {
    if (!this.running)
      return Promise.resolve({
        ok: false,
        error: { code: 'INTERNAL', message: 'the engine is not running' },
      });
    return new Promise((resolve) => {
      const pending: PendingRender = {
        request,
        resolve,
        timer: setTimeout(() => {
          const i = this.renders.indexOf(pending);
          if (i >= 0) this.renders.splice(i, 1);
          resolve({
            ok: false,
            error: {
              code: 'TIMEOUT',
              message: 'every worker is busy with a long page; try again in a moment',
            },
          });
        }, RENDER_WAIT_MS),
      };
      this.renders.push(pending);
      this.pump();
    });
  }

  private withRoomFor(type: TaskType): Executor | undefined {
    return this.executors.find((e) => e.accepts.has(type) && e.capacity() > 0);
  }

  private claimFor(executor: Executor): ClaimedTask | null {
    const { db, owner } = this.step;
    const now = this.step.now();
    const accepts = executor.accepts;
    const kinds = new Set<Task['kind']>((['probe', 'page', 'export'] as const).filter((k) => accepts.has(k)));
    if (kinds.size === 0) return null;
    const exportTask = accepts.has('export') ? claimExportTask(db, owner, now, this.opts.leaseMs) : null;
    return exportTask ?? claimNext(db, owner, now, this.opts.leaseMs, kinds);
  }

  /** Wakes the scheduler when the earliest task waiting on its backoff becomes ready. */
  private scheduleWake(now: number): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    const { db } = this.step;
    const times = [nextWakeTime(db, now), nextExportWake(db, now)].filter((t) => t !== null);
    if (times.length === 0) return;
    const at = Math.min(...times);
    this.wakeTimer = setTimeout(() => this.pump(), Math.max(0, at - now) + 5);
    this.wakeTimer.unref();
  }

  private runRender(executor: Executor, r: PendingRender): void {
    clearTimeout(r.timer);
    void executor.run('render', r.request, {}).then((o) => {
      r.resolve(o);
      this.pump();
    });
  }

  /** The one step: run on the executor → log → record → announce. */
  private dispatch(executor: Executor, task: ClaimedTask): void {
    const kind = TASK_KINDS[task.kind] as unknown as GenericKind;
    const request = kind.request(task, this.step);
    if (!request) return; // the document is gone: nothing to run, nothing to record
    this.inFlight++;
    const outcome = executor.run(kind.type, request as never, kind.meta(task));
    void logged(this.opts.log, kind.type, kind.logIds(task), outcome).then((o) => {
      // A task taken back before it ran (a page withdrawn from the cluster queue): its lease is
      // returned by whoever took it back; there is no outcome to write.
      const withdrawn = 'withdrawn' in o && o.withdrawn === true;
      const recorded = !withdrawn && this.running && this.step.db.open && kind.record(task, o, this.step);
      kind.announce(task, o, recorded, this.step);
      this.inFlight--;
      this.pump();
    });
  }
}

/** A row of TASK_KINDS with its task and result types erased, for the one generic step. */
interface GenericKind {
  type: Exclude<TaskType, 'render'>;
  logIds(task: ClaimedTask): Record<string, number>;
  meta(task: ClaimedTask): Parameters<Executor['run']>[2];
  request(task: ClaimedTask, ctx: StepContext): object | null;
  record(task: ClaimedTask, outcome: TaskOutcome<unknown>, ctx: StepContext): boolean;
  announce(task: ClaimedTask, outcome: TaskOutcome<unknown>, recorded: boolean, ctx: StepContext): void;
}
