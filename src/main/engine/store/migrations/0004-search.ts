import type { Database } from 'better-sqlite3';

/**
 * Full-text search over every recognised page (engine/store/search.ts, docs/search.md).
 *
 * `page_search` is a contentless FTS5 table: the text stays in `pages` only (a second copy would
 * triple the index, ~3 KB a page instead of ~1 KB, measured), and `contentless_delete` lets a row
 * be deleted by its id alone, so removing a page can never leave the index out of step with it.
 * Column `text` holds the page's words; `facets` holds tokens for the filters (the file's folders
 * and date), so a filter is one more term the index intersects rather than a join over every hit.
 *
 * Indexing happens outside the transaction that records a page, in chunks the engine runs between
 * tasks (engine/search/searchIndexer.ts): recording a page only queues its id here, so claiming and
 * completing stay well under a millisecond. Leaving the index (a page deleted, or no longer done)
 * is immediate, by trigger, so a removed document is never found.
 *
 * Pages recognised before this migration are indexed by the same chunks, by id from `next_id` up
 * to `end_id`: this migration only notes the range, whatever the size of the queue, and the
 * progress is kept in the row so a build cut short resumes where it stopped.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE VIRTUAL TABLE page_search USING fts5(
      text, facets,
      content = '', contentless_delete = 1,
      tokenize = 'unicode61 remove_diacritics 2'
    );

    -- Pages recorded (done) whose text is not in page_search yet.
    CREATE TABLE search_queue (
      page_id INTEGER PRIMARY KEY
    ) STRICT;

    -- Pages that existed at the upgrade: those with next_id < id <= end_id are still to be indexed.
    CREATE TABLE search_backfill (
      id      INTEGER PRIMARY KEY CHECK (id = 1),
      next_id INTEGER NOT NULL,
      end_id  INTEGER NOT NULL
    ) STRICT;
    INSERT INTO search_backfill (id, next_id, end_id) SELECT 1, 0, coalesce(max(id), 0) FROM pages;

    CREATE TRIGGER pages_search_insert AFTER INSERT ON pages WHEN new.state = 'done' BEGIN
      INSERT OR IGNORE INTO search_queue (page_id) VALUES (new.id);
    END;
    CREATE TRIGGER pages_search_done AFTER UPDATE OF state ON pages
      WHEN new.state = 'done' AND old.state IS NOT 'done' BEGIN
      INSERT OR IGNORE INTO search_queue (page_id) VALUES (new.id);
    END;
    CREATE TRIGGER pages_search_undone AFTER UPDATE OF state ON pages
      WHEN old.state = 'done' AND new.state IS NOT 'done' BEGIN
      DELETE FROM page_search WHERE rowid = old.id;
      DELETE FROM search_queue WHERE page_id = old.id;
    END;
    CREATE TRIGGER pages_search_text AFTER UPDATE OF text ON pages
      WHEN new.state = 'done' AND old.state = 'done' BEGIN
      INSERT OR IGNORE INTO search_queue (page_id) VALUES (new.id);
    END;
    CREATE TRIGGER pages_search_delete AFTER DELETE ON pages WHEN old.state = 'done' BEGIN
      DELETE FROM page_search WHERE rowid = old.id;
      DELETE FROM search_queue WHERE page_id = old.id;
    END;
  `);
}
