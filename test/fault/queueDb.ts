import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

/**
 * Read-only looks into a queue database from outside the engine, as a fault harness checks it
 * between kills: page rows, document rows, the integrity check.
 */
export interface PageSnapshot {
  id: number;
  doc: string;
  pageNo: number;
  state: string;
  attempts: number;
  finishedAt: number | null;
  /** sha256 of the stored text and words: a page recognised again would change its row. */
  resultHash: string | null;
}

export interface DocumentSnapshot {
  id: number;
  path: string;
  state: string;
  pageCount: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  outputs: string[];
}

function withDb<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export function readPages(file: string): PageSnapshot[] {
  return withDb(file, (db) =>
    (
      db
        .prepare(
          `SELECT p.id, d.path AS doc, p.page_no, p.state, p.attempts, p.finished_at, p.text, p.words
           FROM pages p JOIN documents d ON d.id = p.doc_id ORDER BY p.id`,
        )
        .all() as {
        id: number;
        doc: string;
        page_no: number;
        state: string;
        attempts: number;
        finished_at: number | null;
        text: string | null;
        words: string | null;
      }[]
    ).map((r) => ({
      id: r.id,
      doc: r.doc,
      pageNo: r.page_no,
      state: r.state,
      attempts: r.attempts,
      finishedAt: r.finished_at,
      resultHash:
        r.state === 'done'
          ? createHash('sha256')
              .update(r.text ?? '')
              .update('\0')
              .update(r.words ?? '')
              .digest('hex')
          : null,
    })),
  );
}

export function readDocuments(file: string): DocumentSnapshot[] {
  return withDb(file, (db) =>
    (
      db
        .prepare(
          'SELECT id, path, state, page_count, error_code, error_message, outputs FROM documents ORDER BY id',
        )
        .all() as {
        id: number;
        path: string;
        state: string;
        page_count: number | null;
        error_code: string | null;
        error_message: string | null;
        outputs: string | null;
      }[]
    ).map((r) => ({
      id: r.id,
      path: r.path,
      state: r.state,
      pageCount: r.page_count,
      errorCode: r.error_code,
      errorMessage: r.error_message,
      outputs: r.outputs ? (JSON.parse(r.outputs) as string[]) : [],
    })),
  );
}

export function integrityCheck(file: string): string {
  return withDb(file, (db) => String(db.pragma('integrity_check', { simple: true })));
}

/** Documents still in a state a finished queue must not hold. */
export function unfinished(docs: DocumentSnapshot[]): DocumentSnapshot[] {
  return docs.filter((d) => !['done', 'done-with-errors', 'failed', 'cancelled'].includes(d.state));
}

/** True while some task is leased to a worker (a page running, a document being opened or exported). */
export function workInFlight(file: string): boolean {
  try {
    return withDb(file, (db) =>
      Boolean(
        db
          .prepare(
            `SELECT EXISTS (SELECT 1 FROM pages WHERE state = 'running')
                 OR EXISTS (SELECT 1 FROM documents WHERE lease_owner IS NOT NULL) AS busy`,
          )
          .pluck()
          .get(),
      ),
    );
  } catch {
    return false; // not created yet, or mid-migration: nothing in flight
  }
}
