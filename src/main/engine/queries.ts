/**
 * The read side of the queue, for front ends (the API router, the CLI): every question they ask
 * the database, as methods over one connection. Front ends never import `store/*`: what they may
 * read is this list, and writes go through the Engine, which announces them.
 */
import type {
  FailedPage,
  PageDetail,
  QueueListPage,
  QueueListQuery,
  SearchIndexStatus,
  SearchRequest,
  SearchResults,
  Settings,
} from '../../shared/api.ts';
import type { ExportBatch, ExportItem } from '../../shared/exports.ts';
import type { DocumentRow, LowConfidencePage, QueueCounts } from '../../shared/model.ts';
import { closeDatabase, openDatabase, type Db } from './store/db.ts';
import {
  getDocument,
  getDocuments,
  isGloballyPaused,
  queueCounts,
  recentFailures,
} from './store/documents.ts';
import { documentsOrRemoved, listDocumentIds, listDocuments } from './store/listing.ts';
import { failedPages, lowConfidencePages, pageDetail, pageGeometry } from './store/review.ts';
import { exportableIds, exportBatch, exportedFiles, failedExports } from './store/exportTasks.ts';
import { engineLockHolder } from './store/lock.ts';
import { readSettings } from './settings.ts';
import { searchIndexStatus, searchPages } from './store/search.ts';
import { buildDiagnostics, versions, type DiagnosticsInput } from './diagnostics.ts';

export class QueueReader {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** False once the database is closed (the engine stopped): callers stop asking. */
  get open(): boolean {
    return this.db.open;
  }

  // ── Documents ────────────────────────────────────────────────────────────────
  counts(): QueueCounts {
    return queueCounts(this.db);
  }
  get paused(): boolean {
    return isGloballyPaused(this.db);
  }
  document(id: number): DocumentRow | null {
    return getDocument(this.db, id);
  }
  /** The documents that still exist, in the order asked. */
  documents(ids: readonly number[]): DocumentRow[] {
    return getDocuments(this.db, ids);
  }
  list(query: QueueListQuery): QueueListPage {
    return listDocuments(this.db, query);
  }
  ids(query: Omit<QueueListQuery, 'offset' | 'limit'>): number[] {
    return listDocumentIds(this.db, query);
  }
  /** Rows for ids that still exist, and the ids that do not (removed meanwhile). */
  rowsOrRemoved(ids: readonly number[]): { rows: DocumentRow[]; removed: number[] } {
    return documentsOrRemoved(this.db, ids);
  }

  // ── Review ───────────────────────────────────────────────────────────────────
  /** Documents that ended with an error, newest first. */
  failures(limit: number): DocumentRow[] {
    return recentFailures(this.db, limit);
  }
  lowConfidence(limit: number, docIds?: readonly number[]): LowConfidencePage[] {
    return lowConfidencePages(this.db, limit, docIds);
  }
  failedPages(docIds: readonly number[], perDocument: number): FailedPage[] {
    return failedPages(this.db, docIds, perDocument);
  }
  page(docId: number, pageNo: number): PageDetail | null {
    return pageDetail(this.db, docId, pageNo);
  }
  /** Where a page's picture comes from and the size of its word boxes' space. */
  pageGeometry(docId: number, pageNo: number): ReturnType<typeof pageGeometry> {
    return pageGeometry(this.db, docId, pageNo);
  }

  // ── Exports ──────────────────────────────────────────────────────────────────
  exportBatch(batchId: number, limit: number): ExportBatch | null {
    return exportBatch(this.db, batchId, limit);
  }
  failedExports(limit: number): ExportItem[] {
    return failedExports(this.db, limit);
  }
  /** Ids of every document that can be exported ("Export done…"). */
  exportableIds(): number[] {
    return exportableIds(this.db);
  }
  /** Files the export dialog wrote for a document. */
  exportedFiles(docId: number): string[] {
    return exportedFiles(this.db, docId);
  }

  // ── Search ───────────────────────────────────────────────────────────────────
  /** Full-text search over the recognised pages: what the index holds so far (see `searchStatus`). */
  search(request: SearchRequest): SearchResults {
    return searchPages(this.db, request);
  }
  /** Pages waiting for the index, and the build after an upgrade. */
  searchStatus(): SearchIndexStatus {
    return searchIndexStatus(this.db);
  }

  // ── The installation ─────────────────────────────────────────────────────────
  settings(): Settings {
    return readSettings(this.db);
  }
  /** The process working on this queue now (`bulk-ocr status`), if any. */
  engineHolder(): { pid: number; startedAt: number } | null {
    return engineLockHolder(this.db);
  }
  versions(appVersion: string): ReturnType<typeof versions> {
    return versions(this.db, appVersion);
  }
  diagnostics(input: Omit<DiagnosticsInput, 'db'>): ReturnType<typeof buildDiagnostics> {
    return buildDiagnostics({ ...input, db: this.db });
  }
}

/**
 * Opens a queue database only to read it, without taking the engine lock, so `bulk-ocr status` and
 * `bulk-ocr diagnostics` work while a run is going on. Close it with `close()`.
 */
export function openQueueReader(dbPath: string): QueueReader & { close(): void } {
  const db = openDatabase(dbPath);
  const reader = new QueueReader(db) as QueueReader & { close(): void };
  reader.close = () => closeDatabase(db);
  return reader;
}
