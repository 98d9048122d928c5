/**
 * How a search runs fast over a million pages, besides the index itself (measured in
 * bench/lib/searchChild.ts; docs/search.md):
 *
 * - **Prefixes as words.** `invo*` is searched as the words of the index that start with `invo`
 *   (search_terms, migrations/0006-search-terms.ts), when there are few enough: FTS5 would merge
 *   every matching word's entries before giving the first row.
 * - **Ranking by the words that tell pages apart.** bm25 weighs each term by how rare it is, and
 *   FTS5 finds that out by reading the term's whole entry list on every query: 50 ms for a word on
 *   most pages, 400 ms for a phrase of common words. A word on that many pages weighs next to
 *   nothing in bm25 anyway. So the hits are ranked by bm25 over the query's terms found on at most
 *   `RANKING_TERM_PAGES` pages (each checked by counting up to that many: ~7 ms for a word on more,
 *   at a million pages); the filters and exclusions weigh nothing in bm25 and are left out too.
 *   With no such term the hits are listed newest first (search.ts `ranked` says when else).
 */
import {
  MIN_PREFIX_CHARS,
  searchWords,
  type ParsedSearch,
  type SearchTerm,
} from '../../../shared/searchSyntax.ts';
import type { Db } from './db.ts';
import { cachedStatement } from './statements.ts';

/** Most words a prefix is searched as; beyond that FTS5's own prefix search is used. */
export const MAX_PREFIX_WORDS = 64;
/** A term on more pages than this is left out of the ranking (see above). */
export const RANKING_TERM_PAGES = 100_000;

/** The FTS5 string for a term: `"invoice 30687"`, `"invo"*`. Tokens are letters, digits and marks only. */
export function quote(term: SearchTerm): string {
  return `"${term.words.join(' ')}"${term.prefix ? '*' : ''}`;
}

/** An OR group of terms in FTS5 syntax. */
export function group(terms: readonly SearchTerm[]): string {
  return terms.length === 1 ? quote(terms[0]) : `(${terms.map(quote).join(' OR ')})`;
}

/**
 * The query with each prefix replaced by the words it stands for, where the word list is complete
 * (the index has no pages from before search_terms left to add) and short enough.
 */
export function expandPrefixes(db: Db, query: ParsedSearch): ParsedSearch {
  if (!wordListComplete(db)) return query;
  const words = cachedStatement(
    db,
    `SELECT term FROM search_terms WHERE term GLOB ? LIMIT ${MAX_PREFIX_WORDS + 1}`,
  );
  const expand = (t: SearchTerm): SearchTerm[] => {
    const stem = t.words[t.words.length - 1];
    if (!t.prefix || !listed(stem)) return [t];
    // Tokens hold letters, digits and marks only: no GLOB metacharacter can occur in `stem`.
    const found = (words.all(`${stem}*`) as { term: string }[]).map((r) => r.term);
    if (found.length === 0 || found.length > MAX_PREFIX_WORDS) return [t];
    return found.map((w) => ({ words: [...t.words.slice(0, -1), w], prefix: false }));
  };
  return { all: query.all.map((g) => g.flatMap(expand)), none: query.none.flatMap(expand) };
}

/** Every page in the index has its words in search_terms: no page from before them is waiting. */
export function wordListComplete(db: Db): boolean {
  const waiting = cachedStatement(
    db,
    `SELECT EXISTS (SELECT 1 FROM search_backfill WHERE next_id < end_id)
         OR EXISTS (SELECT 1 FROM search_terms_backfill WHERE next_id < end_id) AS waiting`,
  ).get() as { waiting: number };
  return waiting.waiting === 0;
}

/**
 * Adds the words of pages indexed before search_terms existed (migrations/0006-search-terms.ts),
 * by id, until `over()`; notes how far it got. True while some are left.
 */
export function addOlderTerms(db: Db, over: () => boolean, known: KnownWords): boolean {
  const range = cachedStatement(
    db,
    'SELECT next_id, end_id FROM search_terms_backfill WHERE id = 1',
  ).get() as { next_id: number; end_id: number } | undefined;
  if (!range || range.next_id >= range.end_id) return false;
  const older = cachedStatement(
    db,
    `SELECT id, text FROM pages WHERE id > ? AND id <= ? AND state = 'done' ORDER BY id LIMIT ${TERMS_BATCH}`,
  );
  let next = range.next_id;
  while (next < range.end_id && !over()) {
    const rows = older.all(next, range.end_id) as { id: number; text: string | null }[];
    for (const r of rows) {
      if (r.text) addTerms(db, r.text, known);
      next = r.id;
      if (over()) break;
    }
    if (rows.length < TERMS_BATCH && !over()) next = range.end_id;
  }
  cachedStatement(db, 'UPDATE search_terms_backfill SET next_id = ? WHERE id = 1').run(next);
  return next < range.end_id;
}
/** Pages read per statement (the time budget is checked after each). */
const TERMS_BATCH = 32;

/**
 * The groups of the query (after expansion) to rank by: those whose every term is on at most
 * `maxPages` pages. `all` when that is every group; empty when none is.
 */
export function rankingGroups(
  db: Db,
  query: ParsedSearch,
  maxPages = RANKING_TERM_PAGES,
): { groups: SearchTerm[][]; all: boolean } {
  const pagesOver = cachedStatement(
    db,
    'SELECT count(*) > ? AS over FROM (SELECT rowid FROM page_search WHERE page_search MATCH ? LIMIT ?)',
  );
  const known = new Map<string, boolean>();
  // A phrase's weight is found by reading the lists of all its words: each must be short.
  const rare = (word: string): boolean => {
    let r = known.get(word);
    if (r === undefined) {
      r = (pagesOver.get(maxPages, `text : "${word}"`, maxPages + 1) as { over: number }).over === 0;
      known.set(word, r);
    }
    return r;
  };
  const groups = query.all.filter((g) => g.every((t) => !t.prefix && t.words.every(rare)));
  return { groups, all: groups.length === query.all.length };
}

/**
 * The words search_terms holds: those a prefix can stand for (MIN_PREFIX_CHARS or more) with a
 * letter in them. Numbers, most of the one-off words of OCR text, are left out; a prefix of digits
 * alone (`3068*`) is searched by FTS5 itself.
 */
function listed(word: string): boolean {
  return word.length >= MIN_PREFIX_CHARS && !/^[0-9]+$/.test(word);
}

/**
 * Words known to be in search_terms, per connection, so that most words of a page cost nothing
 * (the common words of a language are on nearly every page). Two generations of up to
 * `KNOWN_WORDS` each: the older is dropped when the newer fills, so the words in use stay known
 * and the memory stays bounded. Forgetting a word only costs an INSERT OR IGNORE later.
 */
export class KnownWords {
  private recent = new Set<string>();
  private older = new Set<string>();

  has(word: string): boolean {
    return this.recent.has(word) || this.older.has(word);
  }

  add(word: string): void {
    this.recent.add(word);
    if (this.recent.size >= KNOWN_WORDS) {
      this.older = this.recent;
      this.recent = new Set();
    }
  }

  /** After a rollback: what was added may not be in the table after all. */
  clear(): void {
    this.recent = new Set();
    this.older = new Set();
  }
}
const KNOWN_WORDS = 50_000;

/** Adds the words of a page to search_terms (in the transaction that indexes the page). */
export function addTerms(db: Db, text: string, known: KnownWords): void {
  const fresh = new Set<string>();
  for (const w of searchWords(text)) if (!known.has(w) && listed(w)) fresh.add(w);
  if (fresh.size === 0) return;
  cachedStatement(db, 'INSERT OR IGNORE INTO search_terms (term) SELECT value FROM json_each(?)').run(
    JSON.stringify([...fresh]),
  );
  for (const w of fresh) known.add(w);
}
