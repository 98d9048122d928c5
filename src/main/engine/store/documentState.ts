import type { DocumentState } from '../../../shared/model.ts';
import type { Db } from './db.ts';
import type { DocumentRecord, PageRecord } from './rows.ts';
import { cachedStatement } from './statements.ts';

/** States a document does not leave on its own (only a user action moves it on). */
export const TERMINAL_STATES: readonly DocumentState[] = ['done', 'done-with-errors', 'failed', 'cancelled'];

/**
 * Derives a document's state from its pages (or, for a duplicate, from the original's) and stores it
 * with the page counters, so lists and counts never have to aggregate pages. Call inside the
 * transaction that changed the pages.
 */
export function refreshDocumentState(db: Db, docId: number, now: number): void {
  const doc = cachedStatement(db, 'SELECT * FROM documents WHERE id = ?').get(docId) as
    DocumentRecord | undefined;
  if (!doc) return;
  if (doc.duplicate_of !== null) {
    refreshDuplicate(db, doc, now);
    return;
  }
  if (doc.page_count === null) return; // not opened yet: nothing to derive

  const counts = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  const rows = cachedStatement(
    db,
    'SELECT state, count(*) AS n FROM pages WHERE doc_id = ? GROUP BY state',
  ).all(docId) as {
    state: PageRecord['state'];
    n: number;
  }[];
  for (const r of rows) counts[r.state as keyof typeof counts] = r.n;

  let state = doc.state as DocumentState;
  let error: { code: string; message: string } | null = doc.error_code
    ? { code: doc.error_code, message: doc.error_message ?? '' }
    : null;
  let finishedAt = doc.finished_at;
  if (
    doc.state === 'cancelled' ||
    doc.state === 'exporting' ||
    doc.state === 'done' ||
    doc.state === 'done-with-errors'
  ) {
    // Counters only: these states change through cancel, export and retry.
  } else if (counts.queued + counts.running > 0) {
    state = counts.running > 0 ? 'running' : doc.paused ? 'paused' : 'queued';
    finishedAt = null;
  } else if (counts.done === 0 && counts.failed > 0) {
    state = 'failed';
    const first = cachedStatement(
      db,
      `SELECT error_code, error_message FROM pages WHERE doc_id = ? AND state = 'failed' ORDER BY page_no LIMIT 1`,
    ).get(docId) as { error_code: string; error_message: string };
    error = {
      code: first.error_code,
      message:
        counts.failed === 1
          ? first.error_message
          : `all ${counts.failed} pages failed; page 1: ${first.error_message}`,
    };
    finishedAt = now;
  } else {
    state = 'exporting';
    error = null;
  }
  if (state === 'exporting' && doc.state !== 'exporting') {
    cachedStatement(
      db,
      'UPDATE documents SET attempts = 0, next_attempt_at = 0, lease_owner = NULL WHERE id = ?',
    ).run(docId);
  }
  cachedStatement(
    db,
    `UPDATE documents SET state = ?, pages_done = ?, pages_failed = ?, error_code = ?, error_message = ?, finished_at = ?,
       updated_at = ? WHERE id = ?`,
  ).run(
    state,
    counts.done,
    counts.failed,
    error?.code ?? null,
    error?.message ?? null,
    finishedAt,
    now,
    docId,
  );

  if (state !== doc.state) {
    const dups = cachedStatement(
      db,
      `SELECT id FROM documents WHERE duplicate_of = ? AND state IN ('queued', 'paused')`,
    ).all(docId) as {
      id: number;
    }[];
    for (const d of dups) refreshDocumentState(db, d.id, now);
  }
}

/** A duplicate waits for its original; once the original's pages are finished it exports from them. */
function refreshDuplicate(db: Db, doc: DocumentRecord, now: number): void {
  if (doc.state !== 'queued' && doc.state !== 'paused') return;
  const original = cachedStatement(db, 'SELECT * FROM documents WHERE id = ?').get(doc.duplicate_of) as
    DocumentRecord | undefined;
  let update: { state: DocumentState; code?: string; message?: string };
  if (!original || original.state === 'cancelled') {
    // Nothing to copy from: process this one on its own.
    update = { state: 'new' };
  } else if (['exporting', 'done', 'done-with-errors'].includes(original.state)) {
    update = { state: 'exporting' };
  } else if (original.state === 'failed') {
    update = {
      state: 'failed',
      code: 'DUPLICATE_FAILED',
      message: `same content as ${original.path}, which failed: ${original.error_message ?? 'unknown reason'}`,
    };
  } else {
    update = { state: doc.paused ? 'paused' : 'queued' };
  }
  if (update.state === 'new') {
    cachedStatement(
      db,
      `UPDATE documents SET state = 'new', duplicate_of = NULL, page_count = NULL, attempts = 0, next_attempt_at = 0, updated_at = ? WHERE id = ?`,
    ).run(now, doc.id);
    return;
  }
  cachedStatement(
    db,
    `UPDATE documents SET state = ?, pages_done = ?, pages_failed = ?, error_code = ?, error_message = ?, attempts = 0,
       next_attempt_at = 0, finished_at = ?, updated_at = ? WHERE id = ?`,
  ).run(
    update.state,
    original?.pages_done ?? 0,
    original?.pages_failed ?? 0,
    update.code ?? null,
    update.message ?? null,
    update.state === 'failed' ? now : null,
    now,
    doc.id,
  );
}
