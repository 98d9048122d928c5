import type { DocumentState, WatchFolderOptions } from '../../../shared/model.ts';
import type { Db } from './db.ts';
import { cachedStatement } from './statements.ts';

/** A stored watched folder. */
export interface WatchFolderRecord {
  id: number;
  path: string;
  options: WatchFolderOptions;
  createdAt: number;
  lastScanAt: number | null;
}

interface FolderRow {
  id: number;
  path: string;
  options: string;
  created_at: number;
  last_scan_at: number | null;
}

function toRecord(r: FolderRow): WatchFolderRecord {
  return {
    id: r.id,
    path: r.path,
    options: JSON.parse(r.options) as WatchFolderOptions,
    createdAt: r.created_at,
    lastScanAt: r.last_scan_at,
  };
}

export function listWatchFolders(db: Db): WatchFolderRecord[] {
  return (db.prepare('SELECT * FROM watch_folders ORDER BY id').all() as FolderRow[]).map(toRecord);
}

export function getWatchFolder(db: Db, id: number): WatchFolderRecord | null {
  const r = db.prepare('SELECT * FROM watch_folders WHERE id = ?').get(id) as FolderRow | undefined;
  return r ? toRecord(r) : null;
}

export function findWatchFolder(db: Db, path: string): WatchFolderRecord | null {
  const r = db.prepare('SELECT * FROM watch_folders WHERE path = ?').get(path) as FolderRow | undefined;
  return r ? toRecord(r) : null;
}

/** Stores a folder, or replaces the options of the one already stored at that path. */
export function upsertWatchFolder(db: Db, path: string, options: WatchFolderOptions, now: number): number {
  const row = db
    .prepare(
      `INSERT INTO watch_folders (path, options, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET options = excluded.options, updated_at = excluded.updated_at
       RETURNING id`,
    )
    .get(path, JSON.stringify(options), now, now) as { id: number };
  return row.id;
}

export function updateWatchFolderOptions(db: Db, id: number, options: WatchFolderOptions, now: number): void {
  db.prepare('UPDATE watch_folders SET options = ?, updated_at = ? WHERE id = ?').run(
    JSON.stringify(options),
    now,
    id,
  );
}

/** Forgets a folder and its file records (the files and documents are not touched). */
export function deleteWatchFolder(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM watch_folders WHERE id = ?').run(id).changes > 0;
}

export function setLastScan(db: Db, id: number, now: number): void {
  db.prepare('UPDATE watch_folders SET last_scan_at = ? WHERE id = ?').run(now, id);
}

/** What the watcher recorded about one path of a folder. */
export interface SeenFile {
  id: number;
  size: number;
  mtimeMs: number;
  sha256: string;
  docId: number | null;
  disposed: string | null;
}

export function findSeen(db: Db, folderId: number, path: string): SeenFile | null {
  const r = db
    .prepare(
      'SELECT id, size, mtime_ms, sha256, doc_id, disposed FROM watch_files WHERE folder_id = ? AND path = ?',
    )
    .get(folderId, path) as
    | {
        id: number;
        size: number;
        mtime_ms: number;
        sha256: string;
        doc_id: number | null;
        disposed: string | null;
      }
    | undefined;
  return r
    ? { id: r.id, size: r.size, mtimeMs: r.mtime_ms, sha256: r.sha256, docId: r.doc_id, disposed: r.disposed }
    : null;
}

/**
 * Signatures (size, mtime) of the paths of a folder already seen, for the fast check of a whole
 * scan. A path whose original was moved away by us is left out: whatever is there now arrived anew.
 */
export function seenSignatures(db: Db, folderId: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of db
    .prepare('SELECT path, size, mtime_ms FROM watch_files WHERE folder_id = ? AND disposed IS NULL')
    .all(folderId) as { path: string; size: number; mtime_ms: number }[])
    out.set(r.path, signature(r.size, r.mtime_ms));
  return out;
}

export function signature(size: number, mtimeMs: number): string {
  return `${size}:${Math.trunc(mtimeMs)}`;
}

/**
 * The document that already holds this content, from any watched folder: one that still exists
 * and did not fail or get cancelled. A file with this hash is a rename or a copy and is not OCR'd
 * again; content whose document failed is taken again (putting it back is how a user retries).
 */
export function documentWithContent(db: Db, sha256: string): { docId: number; path: string } | null {
  const r = db
    .prepare(
      `SELECT d.id AS doc_id, d.path FROM watch_files w JOIN documents d ON d.id = w.doc_id
       WHERE w.sha256 = ? AND d.state NOT IN ('failed', 'cancelled') ORDER BY w.id LIMIT 1`,
    )
    .get(sha256) as { doc_id: number; path: string } | undefined;
  return r ? { docId: r.doc_id, path: r.path } : null;
}

/** Records (or updates) what became of a path: its signature, content and document. */
export function recordSeen(
  db: Db,
  f: {
    folderId: number;
    path: string;
    size: number;
    mtimeMs: number;
    sha256: string;
    kind: 'ingested' | 'duplicate';
    docId: number | null;
  },
  now: number,
): void {
  db.prepare(
    `INSERT INTO watch_files (folder_id, path, size, mtime_ms, sha256, kind, doc_id, seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (folder_id, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
       sha256 = excluded.sha256, kind = excluded.kind, doc_id = excluded.doc_id, disposed = NULL,
       moved_to = NULL, seen_at = excluded.seen_at`,
  ).run(f.folderId, f.path, f.size, Math.trunc(f.mtimeMs), f.sha256, f.kind, f.docId, now);
}

/** A touched file (same content, new mtime): only its signature changes. */
export function updateSignature(db: Db, id: number, size: number, mtimeMs: number): void {
  db.prepare('UPDATE watch_files SET size = ?, mtime_ms = ? WHERE id = ?').run(size, Math.trunc(mtimeMs), id);
}

/** A file whose document has ended and whose original has not been moved yet. */
export interface Disposable {
  id: number;
  folderId: number;
  path: string;
  docState: DocumentState;
  error: { code: string; message: string } | null;
}

const ENDED = `('done', 'done-with-errors', 'failed', 'cancelled')`;

/** Files of a folder (or those of one document) waiting to be moved into processed/ or failed/. */
export function pendingDispositions(db: Db, by: { folderId?: number; docId?: number }): Disposable[] {
  const where = by.docId !== undefined ? 'w.doc_id = ?' : 'w.folder_id = ?';
  const rows = db
    .prepare(
      `SELECT w.id, w.folder_id, w.path, d.state, d.error_code, d.error_message FROM watch_files w
       JOIN documents d ON d.id = w.doc_id
       WHERE ${where} AND w.disposed IS NULL AND d.state IN ${ENDED}`,
    )
    .all(by.docId ?? by.folderId) as {
    id: number;
    folder_id: number;
    path: string;
    state: DocumentState;
    error_code: string | null;
    error_message: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    folderId: r.folder_id,
    path: r.path,
    docState: r.state,
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
  }));
}

/**
 * Records what became of an original. A moved one's record follows it to its new path (under
 * processed/ or failed/, never watched), so the name is free for the next file to arrive there and
 * the folder's history keeps both.
 */
export function markDisposed(db: Db, id: number, disposed: string, movedTo: string | null): void {
  db.prepare('UPDATE watch_files SET disposed = ?, moved_to = ?, path = coalesce(?, path) WHERE id = ?').run(
    disposed,
    movedTo,
    movedTo,
    id,
  );
}

/** Watched files of a folder by outcome, for the folder list. */
export function watchFolderStats(
  db: Db,
  folderId: number,
): { ingested: number; duplicates: number; done: number; failed: number; inQueue: number } {
  const r = db
    .prepare(
      `SELECT
         sum(w.kind = 'ingested') AS ingested,
         sum(w.kind = 'duplicate') AS duplicates,
         sum(w.kind = 'ingested' AND d.state IN ('done', 'done-with-errors')) AS done,
         sum(w.kind = 'ingested' AND d.state IN ('failed', 'cancelled')) AS failed,
         sum(w.kind = 'ingested' AND d.state NOT IN ${ENDED}) AS in_queue
       FROM watch_files w LEFT JOIN documents d ON d.id = w.doc_id WHERE w.folder_id = ?`,
    )
    .get(folderId) as Record<string, number | null>;
  return {
    ingested: r.ingested ?? 0,
    duplicates: r.duplicates ?? 0,
    done: r.done ?? 0,
    failed: r.failed ?? 0,
    inQueue: r.in_queue ?? 0,
  };
}

/** Folders that have files linked to this document (so their counts changed with it). */
export function foldersOfDocument(db: Db, docId: number): number[] {
  return (
    db.prepare('SELECT DISTINCT folder_id FROM watch_files WHERE doc_id = ?').all(docId) as {
      folder_id: number;
    }[]
  ).map((r) => r.folder_id);
}

/** The documents a watched folder queued (not its duplicates), for a look at their outputs. */
export function ingestedDocuments(db: Db, folderId: number): number[] {
  return (
    cachedStatement(
      db,
      `SELECT doc_id FROM watch_files WHERE folder_id = ? AND kind = 'ingested' AND doc_id IS NOT NULL`,
    ).all(folderId) as { doc_id: number }[]
  ).map((r) => r.doc_id);
}
