import type { Db } from './db.ts';

/** The SQLite library's version and the queue's schema version, for reports. */
export function databaseFacts(db: Db): { sqlite: string; schema: number } {
  return {
    sqlite: (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
    schema: db.pragma('user_version', { simple: true }) as number,
  };
}

/** A document's failed pages with their reasons, first pages first. */
export function failedPageReasons(
  db: Db,
  docId: number,
  limit: number,
): { pageNo: number; code: string | null; message: string | null }[] {
  return db
    .prepare(
      `SELECT page_no AS pageNo, error_code AS code, error_message AS message FROM pages
       WHERE doc_id = ? AND state = 'failed' ORDER BY page_no LIMIT ?`,
    )
    .all(docId, limit) as { pageNo: number; code: string | null; message: string | null }[];
}
