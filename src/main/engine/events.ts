import { EventEmitter } from 'node:events';
import type { DocumentState, ErrorInfo, PageTimings } from '../../shared/model.ts';
import type { SearchIndexStatus } from '../../shared/api.ts';
import type { NodeView } from '../cluster/presence.ts';

/** What the engine pushes to its front ends. */
export interface EngineEvents {
  /** A document changed state (opened, finished, failed, exported…). */
  document: [{ id: number; state: DocumentState; pageCount: number | null; error: ErrorInfo | null }];
  /** A page finished, for good or not. */
  page: [
    {
      docId: number;
      pageNo: number;
      ok: boolean;
      retrying: boolean;
      error: ErrorInfo | null;
      timings: PageTimings | null;
    },
  ];
  /** An export the user asked for (export dialog) finished, for good or not, or will be retried. */
  export: [{ batchId: number; docId: number }];
  /** The engine cannot go on (workers cannot start). */
  fatal: [ErrorInfo];
  /**
   * A watched folder changed: its state, its counts, or it queued documents (`docIds`), or it was
   * removed.
   */
  watch: [{ folderId: number; docIds: number[]; removed: boolean }];
  /** Something a watched folder has to say about a file or itself, in words (for logs and the CLI). */
  watchReport: [{ folderId: number; message: string; path: string | null }];
  /** The search index moved on: pages added to it, or the build after an upgrade progressed. */
  search: [SearchIndexStatus];
  /** The cluster's worker nodes changed (joined, left, excluded, progressed); the whole list. */
  nodes: [NodeView[]];
  /** Nothing is running and nothing is ready to run (the queue is drained, paused or waiting on backoff). */
  idle: [];
}

/** A typed EventEmitter: listeners and emits are checked against `EngineEvents`. */
export class EngineEmitter extends EventEmitter<EngineEvents> {}
