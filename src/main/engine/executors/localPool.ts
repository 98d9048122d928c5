import type { ErrorInfo } from '../../../shared/model.ts';
import type { TaskType, WorkerTasks } from '../../worker/protocol.ts';
import type { Logger } from '../log/logger.ts';
import { Pool, type PoolOptions, type TaskOutcome } from '../pool.ts';
import type { Executor } from './executor.ts';

/** The workers of an executor: how many, how many busy, their peak memory and OCR engines. */
export interface WorkersView {
  total: number;
  busy: number;
  peakRssBytes: number[];
  ocrEngines: string[];
}

const EVERY_TASK: ReadonlySet<TaskType> = new Set<TaskType>(['probe', 'page', 'export', 'render']);

export interface LocalPoolOptions extends Omit<PoolOptions, 'onWorkerExit' | 'onFatal'> {
  log: Logger;
  /** For logs; default `local`. */
  name?: string;
  /** The tasks it takes; default every kind. */
  accepts?: ReadonlySet<TaskType>;
  /** Workers cannot start at all (after several tries in a row). */
  onFatal: (error: ErrorInfo) => void;
}

/**
 * Worker processes on this machine, as an executor: one task per idle worker. The engine has two:
 * the OCR workers, and a light helper (no Tesseract) that opens files and draws pages for the
 * window while every OCR worker is busy.
 */
export class LocalPoolExecutor implements Executor {
  readonly name: string;
  readonly accepts: ReadonlySet<TaskType>;
  readonly pool: Pool;

  constructor(options: LocalPoolOptions) {
    const { log, onFatal, name, accepts, ...poolOptions } = options;
    this.name = name ?? 'local';
    this.accepts = accepts ?? EVERY_TASK;
    this.pool = new Pool({
      ...poolOptions,
      onFatal: (error) => {
        log.error('engine.fatal', { code: error.code, message: error.message });
        onFatal(error);
      },
      // A worker leaving on purpose (recycled, retired) is routine; any other exit is worth a warning.
      onWorkerExit: (w) =>
        log.log(
          w.busy || (w.code !== 0 && w.reason?.message !== 'recycled') ? 'warn' : 'info',
          'worker.exit',
          {
            executor: this.name,
            slot: w.slot,
            worker: w.pid,
            exitCode: w.code,
            signal: w.signal,
            code: w.reason?.code,
            reason: w.reason?.message,
            busy: w.busy,
          },
        ),
    });
  }

  capacity(): number {
    return this.pool.idleCount;
  }

  busy(): number {
    return this.pool.busyCount;
  }

  run<K extends TaskType>(
    type: K,
    request: WorkerTasks[K]['request'],
  ): Promise<TaskOutcome<WorkerTasks[K]['result']>> {
    return this.pool.run(type, request);
  }

  /** What the window and the CLI show of the workers. */
  describe(): WorkersView {
    const pool = this.pool;
    return {
      total: pool.size,
      busy: pool.busyCount,
      peakRssBytes: pool.peakRssBytes,
      ocrEngines: pool.ocrEngines,
    };
  }

  start(): void {
    this.pool.start();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
