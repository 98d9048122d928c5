import type { TaskType, WorkerTasks } from '../../worker/protocol.ts';
import type { TaskOutcome } from '../pool.ts';

/**
 * What the scheduler knows about a task besides the worker request, for executors that need it
 * (a remote queue maps the priority, keys a job by page and lease). The local pool ignores it.
 */
export interface TaskMeta {
  docId?: number;
  pageId?: number;
  pageNo?: number;
  /** The document's priority, 0 (last) … 9 (first). */
  priority?: number;
  /** Which attempt at this task this is (1 for the first). */
  attempt?: number;
}

/**
 * Something that runs worker tasks: the local pool of OCR processes, or (on a coordinator) a
 * cluster queue whose nodes run the same worker code. The scheduler claims a task from the store
 * only when an executor has room for it, hands it over, and records the outcome; an executor
 * never touches the database. Every failure (a dead worker, a time-out, a lost node) comes back as
 * an outcome, never as a throw.
 */
export interface Executor {
  /** For logs: `local`, `cluster`. */
  readonly name: string;
  /** The task types it can run at all (a cluster of OCR nodes runs pages only). */
  readonly accepts: ReadonlySet<TaskType>;
  /** How many more tasks it takes right now (idle workers; free places in a bounded remote window). */
  capacity(): number;
  /** Runs a task; call only when `capacity() > 0`. */
  run<K extends TaskType>(
    type: K,
    request: WorkerTasks[K]['request'],
    meta: TaskMeta,
  ): Promise<TaskOutcome<WorkerTasks[K]['result']>>;
  /** Tasks running now. */
  busy(): number;
  start(): void;
  /** Stops taking tasks; tasks still running end with an outcome the scheduler does not record. */
  close(): Promise<void>;
}

/** Called by an executor whenever it has room again, so the scheduler can hand it more work. */
export type OnCapacity = () => void;
