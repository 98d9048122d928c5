import type { Database } from 'better-sqlite3';

/**
 * Exports the user asks for after the fact ("Export…" on documents that are done): each is a task
 * of its own, claimed, leased, retried and recovered like a page, so a crash in the middle of a
 * big export resumes it and nothing is written twice. (0002 is the watched folders'.)
 *
 * A batch is one request from the export dialog; its tasks share its options (formats, what to do
 * when a file exists) and each carries its own resolved target stem.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE export_batches (
      id          INTEGER PRIMARY KEY,
      options     TEXT    NOT NULL,                -- JSON ExportOptions as requested
      created_at  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE export_tasks (
      id               INTEGER PRIMARY KEY,
      batch_id         INTEGER NOT NULL REFERENCES export_batches(id) ON DELETE CASCADE,
      doc_id           INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
      stem             TEXT    NOT NULL,            -- output path without extension
      state            TEXT    NOT NULL DEFAULT 'queued', -- queued | running | written | skipped | failed
      attempts         INTEGER NOT NULL DEFAULT 0,
      next_attempt_at  INTEGER NOT NULL DEFAULT 0,
      lease_owner      TEXT,
      lease_expires_at INTEGER,
      written          TEXT,                        -- JSON string[] of files written
      skipped          TEXT,                        -- JSON string[] of files left as they were
      error_code       TEXT,
      error_message    TEXT,
      created_at       INTEGER NOT NULL,
      finished_at      INTEGER
    ) STRICT;

    CREATE INDEX export_tasks_claim ON export_tasks (id) WHERE state = 'queued' AND lease_owner IS NULL;
    CREATE INDEX export_tasks_by_batch ON export_tasks (batch_id);
    CREATE INDEX export_tasks_by_doc ON export_tasks (doc_id);
  `);
}
