import type { Database } from 'better-sqlite3';

/**
 * Watched folders: their options (JSON `WatchFolderOptions`, in the table 0001 created) and every
 * file the watcher has looked at.
 *
 * `watch_files` is how a watched file is never ingested twice: the fast check is (folder, path,
 * size, mtime); when that misses (a rename, a touch, a copy, a second watched folder) the content
 * hash decides. `doc_id` is the document the file became, or the one whose content it repeats;
 * `disposed` records that the original was moved into processed/ or failed/ (or was gone by then),
 * so a restart neither moves it again nor forgets to.
 */
export function up(db: Database): void {
  db.exec(`
    ALTER TABLE watch_folders ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE watch_folders ADD COLUMN last_scan_at INTEGER;

    CREATE TABLE watch_files (
      id          INTEGER PRIMARY KEY,
      folder_id   INTEGER NOT NULL REFERENCES watch_folders(id) ON DELETE CASCADE,
      path        TEXT    NOT NULL,
      size        INTEGER NOT NULL,
      mtime_ms    INTEGER NOT NULL,
      sha256      TEXT    NOT NULL,
      kind        TEXT    NOT NULL,            -- ingested | duplicate
      doc_id      INTEGER REFERENCES documents(id) ON DELETE SET NULL,
      disposed    TEXT,                        -- processed | failed | gone | left, once handled
      moved_to    TEXT,
      seen_at     INTEGER NOT NULL,
      UNIQUE (folder_id, path)
    ) STRICT;

    CREATE INDEX watch_files_by_hash ON watch_files (sha256);
    CREATE INDEX watch_files_by_doc ON watch_files (doc_id) WHERE doc_id IS NOT NULL;
  `);
}
