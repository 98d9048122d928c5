/**
 * Exports asked for after recognition ("Export…" in the window, on a selection or on everything
 * that is done): the options the dialog sends and the per-document results it shows.
 * Plain data only, like model.ts.
 */
import type { ErrorInfo, OutputFormat } from './model.ts';

/** What to do when an output file is already there. */
export type IfExists = 'skip' | 'overwrite' | 'suffix';

/**
 * Where the files go: next to each source (`NAME.ocr.txt`, `NAME.ocr.pdf`, as the queue writes
 * them), or into a folder that mirrors the structure below the folder each document was added from.
 */
export type ExportDestination = { kind: 'next-to-source' } | { kind: 'folder'; path: string };

export interface ExportOptions {
  formats: OutputFormat[];
  destination: ExportDestination;
  ifExists: IfExists;
}

/**
 * One document's export. `written`: files written; `skipped`: files that existed and were left
 * as they were (`ifExists: 'skip'`). `failed` carries the reason.
 */
export type ExportTaskState = 'queued' | 'running' | 'written' | 'skipped' | 'failed';

export interface ExportItem {
  taskId: number;
  docId: number;
  /** The source document's path. */
  path: string;
  state: ExportTaskState;
  written: string[];
  skipped: string[];
  error: ErrorInfo | null;
}

/** A batch as the export dialog follows it. */
export interface ExportBatch {
  id: number;
  options: ExportOptions;
  createdAt: number;
  counts: Record<ExportTaskState, number> & { total: number };
  /** The items, failed first, then in queue order (at most the limit asked for). */
  items: ExportItem[];
}

/** What "Export" returns at once: the batch to follow, and the documents that cannot be exported yet. */
export interface ExportStartResult {
  batchId: number | null;
  queued: number;
  notReady: { id: number; path: string; reason: string }[];
}
