/**
 * Export tasks: exports the user asks for on documents that are done (the export dialog), queued
 * in SQLite and worked by the same pool as pages. Claimed with a lease like every task; a crash
 * returns running ones to the queue at the next start (recoverExportTasks), an orderly stop
 * without counting the attempt (releaseExportLeases).
 */
import { extname, resolve } from 'node:path';
import type { ErrorInfo, OutputFormat } from '../../../shared/model.ts';
import type {
  ExportBatch,
  ExportItem,
  ExportOptions,
  ExportStartResult,
  ExportTaskState,
  IfExists,
} from '../../../shared/exports.ts';
import type { Db } from './db.ts';
import { cachedStatement } from './statements.ts';
import type { DocumentRecord } from './rows.ts';
import { NEXT_TO_SOURCE_SUFFIX, outputStem } from '../../common/outputNames.ts';
import { backoffDelay, isRetryable, type RetryPolicy } from './policy.ts';

/** Document states whose recognised text can be exported. */
export const EXPORTABLE_STATES = ['done', 'done-with-errors'] as const;

export interface ExportTaskClaim {
  kind: 'reexport';
  taskId: number;
  batchId: number;
  docId: number;
  stem: string;
  formats: OutputFormat[];
  ifExists: IfExists;
  attempt: number;
}

interface ExportTaskRecord {
  id: number;
  batch_id: number;
  doc_id: number;
  stem: string;
  state: ExportTaskState;
  attempts: number;
  lease_owner: string | null;
  written: string | null;
  skipped: string | null;
  error_code: string | null;
  error_message: string | null;
}

/**
 * Queues one export per document that is done; the others are reported as not ready. Each target
 * is resolved now (so two documents never race for one name): next to the source as
 * `NAME.ocr.*`, or under the chosen folder mirroring the path below the folder the document was
 * added from. Two documents of one batch that would share a name (`a.pdf`, `a.png`) keep their
 * extension (`a.png.txt`), as at ingest.
 */
export function createExportBatch(
  db: Db,
  ids: readonly number[],
  options: ExportOptions,
  now: number,
): ExportStartResult {
  const get = db.prepare('SELECT id, path, root, state FROM documents WHERE id = ?');
  const insertTask = db.prepare(
    'INSERT INTO export_tasks (batch_id, doc_id, stem, created_at) VALUES (?, ?, ?, ?)',
  );
  const outDir = options.destination.kind === 'folder' ? options.destination.path : null;
  const sourceAt = db.prepare('SELECT 1 FROM documents WHERE path = ? LIMIT 1');
  const isQueuedSource = (file: string): boolean => sourceAt.get(file) !== undefined;
  return db.transaction((): ExportStartResult => {
    const notReady: ExportStartResult['notReady'] = [];
    const ready: Pick<DocumentRecord, 'id' | 'path' | 'root'>[] = [];
    for (const id of new Set(ids)) {
      const d = get.get(id) as Pick<DocumentRecord, 'id' | 'path' | 'root' | 'state'> | undefined;
      if (!d) continue;
      if ((EXPORTABLE_STATES as readonly string[]).includes(d.state)) ready.push(d);
      else notReady.push({ id: d.id, path: d.path, reason: notReadyReason(d.state) });
    }
    if (ready.length === 0) return { batchId: null, queued: 0, notReady };
    const batchId = Number(
      db
        .prepare('INSERT INTO export_batches (options, created_at) VALUES (?, ?)')
        .run(JSON.stringify(options), now).lastInsertRowid,
    );
    const stems = new Set<string>();
    for (const d of ready) {
      let stem = exportStem(d.path, d.root, outDir, isQueuedSource);
      if (stems.has(stem)) stem += extname(d.path);
      stems.add(stem);
      insertTask.run(batchId, d.id, stem, now);
    }
    return { batchId, queued: ready.length, notReady };
  })();
}

/**
 * Where a document's export goes (without extension): as `outputStem` decides, except where that
 * would name an input: exported into the folder it came from, `letter.pdf` would be the source
 * `letter.pdf` itself (compared without case: on macOS and Windows `Letter.PDF` is the same file),
 * and `scan.png` would write `scan.pdf` over another queued document's source. Then `.ocr` is
 * added, as next to the source, so an export never replaces an input.
 */
export function exportStem(
  path: string,
  root: string,
  outDir: string | null,
  isQueuedSource: (file: string) => boolean = () => false,
): string {
  const stem = outputStem(path, root, outDir);
  const clashes = ['.pdf', '.txt'].some((ext) => {
    const file = resolve(stem + ext);
    return file.toLowerCase() === resolve(path).toLowerCase() || isQueuedSource(file);
  });
  return clashes ? `${stem}${NEXT_TO_SOURCE_SUFFIX}` : stem;
}

function notReadyReason(state: string): string {
  if (state === 'failed') return 'it failed: nothing was recognised to export';
  if (state === 'cancelled') return 'it was cancelled before it was done';
  return 'it is not done yet';
}

/** Ids of every document that can be exported ("Export all done"). */
export function exportableIds(db: Db): number[] {
  return (
    db.prepare(`SELECT id FROM documents WHERE state IN ('done', 'done-with-errors') ORDER BY id`).all() as {
      id: number;
    }[]
  ).map((r) => r.id);
}

/**
 * Claims the oldest ready export task. A task whose document is no longer done (retried meanwhile)
 * fails with a reason instead of exporting half-recognised text.
 */
export function claimExportTask(db: Db, owner: string, now: number, leaseMs: number): ExportTaskClaim | null {
  // Runs before every page claim: prepared once per connection (statements.ts).
  const next = cachedStatement(
    db,
    `SELECT t.id, t.doc_id, d.state AS doc_state FROM export_tasks t INDEXED BY export_tasks_claim
       JOIN documents d ON d.id = t.doc_id
     WHERE t.state = 'queued' AND t.lease_owner IS NULL AND t.next_attempt_at <= ? ORDER BY t.id LIMIT 1`,
  );
  return db.transaction((): ExportTaskClaim | null => {
    for (;;) {
      const row = next.get(now) as { id: number; doc_id: number; doc_state: string } | undefined;
      if (!row) return null;
      if (!(EXPORTABLE_STATES as readonly string[]).includes(row.doc_state)) {
        finish(
          db,
          row.id,
          'failed',
          [],
          [],
          {
            code: 'INTERNAL',
            message: 'the document is being recognised again; export it once it is done',
          },
          now,
        );
        continue;
      }
      const t = cachedStatement(
        db,
        `UPDATE export_tasks SET state = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1
         WHERE id = ? RETURNING id, batch_id, doc_id, stem, attempts`,
      ).get(owner, now + leaseMs, row.id) as Pick<
        ExportTaskRecord,
        'id' | 'batch_id' | 'doc_id' | 'stem' | 'attempts'
      >;
      const options = batchOptions(db, t.batch_id);
      return {
        kind: 'reexport',
        taskId: t.id,
        batchId: t.batch_id,
        docId: t.doc_id,
        stem: t.stem,
        formats: options.formats,
        ifExists: options.ifExists,
        attempt: t.attempts,
      };
    }
  })();
}

function batchOptions(db: Db, batchId: number): ExportOptions {
  const r = db.prepare('SELECT options FROM export_batches WHERE id = ?').get(batchId) as { options: string };
  return JSON.parse(r.options) as ExportOptions;
}

function finish(
  db: Db,
  taskId: number,
  state: 'written' | 'skipped' | 'failed',
  written: string[],
  skipped: string[],
  error: ErrorInfo | null,
  now: number,
): void {
  db.prepare(
    `UPDATE export_tasks SET state = ?, lease_owner = NULL, lease_expires_at = NULL, written = ?, skipped = ?,
       error_code = ?, error_message = ?, finished_at = ? WHERE id = ?`,
  ).run(
    state,
    JSON.stringify(written),
    JSON.stringify(skipped),
    error?.code ?? null,
    error?.message ?? null,
    now,
    taskId,
  );
}

/** Records a finished export. False when the lease was lost meanwhile (document removed, recovered). */
export function completeExportTask(
  db: Db,
  taskId: number,
  owner: string,
  result: { written: string[]; skipped?: string[] },
  now: number,
): boolean {
  return db.transaction((): boolean => {
    const t = db.prepare('SELECT state, lease_owner FROM export_tasks WHERE id = ?').get(taskId) as
      Pick<ExportTaskRecord, 'state' | 'lease_owner'> | undefined;
    if (!t || t.state !== 'running' || t.lease_owner !== owner) return false;
    const skipped = result.skipped ?? [];
    const state = result.written.length === 0 && skipped.length > 0 ? 'skipped' : 'written';
    finish(db, taskId, state, result.written, skipped, null, now);
    return true;
  })();
}

/** Records a failed export: retried after a backoff when worth it, else failed with the reason. */
export function failExportTask(
  db: Db,
  taskId: number,
  owner: string,
  error: ErrorInfo,
  policy: RetryPolicy,
  now: number,
): boolean {
  return db.transaction((): boolean => {
    const t = db.prepare('SELECT state, attempts, lease_owner FROM export_tasks WHERE id = ?').get(taskId) as
      Pick<ExportTaskRecord, 'state' | 'attempts' | 'lease_owner'> | undefined;
    if (!t || t.state !== 'running' || t.lease_owner !== owner) return false;
    if (isRetryable(error.code) && t.attempts < policy.maxAttempts) {
      db.prepare(
        `UPDATE export_tasks SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = ?,
           error_code = ?, error_message = ? WHERE id = ?`,
      ).run(now + backoffDelay(policy, t.attempts), error.code, error.message, taskId);
    } else {
      finish(db, taskId, 'failed', [], [], error, now);
    }
    return true;
  })();
}

/**
 * After a crash: running export tasks go back to the queue, the attempt given back. As for pages
 * (recoverLeases in tasks.ts), an engine stop is not the task's fault: the export itself runs in a
 * worker, whose death is counted as a failure of its own.
 */
export function recoverExportTasks(db: Db): number {
  return db
    .prepare(
      `UPDATE export_tasks SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = max(0, attempts - 1)
       WHERE state = 'running'`,
    )
    .run().changes;
}

/** On an orderly stop: this engine's running exports go back to the queue, the attempt not counted. */
export function releaseExportLeases(db: Db, owner: string): void {
  if (!db.open) return;
  db.prepare(
    `UPDATE export_tasks SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = max(0, attempts - 1)
     WHERE state = 'running' AND lease_owner = ?`,
  ).run(owner);
}

/** The earliest time an export waiting on its backoff becomes ready, or null. */
export function nextExportWake(db: Db, now: number): number | null {
  const r = db
    .prepare(
      `SELECT min(next_attempt_at) AS t FROM export_tasks WHERE state = 'queued' AND next_attempt_at > ?`,
    )
    .get(now) as { t: number | null };
  return r.t;
}

function toItem(t: ExportTaskRecord & { path: string }): ExportItem {
  return {
    taskId: t.id,
    docId: t.doc_id,
    path: t.path,
    state: t.state,
    written: t.written ? (JSON.parse(t.written) as string[]) : [],
    skipped: t.skipped ? (JSON.parse(t.skipped) as string[]) : [],
    error:
      t.state === 'failed' && t.error_code
        ? { code: t.error_code as ErrorInfo['code'], message: t.error_message ?? '' }
        : null,
  };
}

/** A batch's counts and items (failed first, then in order), or null when there is no such batch. */
export function exportBatch(db: Db, batchId: number, limit: number): ExportBatch | null {
  const b = db.prepare('SELECT id, options, created_at FROM export_batches WHERE id = ?').get(batchId) as
    { id: number; options: string; created_at: number } | undefined;
  if (!b) return null;
  const counts = { queued: 0, running: 0, written: 0, skipped: 0, failed: 0, total: 0 };
  for (const r of db
    .prepare('SELECT state, count(*) AS n FROM export_tasks WHERE batch_id = ? GROUP BY state')
    .all(batchId) as { state: ExportTaskState; n: number }[]) {
    counts[r.state] = r.n;
    counts.total += r.n;
  }
  const items = (
    db
      .prepare(
        `SELECT t.*, d.path FROM export_tasks t JOIN documents d ON d.id = t.doc_id WHERE t.batch_id = ?
         ORDER BY (t.state = 'failed') DESC, t.id LIMIT ?`,
      )
      .all(batchId, limit) as (ExportTaskRecord & { path: string })[]
  ).map(toItem);
  return {
    id: b.id,
    options: JSON.parse(b.options) as ExportOptions,
    createdAt: b.created_at,
    counts,
    items,
  };
}

/** Every file an export of this document wrote (for "show in folder" on an output). */
export function exportedFiles(db: Db, docId: number): string[] {
  return (
    db.prepare(`SELECT written FROM export_tasks WHERE doc_id = ? AND written IS NOT NULL`).all(docId) as {
      written: string;
    }[]
  ).flatMap((r) => JSON.parse(r.written) as string[]);
}

/**
 * Exports that failed and were not followed by a successful export of the same document, newest
 * first: what "Needs attention" lists until they are retried or succeed.
 */
export function failedExports(db: Db, limit: number): ExportItem[] {
  return (
    db
      .prepare(
        `SELECT t.*, d.path FROM export_tasks t JOIN documents d ON d.id = t.doc_id
         WHERE t.state = 'failed' AND NOT EXISTS (
           SELECT 1 FROM export_tasks later WHERE later.doc_id = t.doc_id AND later.id > t.id
             AND later.state IN ('written', 'skipped', 'queued', 'running'))
         ORDER BY t.finished_at DESC, t.id DESC LIMIT ?`,
      )
      .all(limit) as (ExportTaskRecord & { path: string })[]
  ).map(toItem);
}

/** Queues failed export tasks again, with a fresh attempt count. Returns their batches. */
export function retryExportTasks(db: Db, taskIds: readonly number[]): number[] {
  const retry = db.prepare(
    `UPDATE export_tasks SET state = 'queued', attempts = 0, next_attempt_at = 0, lease_owner = NULL,
       error_code = NULL, error_message = NULL, finished_at = NULL WHERE id = ? AND state = 'failed' RETURNING batch_id`,
  );
  return db.transaction(() => {
    const batches = new Set<number>();
    for (const id of taskIds) {
      const r = retry.get(id) as { batch_id: number } | undefined;
      if (r) batches.add(r.batch_id);
    }
    return [...batches];
  })();
}
