import type { TaskType } from '../../worker/protocol.ts';
import type { ErrorInfo } from '../../../shared/model.ts';
import { DEFAULT_TIMEOUTS, type EngineOptions } from '../engineOptions.ts';
import type { Logger } from '../log/logger.ts';
import { localShare, type ClusterControl } from '../clusterControl.ts';
import { LocalPoolExecutor } from './localPool.ts';

/** What the light helper process runs (protocol.ts WorkerRole): never a page's recognition. */
const HELPER_TASKS: ReadonlySet<TaskType> = new Set<TaskType>(['probe', 'render']);

export interface LocalExecutors {
  /** The OCR workers. */
  local: LocalPoolExecutor;
  /** The light helper (no Tesseract), or null when the options turn it off. */
  helper: LocalPoolExecutor | null;
}

/**
 * This machine's worker processes as executors: the OCR workers (all tasks, or with `--jobs 0` and
 * nodes only opening files and writing outputs) and the light helper that opens files as they are
 * queued and draws pages for the window while every OCR worker is busy.
 */
export function localExecutors(
  opts: EngineOptions,
  deps: {
    log: Logger;
    cluster: ClusterControl | null;
    /** A worker came free: the scheduler may hand out more. */
    onIdle: () => void;
    /** The OCR workers cannot start at all. */
    onFatal: (error: ErrorInfo) => void;
  },
): LocalExecutors {
  const common = {
    spawn: opts.spawn,
    timeoutMs: { ...DEFAULT_TIMEOUTS, ...opts.timeouts },
    maxWorkerRssBytes: opts.maxWorkerRssBytes ?? 1.5 * 2 ** 30,
    recycleAfterTasks: opts.recycleAfterTasks ?? 2_000,
    ...(opts.workerStartTimeoutMs ? { startTimeoutMs: opts.workerStartTimeoutMs } : {}),
    log: deps.log,
    onIdle: deps.onIdle,
  };
  const local = new LocalPoolExecutor({
    ...common,
    ...localShare(opts.jobs, deps.cluster),
    onFatal: deps.onFatal,
  });
  const helper =
    opts.helper === false
      ? null
      : new LocalPoolExecutor({
          ...common,
          name: 'helper',
          role: 'light',
          accepts: HELPER_TASKS,
          size: 1,
          // Without the helper the OCR workers open files and draw pages, as they always could.
          onFatal: () => undefined,
        });
  return { local, helper };
}
