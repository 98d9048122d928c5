import type { Database } from 'better-sqlite3';

/**
 * What the queue wrote for each document, file by file, as it was when written: size, mtime and
 * SHA-256. A re-run compares the files on disk with these rows (engine/outputReview.ts): a file
 * gone is written again from the stored results, a file that differs was changed by someone since
 * and is kept unless the run says `--overwrite`. Documents exported before this migration have no
 * rows: their outputs count as unchanged when present, and are rebuilt when missing.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE output_files (
      doc_id     INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
      path       TEXT    NOT NULL,
      size       INTEGER NOT NULL,
      mtime_ms   INTEGER NOT NULL,
      sha256     TEXT    NOT NULL,
      written_at INTEGER NOT NULL,
      PRIMARY KEY (doc_id, path)
    ) STRICT, WITHOUT ROWID;
  `);
}
