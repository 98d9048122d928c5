import type {
  DocumentKind,
  ErrorInfo,
  OcrOptions,
  OutputTarget,
  PageResult,
  ProbeResult,
} from '../../shared/model.ts';
import type { IfExists } from '../../shared/exports.ts';
import type { Limits } from './ocrTypes.ts';
import type { WrittenFile } from '../common/writtenFile.ts';

/**
 * The typed messages between the engine and an OCR worker process. Both ends import this module;
 * the transport (child_process IPC under Node, utilityProcess in Electron) only moves the objects.
 */

/** One page of an export job as it crosses to the worker: words stay a JSON string (parsed there, off the engine's thread). */
export interface ExportWirePage {
  text: string;
  /** JSON `[[text, x0, y0, x1, y1, confidence], …]`, as stored. */
  words: string;
  width: number;
  height: number;
  /** The raster's resolution (pixels per inch), as stored; 0 when not known. */
  dpi: number;
  source: 'ocr' | 'text-layer';
  failed: boolean;
}

/**
 * The input as it was when it was opened (probed): a page or an export of a file that no longer
 * matches fails with FILE_CHANGED instead of mixing two versions of the file in one output.
 */
export interface SourceIdentity {
  size: number;
  /** Whole milliseconds, as stored. */
  mtimeMs: number;
  /** Compared only when size or mtime differ (a file copied back keeps its content, not its mtime). */
  sha256: string | null;
}

export interface ExportWireJob {
  sourcePath: string;
  sourceIdentity?: SourceIdentity;
  kind: DocumentKind;
  pages: ExportWirePage[];
  target: OutputTarget;
}

export interface ExportResult {
  written: string[];
  /** Existing files left as they were (`ifExists: 'skip'`). */
  skipped?: string[];
  bytes: number;
  /** What was written, file by file (size, mtime, SHA-256), for the queue's record. */
  files?: WrittenFile[];
}

/**
 * A page's picture for the review window: the page (JPEG) in the geometry of its word boxes, or
 * the page as prepared for Tesseract (PNG, or the file's own bytes when nothing was changed).
 */
export interface RenderResult {
  image: Uint8Array;
  mime: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  /** The prepared page only: what preprocessing did, in words. */
  steps?: string[];
}

/** Requests, keyed by type, with the value a successful reply carries. */
export interface WorkerTasks {
  /** `limits`: the engine's, when it overrides the defaults (e.g. `--max-pages`). */
  probe: { request: { path: string; limits?: Partial<Limits> }; result: ProbeResult };
  page: {
    request: {
      path: string;
      pageNo: number;
      options: OcrOptions;
      limits?: Partial<Limits>;
      identity?: SourceIdentity;
    };
    result: PageResult;
  };
  /** `ifExists` absent: the queue's own rule (refuse unless `target.overwrite`). */
  export: { request: { job: ExportWireJob; ifExists?: IfExists }; result: ExportResult };
  /**
   * PDF pages are rendered at `dpi`; image pages scaled to fit `maxSide`. With `prepared` (the
   * document's options) the page as the page task prepares it for Tesseract instead (`dpi` unused).
   */
  render: {
    request: { path: string; pageNo: number; dpi: number; maxSide: number; prepared?: OcrOptions };
    result: RenderResult;
  };
}

export type TaskType = keyof WorkerTasks;

export type WorkerRequest =
  { [K in TaskType]: { type: K; id: number } & WorkerTasks[K]['request'] }[TaskType] | { type: 'shutdown' };

export type WorkerReply =
  /** Tesseract is loaded: the worker takes tasks. */
  | { type: 'ready'; pid: number; /** What recognises in this worker (Recognizer.engine). */ engine?: string }
  | { type: 'done'; id: number; value: unknown; rss: number }
  | { type: 'failed'; id: number; error: ErrorInfo; rss: number }
  /** The worker cannot work at all (e.g. the OCR engine would not load); it exits after this. */
  | { type: 'fatal'; error: ErrorInfo };

/**
 * A running worker as the pool sees it. The spawn adapter (child_process.fork under Node,
 * utilityProcess.fork in Electron, or a fake in tests) builds one.
 */
export interface WorkerPort {
  readonly pid: number | undefined;
  send(message: WorkerRequest): void;
  onMessage(listener: (message: WorkerReply) => void): void;
  /** Called once when the process is gone, whatever the cause. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

/**
 * What a worker process is for. `ocr`: loads Tesseract and runs every task. `light`: no Tesseract
 * (it starts in a fraction of the time and memory) and runs everything but pages: opening files
 * (probe) and drawing pages for the window (render), so neither waits for a recognition to end.
 */
export type WorkerRole = 'ocr' | 'light';

/** Starts a worker process; `role` absent is `ocr`. */
export type SpawnWorker = (role?: WorkerRole) => WorkerPort;
