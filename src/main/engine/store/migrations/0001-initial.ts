import type { Database } from 'better-sqlite3';

/**
 * The first schema: documents and their pages, watched folders, settings.
 *
 * Claim queries must stay O(log n) with 100k documents queued, so every "what runs next" query
 * has a partial index that holds only the rows it can return, in the order it returns them
 * (priority high first, then oldest document, then page number).
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE documents (
      id               INTEGER PRIMARY KEY,
      path             TEXT    NOT NULL,
      root             TEXT    NOT NULL,            -- folder the user named; outputs mirror the path below it
      size             INTEGER NOT NULL,
      mtime_ms         INTEGER NOT NULL,
      sha256           TEXT,
      kind             TEXT,                        -- pdf | image, known after the probe
      page_count       INTEGER,
      priority         INTEGER NOT NULL,
      state            TEXT    NOT NULL DEFAULT 'new',
      paused           INTEGER NOT NULL DEFAULT 0,
      attempts         INTEGER NOT NULL DEFAULT 0,  -- of the document-level tasks (probe, export)
      next_attempt_at  INTEGER NOT NULL DEFAULT 0,
      lease_owner      TEXT,
      lease_expires_at INTEGER,
      error_code       TEXT,
      error_message    TEXT,
      source           TEXT    NOT NULL,
      options          TEXT    NOT NULL,            -- JSON OcrOptions
      output           TEXT    NOT NULL,            -- JSON OutputTarget
      output_stem      TEXT    NOT NULL,            -- OutputTarget.stem, indexed: two inputs never share outputs
      outputs          TEXT,                        -- JSON string[] of files written
      duplicate_of     INTEGER REFERENCES documents(id) ON DELETE SET NULL,
      pages_done       INTEGER NOT NULL DEFAULT 0,
      pages_failed     INTEGER NOT NULL DEFAULT 0,
      created_at       INTEGER NOT NULL,
      updated_at       INTEGER NOT NULL,
      finished_at      INTEGER
    ) STRICT;

    CREATE INDEX documents_by_path ON documents (path);
    CREATE INDEX documents_by_stem ON documents (output_stem);
    CREATE INDEX documents_by_hash ON documents (sha256) WHERE sha256 IS NOT NULL;
    CREATE INDEX documents_by_state ON documents (state);
    CREATE INDEX documents_duplicates ON documents (duplicate_of) WHERE duplicate_of IS NOT NULL;
    -- Documents waiting for their probe (open, count pages, hash) or their export.
    CREATE INDEX documents_probe_claim ON documents (priority DESC, id)
      WHERE state = 'new' AND paused = 0 AND lease_owner IS NULL;
    CREATE INDEX documents_export_claim ON documents (priority DESC, id)
      WHERE state = 'exporting' AND paused = 0 AND lease_owner IS NULL;

    CREATE TABLE pages (
      id               INTEGER PRIMARY KEY,
      doc_id           INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
      page_no          INTEGER NOT NULL,
      priority         INTEGER NOT NULL,            -- copy of the document's, so the claim needs no join
      paused           INTEGER NOT NULL DEFAULT 0,  -- copy of the document's
      state            TEXT    NOT NULL DEFAULT 'queued',
      attempts         INTEGER NOT NULL DEFAULT 0,
      next_attempt_at  INTEGER NOT NULL DEFAULT 0,
      lease_owner      TEXT,
      lease_expires_at INTEGER,
      text             TEXT,
      words            TEXT,                        -- JSON [[text, x0, y0, x1, y1, confidence], …]
      mean_confidence  REAL,
      source           TEXT,                        -- ocr | text-layer
      width            INTEGER,
      height           INTEGER,
      dpi              INTEGER,
      timings          TEXT,                        -- JSON PageTimings
      error_code       TEXT,
      error_message    TEXT,
      started_at       INTEGER,
      finished_at      INTEGER,
      UNIQUE (doc_id, page_no)
    ) STRICT;

    CREATE INDEX pages_claim ON pages (priority DESC, doc_id, page_no)
      WHERE state = 'queued' AND paused = 0;
    CREATE INDEX pages_running ON pages (lease_owner) WHERE state = 'running';

    CREATE TABLE watch_folders (
      id         INTEGER PRIMARY KEY,
      path       TEXT    NOT NULL UNIQUE,
      options    TEXT    NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE settings (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    -- One engine at a time per database: the holder's id and pid, checked at start.
    CREATE TABLE engine_lock (
      id         INTEGER PRIMARY KEY CHECK (id = 1),
      owner      TEXT    NOT NULL,
      pid        INTEGER NOT NULL,
      started_at INTEGER NOT NULL
    ) STRICT;
  `);
}
