import type { ErrorInfo, OcrOptions, OutputTarget, PageResult, ProbeResult } from '../../../shared/model.ts';
import type { WrittenFile } from '../../common/writtenFile.ts';
import { recordOutputFiles } from './outputFiles.ts';
import type { Db } from './db.ts';
import type { SourceIdentity } from '../../worker/protocol.ts';
import type { DocumentRecord, PageRecord } from './rows.ts';
import { backoffDelay, isRetryable, type RetryPolicy } from './policy.ts';
import { refreshDocumentState } from './documentState.ts';
import { cachedStatement } from './statements.ts';

/** A unit of work handed to an OCR worker. */
export type Task =
  | { kind: 'probe'; docId: number; path: string; attempt: number }
  | {
      kind: 'page';
      pageId: number;
      docId: number;
      path: string;
      pageNo: number;
      options: OcrOptions;
      identity: SourceIdentity;
      /** The document's priority when the page was claimed (0 last … 9 first). */
      priority: number;
      attempt: number;
    }
  | { kind: 'export'; docId: number; attempt: number };

const EVERY_KIND: ReadonlySet<Task['kind']> = new Set(['probe', 'page', 'export']);

/**
 * Claims the next task for `owner`, or null when nothing is ready. `accepts` limits the kinds
 * claimed to what the executor with room can run (a cluster of OCR nodes takes pages only).
 *
 * Exports go first (they finish documents and free their outputs for the user). Then the queued
 * page and the unopened document are compared by (priority, document age): a document is opened
 * only when no page of an older or more urgent one is waiting, so work proceeds document by
 * document in priority order while every worker stays busy.
 */
export function claimNext(
  db: Db,
  owner: string,
  now: number,
  leaseMs: number,
  accepts: ReadonlySet<Task['kind']> = EVERY_KIND,
): Task | null {
  return db.transaction((): Task | null => {
    const expires = now + leaseMs;
    const exportRow =
      accepts.has('export') &&
      (cachedStatement(
        db,
        `UPDATE documents SET lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
         WHERE id = (SELECT id FROM documents INDEXED BY documents_export_claim WHERE state = 'exporting' AND paused = 0 AND lease_owner IS NULL
                     AND next_attempt_at <= ? ORDER BY priority DESC, id LIMIT 1)
         RETURNING id, attempts`,
      ).get(owner, expires, now, now) as { id: number; attempts: number } | undefined);
    if (exportRow) return { kind: 'export', docId: exportRow.id, attempt: exportRow.attempts };

    const page =
      accepts.has('page') &&
      (cachedStatement(
        db,
        `SELECT id, doc_id, priority FROM pages INDEXED BY pages_claim WHERE state = 'queued' AND paused = 0 AND next_attempt_at <= ?
         ORDER BY priority DESC, doc_id, page_no LIMIT 1`,
      ).get(now) as { id: number; doc_id: number; priority: number } | undefined);
    const unopened =
      accepts.has('probe') &&
      (cachedStatement(
        db,
        `SELECT id, priority FROM documents INDEXED BY documents_probe_claim WHERE state = 'new' AND paused = 0 AND lease_owner IS NULL
         AND next_attempt_at <= ? ORDER BY priority DESC, id LIMIT 1`,
      ).get(now) as { id: number; priority: number } | undefined);

    const pageFirst =
      page &&
      (!unopened ||
        page.priority > unopened.priority ||
        (page.priority === unopened.priority && page.doc_id < unopened.id));
    if (page && pageFirst) {
      const row = cachedStatement(
        db,
        `UPDATE pages SET state = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, started_at = ?
           WHERE id = ? RETURNING page_no, attempts`,
      ).get(owner, expires, now, page.id) as { page_no: number; attempts: number };
      const doc = cachedStatement(
        db,
        'SELECT path, options, state, size, mtime_ms, sha256 FROM documents WHERE id = ?',
      ).get(page.doc_id) as Pick<
        DocumentRecord,
        'path' | 'options' | 'state' | 'size' | 'mtime_ms' | 'sha256'
      >;
      if (doc.state === 'queued' || doc.state === 'paused') {
        cachedStatement(db, `UPDATE documents SET state = 'running', updated_at = ? WHERE id = ?`).run(
          now,
          page.doc_id,
        );
      }
      return {
        kind: 'page',
        pageId: page.id,
        docId: page.doc_id,
        path: doc.path,
        pageNo: row.page_no,
        options: JSON.parse(doc.options) as OcrOptions,
        identity: { size: doc.size, mtimeMs: doc.mtime_ms, sha256: doc.sha256 },
        priority: page.priority,
        attempt: row.attempts,
      };
    }
    if (unopened) {
      const row = cachedStatement(
        db,
        `UPDATE documents SET lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
           WHERE id = ? RETURNING path, attempts`,
      ).get(owner, expires, now, unopened.id) as { path: string; attempts: number };
      return { kind: 'probe', docId: unopened.id, path: row.path, attempt: row.attempts };
    }
    return null;
  })();
}

/** The earliest time a task now waiting for its backoff becomes ready, or null. */
export function nextWakeTime(db: Db, now: number): number | null {
  const row = cachedStatement(
    db,
    `SELECT min(t) AS t FROM (
         SELECT min(next_attempt_at) AS t FROM pages WHERE state = 'queued' AND paused = 0 AND next_attempt_at > ?
         UNION ALL
         SELECT min(next_attempt_at) FROM documents WHERE state IN ('new', 'exporting') AND paused = 0
           AND lease_owner IS NULL AND next_attempt_at > ?)`,
  ).get(now, now) as { t: number | null };
  return row.t;
}

/** Records a probe result: creates the document's pages, or links it to an identical document. */
export function completeProbe(
  db: Db,
  docId: number,
  owner: string,
  probe: ProbeResult,
  now: number,
): boolean {
  return db.transaction((): boolean => {
    const doc = cachedStatement(db, 'SELECT * FROM documents WHERE id = ?').get(docId) as
      DocumentRecord | undefined;
    if (!doc || doc.lease_owner !== owner || doc.state !== 'new') return false;
    cachedStatement(
      db,
      `UPDATE documents SET sha256 = ?, kind = ?, page_count = ?, size = ?, mtime_ms = ?, lease_owner = NULL,
         lease_expires_at = NULL, attempts = 0, next_attempt_at = 0, error_code = NULL, error_message = NULL, updated_at = ?
       WHERE id = ?`,
    ).run(probe.sha256, probe.kind, probe.pageCount, probe.size, Math.trunc(probe.mtimeMs), now, docId);

    if (probe.pageCount < 1) {
      finishFailed(db, docId, { code: 'NO_PAGES', message: 'the file has no pages' }, now);
      return true;
    }
    const original = cachedStatement(
      db,
      `SELECT id FROM documents WHERE sha256 = ? AND options = ? AND id != ? AND duplicate_of IS NULL
           AND state NOT IN ('failed', 'cancelled', 'new') ORDER BY id LIMIT 1`,
    ).get(probe.sha256, doc.options, docId) as { id: number } | undefined;
    if (original) {
      // Same bytes, same options: the text is the same, so reuse the original's pages.
      cachedStatement(db, `UPDATE documents SET duplicate_of = ?, state = 'queued' WHERE id = ?`).run(
        original.id,
        docId,
      );
      refreshDocumentState(db, docId, now);
      return true;
    }
    const insert = cachedStatement(
      db,
      'INSERT INTO pages (doc_id, page_no, priority, paused) VALUES (?, ?, ?, ?)',
    );
    for (let n = 1; n <= probe.pageCount; n++) insert.run(docId, n, doc.priority, doc.paused);
    cachedStatement(db, `UPDATE documents SET state = 'queued' WHERE id = ?`).run(docId);
    refreshDocumentState(db, docId, now);
    return true;
  })();
}

/** Records a failed probe: retried with backoff when worth it, else the document fails. */
export function failProbe(
  db: Db,
  docId: number,
  owner: string,
  error: ErrorInfo,
  policy: RetryPolicy,
  now: number,
): boolean {
  return failDocumentTask(db, docId, owner, 'new', error, policy, now);
}

/**
 * A failed document-level task (probe or export): back to the queue after a backoff while it has
 * attempts left and the error is worth another try, else the document fails. False when the lease
 * was lost meanwhile (removed, cancelled, recovered).
 */
function failDocumentTask(
  db: Db,
  docId: number,
  owner: string,
  expectedState: 'new' | 'exporting',
  error: ErrorInfo,
  policy: RetryPolicy,
  now: number,
): boolean {
  return db.transaction((): boolean => {
    const doc = cachedStatement(db, 'SELECT state, attempts, lease_owner FROM documents WHERE id = ?').get(
      docId,
    ) as Pick<DocumentRecord, 'state' | 'attempts' | 'lease_owner'> | undefined;
    if (!doc || doc.lease_owner !== owner || doc.state !== expectedState) return false;
    if (isRetryable(error.code) && doc.attempts < policy.maxAttempts) {
      cachedStatement(
        db,
        `UPDATE documents SET lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = ?, error_code = ?,
           error_message = ?, updated_at = ? WHERE id = ?`,
      ).run(now + backoffDelay(policy, doc.attempts), error.code, error.message, now, docId);
    } else {
      finishFailed(db, docId, error, now);
    }
    return true;
  })();
}

/** Stores a recognised page and updates its document. False when the lease was lost (removed, recovered). */
export function completePage(
  db: Db,
  pageId: number,
  owner: string,
  result: PageResult,
  now: number,
): boolean {
  return db.transaction((): boolean => {
    const words = JSON.stringify(
      result.words.map((w) => [w.text, w.x0, w.y0, w.x1, w.y1, Math.round(w.confidence * 10) / 10]),
    );
    const row = cachedStatement(
      db,
      `UPDATE pages SET state = 'done', lease_owner = NULL, lease_expires_at = NULL, text = ?, words = ?, mean_confidence = ?,
           source = ?, width = ?, height = ?, dpi = ?, timings = ?, error_code = NULL, error_message = NULL, finished_at = ?
         WHERE id = ? AND state = 'running' AND lease_owner = ? RETURNING doc_id`,
    ).get(
      result.text,
      words,
      result.meanConfidence,
      result.source,
      result.width,
      result.height,
      Math.round(result.dpi),
      JSON.stringify(result.timings),
      now,
      pageId,
      owner,
    ) as { doc_id: number } | undefined;
    if (!row) return false;
    refreshDocumentState(db, row.doc_id, now);
    return true;
  })();
}

/** Records a failed page: back to the queue after a backoff, or failed for good after the last attempt. */
export function failPage(
  db: Db,
  pageId: number,
  owner: string,
  error: ErrorInfo,
  policy: RetryPolicy,
  now: number,
): boolean {
  return db.transaction((): boolean => {
    const page = cachedStatement(
      db,
      'SELECT doc_id, attempts, state, lease_owner FROM pages WHERE id = ?',
    ).get(pageId) as Pick<PageRecord, 'doc_id' | 'attempts' | 'state' | 'lease_owner'> | undefined;
    if (!page || page.state !== 'running' || page.lease_owner !== owner) return false;
    const retry = isRetryable(error.code) && page.attempts < policy.maxAttempts;
    cachedStatement(
      db,
      `UPDATE pages SET state = ?, lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = ?, error_code = ?,
         error_message = ?, finished_at = ? WHERE id = ?`,
    ).run(
      retry ? 'queued' : 'failed',
      retry ? now + backoffDelay(policy, page.attempts) : 0,
      error.code,
      retry ? error.message : attemptsNote(error.message, page.attempts, error.code),
      retry ? null : now,
      pageId,
    );
    refreshDocumentState(db, page.doc_id, now);
    return true;
  })();
}

function attemptsNote(message: string, attempts: number, code: ErrorInfo['code']): string {
  return isRetryable(code) && attempts > 1 ? `${message} (tried ${attempts} times)` : message;
}

/** What the exporter needs: the document, and the pages whose results it writes. */
export interface ExportSource {
  doc: DocumentRecord;
  output: OutputTarget;
  /** The pages' rows, in page order; for a duplicate, the original document's pages. */
  pages: PageRecord[];
}

export function exportSource(db: Db, docId: number): ExportSource | null {
  const doc = cachedStatement(db, 'SELECT * FROM documents WHERE id = ?').get(docId) as
    DocumentRecord | undefined;
  if (!doc) return null;
  const pagesOf = doc.duplicate_of ?? docId;
  const pages = cachedStatement(db, 'SELECT * FROM pages WHERE doc_id = ? ORDER BY page_no').all(
    pagesOf,
  ) as PageRecord[];
  return { doc, output: JSON.parse(doc.output) as OutputTarget, pages };
}

export function completeExport(
  db: Db,
  docId: number,
  owner: string,
  written: string[],
  now: number,
  /** The written files' size, mtime and SHA-256, recorded so a re-run can tell what changed since. */
  files: readonly WrittenFile[] = [],
): boolean {
  return db.transaction((): boolean => {
    const doc = cachedStatement(
      db,
      'SELECT state, lease_owner, pages_failed FROM documents WHERE id = ?',
    ).get(docId) as Pick<DocumentRecord, 'state' | 'lease_owner' | 'pages_failed'> | undefined;
    if (!doc || doc.lease_owner !== owner || doc.state !== 'exporting') return false;
    cachedStatement(
      db,
      `UPDATE documents SET state = ?, outputs = ?, lease_owner = NULL, lease_expires_at = NULL, attempts = 0,
         error_code = NULL, error_message = NULL, finished_at = ?, updated_at = ? WHERE id = ?`,
    ).run(doc.pages_failed > 0 ? 'done-with-errors' : 'done', JSON.stringify(written), now, now, docId);
    recordOutputFiles(db, docId, files, now);
    return true;
  })();
}

export function failExport(
  db: Db,
  docId: number,
  owner: string,
  error: ErrorInfo,
  policy: RetryPolicy,
  now: number,
): boolean {
  return failDocumentTask(db, docId, owner, 'exporting', error, policy, now);
}

/** Marks a document failed for good and tells its duplicates. */
export function finishFailed(db: Db, docId: number, error: ErrorInfo, now: number): void {
  cachedStatement(
    db,
    `UPDATE documents SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL, error_code = ?, error_message = ?,
       finished_at = ?, updated_at = ? WHERE id = ?`,
  ).run(error.code, error.message, now, now, docId);
  const dups = cachedStatement(
    db,
    `SELECT id FROM documents WHERE duplicate_of = ? AND state IN ('queued', 'paused')`,
  ).all(docId) as {
    id: number;
  }[];
  for (const d of dups) refreshDocumentState(db, d.id, now);
}

/**
 * Returns every task that was leased when the engine last stopped (crash, power loss, kill) to the
 * queue, and gives back the attempt its claim counted: the stop was not the task's fault. A user may
 * pull the plug any number of times without a page failing for it.
 *
 * Why no limit on these: the engine process runs no page code (opening, rasterising, OCR and export
 * all run in worker processes, whose deaths the pool turns into counted failures), so a page cannot
 * take the engine down; counting engine stops against the page that happened to be running made
 * a page fail after three unlucky kills (found by test/fault/kill.test.ts).
 */
export function recoverLeases(db: Db, now: number): { pages: number; documents: number } {
  return db.transaction(() => {
    const requeued = cachedStatement(
      db,
      `UPDATE pages SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = max(0, attempts - 1)
         WHERE state = 'running' RETURNING doc_id`,
    ).all() as { doc_id: number }[];
    const leasedDocs = cachedStatement(
      db,
      `UPDATE documents SET lease_owner = NULL, lease_expires_at = NULL, attempts = max(0, attempts - 1)
         WHERE lease_owner IS NOT NULL RETURNING id`,
    ).all() as { id: number }[];
    for (const id of new Set(requeued.map((p) => p.doc_id))) refreshDocumentState(db, id, now);
    // A document left 'running' with no running page (its last page finished just before the stop).
    const stale = cachedStatement(db, `SELECT id FROM documents WHERE state = 'running'`).all() as {
      id: number;
    }[];
    for (const d of stale) refreshDocumentState(db, d.id, now);
    return { pages: requeued.length, documents: leasedDocs.length };
  })();
}
