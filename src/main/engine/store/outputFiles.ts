/**
 * The outputs the queue wrote, file by file (table `output_files`, migration 5), and the rebuild of
 * a done document's outputs from its stored pages (no recognition again).
 */
import type { Db } from './db.ts';
import { cachedStatement } from './statements.ts';
import type { WrittenFile } from '../../common/writtenFile.ts';

/** Records the files an export wrote (replacing earlier rows of the same paths); inside the caller's transaction. */
export function recordOutputFiles(db: Db, docId: number, files: readonly WrittenFile[], now: number): void {
  const upsert = cachedStatement(
    db,
    `INSERT INTO output_files (doc_id, path, size, mtime_ms, sha256, written_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (doc_id, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
       sha256 = excluded.sha256, written_at = excluded.written_at`,
  );
  for (const f of files) upsert.run(docId, f.path, f.size, Math.trunc(f.mtimeMs), f.sha256, now);
}

/** The recorded outputs of a document, by path. */
export function recordedOutputFiles(db: Db, docId: number): Map<string, WrittenFile> {
  const rows = cachedStatement(
    db,
    'SELECT path, size, mtime_ms AS mtimeMs, sha256 FROM output_files WHERE doc_id = ?',
  ).all(docId) as WrittenFile[];
  return new Map(rows.map((r) => [r.path, r]));
}

/**
 * Queues a done document's export again, from its stored pages: no page is recognised again.
 * `overwrite` false: the export writes only the files that are missing and leaves every file that
 * is there as it is (see `exportPolicyOf`); true: it replaces them. False when the document is not
 * done (any more).
 */
export function queueRebuild(db: Db, docId: number, overwrite: boolean, now: number): boolean {
  return (
    cachedStatement(
      db,
      `UPDATE documents SET state = 'exporting', attempts = 0, next_attempt_at = 0, error_code = NULL,
         error_message = NULL, finished_at = NULL, updated_at = ?,
         output = json_set(output, '$.overwrite', json(?))
       WHERE id = ? AND state IN ('done', 'done-with-errors') AND lease_owner IS NULL`,
    ).run(now, overwrite ? 'true' : 'false', docId).changes > 0
  );
}

/**
 * How the queue's export of a document treats files already there: a first export refuses them
 * unless the document was queued with overwrite (`undefined`: the exporter's own rule); a rebuild
 * (the document was exported before) writes only what is missing (`skip`) or, queued with
 * `--overwrite`, replaces them (`overwrite`).
 */
export function exportPolicyOf(db: Db, docId: number): 'skip' | 'overwrite' | undefined {
  const r = cachedStatement(db, 'SELECT outputs, output FROM documents WHERE id = ?').get(docId) as
    { outputs: string | null; output: string } | undefined;
  if (!r || r.outputs === null) return undefined;
  return (JSON.parse(r.output) as { overwrite: boolean }).overwrite ? 'overwrite' : 'skip';
}
