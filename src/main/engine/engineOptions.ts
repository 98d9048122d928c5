import type { SpawnWorker, TaskType } from '../worker/protocol.ts';
import type { Limits } from '../worker/ocrTypes.ts';
import type { Logger } from './log/logger.ts';
import type { RetryPolicy } from './store/policy.ts';
import type { WatchTimings } from './watch/folderWatcher.ts';
import type { ClusterSettings } from './clusterControl.ts';

export interface EngineOptions {
  /** Database file (created if missing). */
  dbPath: string;
  spawn: SpawnWorker;
  /**
   * Worker processes; default os.availableParallelism(). 0 (with `cluster`): no local OCR, the
   * nodes do every page; one worker still opens files and writes the outputs.
   */
  jobs: number;
  /**
   * A light helper process besides the OCR workers (no Tesseract): it opens files as they are
   * queued, so page counts are known early, and draws pages for the window at once on a busy
   * queue. Default true.
   */
  helper?: boolean;
  /**
   * Work with OCR nodes on other machines through this Redis (`--redis`): this engine becomes the
   * coordinator, handing pages to the nodes besides (or, with `jobs: 0`, instead of) its own workers.
   */
  cluster?: ClusterSettings;
  /** Without `cluster`: take the cluster from the settings (Settings → Cluster), as the app and `serve` do. */
  clusterFromSettings?: boolean;
  /** The app's version: nodes must run the same. */
  version?: string;
  policy?: RetryPolicy;
  /** Per task type, in ms. */
  timeouts?: Partial<Record<TaskType, number>>;
  maxWorkerRssBytes?: number;
  recycleAfterTasks?: number;
  /** A worker not ready this long after its start is replaced (default 60 s). */
  workerStartTimeoutMs?: number;
  /** Input limits (pixels, pages) when they differ from the worker's defaults. */
  limits?: Partial<Limits>;
  /**
   * Structured log of what the engine does (ids, codes, timings; never document text). Default:
   * logPathFor(dbPath): the data folder's `logs/bulk-ocr.log` for the default queue, `FILE.log` beside any other.
   */
  log?: Logger;
  clock?: () => number;
  /** Watched folders' patience (settling, rescans, polling); defaults suit real use. */
  watchTimings?: Partial<WatchTimings>;
}

/** Per task type, in ms: a task running longer is stopped (its worker killed) and fails with a reason. */
export const DEFAULT_TIMEOUTS: Record<TaskType, number> = {
  probe: 60_000,
  page: 180_000,
  export: 300_000,
  render: 60_000,
};
