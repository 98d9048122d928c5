import type { Database } from 'better-sqlite3';

/**
 * Every word in the search index, once: a prefix (`invo*`) is looked up here and searched as the
 * words it stands for (`invoice OR invoices OR invoiced`), which the index answers as fast as any
 * word, instead of FTS5 merging every matching word's entries first (measured at 1,000,000 pages:
 * `invo*` 160 ms that way). Words are added with their page's index entry, in the same chunk
 * (engine/store/search.ts); a word whose pages are all gone stays, matching nothing.
 *
 * Pages already in the index get their words in chunks too, by id up to `end_id` (the index
 * itself is not rebuilt); until that is done, prefixes are searched the old way. An index with
 * nothing in it yet (a database from before search, upgraded in the same step) needs none of it:
 * its build adds the words.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE search_terms (
      term TEXT PRIMARY KEY
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE search_terms_backfill (
      id      INTEGER PRIMARY KEY CHECK (id = 1),
      next_id INTEGER NOT NULL,
      end_id  INTEGER NOT NULL
    ) STRICT;
    INSERT INTO search_terms_backfill (id, next_id, end_id)
      SELECT 1, 0, CASE WHEN EXISTS (SELECT 1 FROM page_search_docsize) THEN coalesce(max(id), 0) ELSE 0 END
      FROM pages;
  `);
}
