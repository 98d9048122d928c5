import type { Db } from './db.ts';
import { refreshDocumentState } from './documentState.ts';
import { cachedStatement } from './statements.ts';

/**
 * The store's part in working with other machines: which file the coordinator's file endpoint may
 * serve, and giving back pages taken back from the cluster queue before any node started them.
 */

/**
 * The file of a document with these bytes while it has pages to do (queued, running, paused): the
 * file endpoint serves nothing else. Null for a document done, failed, cancelled or unknown.
 */
export function queuedDocumentFile(db: Db, sha256: string): { path: string; size: number } | null {
  const row = cachedStatement(
    db,
    `SELECT path, size FROM documents INDEXED BY documents_by_hash
       WHERE sha256 = ? AND state IN ('queued', 'running', 'paused') ORDER BY id LIMIT 1`,
  ).get(sha256) as { path: string; size: number } | undefined;
  return row ?? null;
}

/**
 * Returns pages this engine leased to the queue without counting the attempt (they were taken back
 * from Redis before a node began them): queued again, paused if their document is, cancelled if it
 * was cancelled meanwhile. Pages no longer leased by `owner` are left alone. Returns how many.
 */
export function returnPages(db: Db, owner: string, pageIds: readonly number[], now: number): number {
  if (pageIds.length === 0) return 0;
  return db.transaction(() => {
    const back = cachedStatement(
      db,
      `UPDATE pages SET
           state = CASE WHEN (SELECT state FROM documents WHERE id = pages.doc_id) = 'cancelled' THEN 'cancelled' ELSE 'queued' END,
           paused = (SELECT paused FROM documents WHERE id = pages.doc_id),
           lease_owner = NULL, lease_expires_at = NULL, attempts = max(0, attempts - 1)
         WHERE id = ? AND state = 'running' AND lease_owner = ? RETURNING doc_id`,
    );
    const docs = new Set<number>();
    let returned = 0;
    for (const id of pageIds) {
      const row = back.get(id, owner) as { doc_id: number } | undefined;
      if (!row) continue;
      returned++;
      docs.add(row.doc_id);
    }
    for (const d of docs) refreshDocumentState(db, d, now);
    return returned;
  })();
}
