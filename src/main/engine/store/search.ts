/**
 * Full-text search over the recognised pages: the index's upkeep (chunks of pages added between
 * tasks) and the queries. The schema and why it is shaped so: migrations/0004-search.ts.
 *
 * What the user types never reaches SQL or FTS5 as syntax: `ftsQuery` parses it (shared/
 * searchSyntax.ts) and writes every term as a quoted FTS5 string of letters and digits, joined by
 * operators it chose itself; the result is bound as a parameter. No input can make an FTS5 syntax
 * error or an SQL error.
 */
import {
  SEARCH_COUNT_LIMIT,
  type SearchHit,
  type SearchIndexStatus,
  type SearchRequest,
  type SearchResults,
} from '../../../shared/api.ts';
import { parseSearch, type ParsedSearch } from '../../../shared/searchSyntax.ts';
import { makeSnippet } from '../../../shared/searchMatch.ts';
import type { Db } from './db.ts';
import { cachedStatement } from './statements.ts';
import { dateRangeTokens, facetsFor, folderToken, normaliseFolder, parseDay } from './searchFacets.ts';
export { wordListComplete } from './searchPlan.ts';
import {
  addOlderTerms,
  addTerms,
  expandPrefixes,
  KnownWords,
  group,
  quote,
  RANKING_TERM_PAGES,
  rankingGroups,
} from './searchPlan.ts';

/** `parsed` is the query as typed (prefixes and all), for snippets; `match` may search a prefix as its words. */
export type FtsQuery =
  { ok: true; match: string; parsed: ParsedSearch; searched: ParsedSearch } | { ok: false; message: string };

/** Hits per call at most. */
export const MAX_SEARCH_LIMIT = 100;

/**
 * Turns what a user typed, and the filters, into an FTS5 MATCH expression: every term a quoted
 * string (`"invoice 30687"`, `"invo"*`), the user's part confined to the `text` column, the
 * filters' tokens to `facets`. A message instead when there is nothing to search for.
 */
export function ftsQuery(
  text: string,
  filters: Pick<SearchRequest, 'folder' | 'from' | 'to'> = {},
  expand: (query: ParsedSearch) => ParsedSearch = (q) => q,
): FtsQuery {
  const parse = parseSearch(text);
  if (!parse.ok) return parse;
  const { all, none } = expand(parse.query);
  let expr = all.map(group).join(' AND ');
  if (none.length > 0) expr = `(${expr}) NOT (${none.map(quote).join(' OR ')})`;
  const parts = [`text : (${expr})`];

  const folder = filters.folder?.trim();
  if (folder && !isRoot(folder)) parts.push(`facets : "${folderToken(folder)}"`);
  if (filters.from || filters.to) {
    const from = filters.from ? parseDay(filters.from) : null;
    const to = filters.to ? parseDay(filters.to) : null;
    if (filters.from && !from)
      return { ok: false, message: `"${filters.from}" is not a date: use YYYY-MM-DD.` };
    if (filters.to && !to) return { ok: false, message: `"${filters.to}" is not a date: use YYYY-MM-DD.` };
    const days = dateRangeTokens(from, to);
    if (days.length === 0)
      return {
        ok: false,
        message: `The dates are the wrong way round: ${filters.from} is after ${filters.to}.`,
      };
    parts.push(`facets : (${days.map((d) => `"${d}"`).join(' OR ')})`);
  }
  return { ok: true, match: parts.join(' AND '), parsed: parse.query, searched: { all, none } };
}

function isRoot(folder: string): boolean {
  const f = normaliseFolder(folder);
  return f === '/' || /^[a-z]:\/?$/.test(f);
}

/** The limits a search works within (tests set them low). */
export interface SearchLimits {
  /** Matches counted; beyond, the newest come first. */
  countLimit?: number;
  /** Terms on more pages than this are left out of the ranking (searchPlan.ts). */
  rankingTermPages?: number;
}

interface HitRow {
  id: number;
  doc_id: number;
  page_no: number;
  text: string | null;
  path: string;
  page_count: number | null;
  mtime_ms: number;
}

/**
 * One page of results. The matches are read in index order up to `SEARCH_COUNT_LIMIT` + 1 (FTS5
 * stops there): that is the count. Beyond the limit the newest pages come first, as ranking every
 * page of a word found on most pages takes longer than a search box may, for an order that says
 * little. Up to the limit they are ranked by bm25 over the terms that tell pages apart
 * (searchPlan.ts), newest first among equals; newest first when no term does.
 */
export function searchPages(
  db: Db,
  request: SearchRequest,
  { countLimit = SEARCH_COUNT_LIMIT, rankingTermPages = RANKING_TERM_PAGES }: SearchLimits = {},
): SearchResults {
  const offset = Math.max(0, Math.trunc(request.offset ?? 0));
  const limit = Math.min(MAX_SEARCH_LIMIT, Math.max(1, Math.trunc(request.limit ?? 20)));
  const base = { query: request.query, offset, index: searchIndexStatus(db) };
  const q = ftsQuery(request.query, request, (parsed) => expandPrefixes(db, parsed));
  if (!q.ok) return { ...base, problem: q.message, total: 0, totalExact: true, order: 'relevance', hits: [] };

  // In index order: FTS5 reads a list backwards only by reading it all first (a phrase of common
  // words: 50 ms newest first, 23 ms this way, measured at 1,000,000 pages).
  const matches = cachedStatement(
    db,
    'SELECT rowid FROM page_search WHERE page_search MATCH ? LIMIT ?',
    'pluck',
  ).all(q.match, countLimit + 1) as number[];
  const counted = matches.length;
  let order: SearchResults['order'] = 'newest';
  let ids: number[] | null = null;
  if (counted <= countLimit) {
    const ranking = rankingGroups(db, q.searched, rankingTermPages);
    if (ranking.groups.length > 0) ids = ranked(db, q.match, ranking, matches, offset, limit);
    if (ids) order = 'relevance';
    else ids = matches.reverse().slice(offset, offset + limit);
  } else {
    ids = (
      cachedStatement(
        db,
        'SELECT rowid AS id FROM page_search WHERE page_search MATCH ? ORDER BY rowid DESC LIMIT ? OFFSET ?',
      ).all(q.match, limit, offset) as { id: number }[]
    ).map((r) => r.id);
  }

  const row = cachedStatement(
    db,
    `SELECT p.id, p.doc_id, p.page_no, p.text, d.path, d.page_count, d.mtime_ms
       FROM pages p JOIN documents d ON d.id = p.doc_id WHERE p.id = ?`,
  );
  const hits: SearchHit[] = [];
  for (const id of ids) {
    const r = row.get(id) as HitRow | undefined;
    if (!r) continue; // removed since: its index entry goes with it in the same transaction
    hits.push({
      docId: r.doc_id,
      path: r.path,
      pageNo: r.page_no,
      pageCount: r.page_count,
      snippet: makeSnippet(r.text ?? '', q.parsed),
      fileDate: r.mtime_ms,
    });
  }
  return {
    ...base,
    problem: null,
    total: Math.min(counted, countLimit),
    totalExact: counted <= countLimit,
    order,
    hits,
  };
}

/**
 * The page of hits in bm25 order, or null when ranking them would cost more than a search may.
 * When every group of the query is ranked and nothing else is in it, by the query itself. Else by
 * the ranked groups alone, keeping the pages that match the whole query (`matching`), when those
 * groups match few pages more than the whole query does: bm25 is worked out for each of them.
 */
function ranked(
  db: Db,
  match: string,
  ranking: ReturnType<typeof rankingGroups>,
  matching: readonly number[],
  offset: number,
  limit: number,
): number[] | null {
  const byRank = (expr: string, n: number, skip = 0): number[] =>
    (
      cachedStatement(
        db,
        `SELECT rowid AS id FROM page_search WHERE page_search MATCH ?
           ORDER BY bm25(page_search, 1.0, 0.0), rowid DESC LIMIT ? OFFSET ?`,
      ).all(expr, n, skip) as { id: number }[]
    ).map((r) => r.id);
  const rankedQuery = `text : (${ranking.groups.map(group).join(' AND ')})`;
  if (ranking.all && rankedQuery === match) return byRank(match, limit, offset);
  const most = Math.min(MAX_RANKED_SUPERSET, Math.max(2_000, matching.length * 8));
  const superset = cachedStatement(
    db,
    'SELECT count(*) AS n FROM (SELECT rowid FROM page_search WHERE page_search MATCH ? LIMIT ?)',
  ).get(rankedQuery, most + 1) as { n: number };
  if (superset.n > most) return null;
  const hits = new Set(matching);
  return byRank(rankedQuery, -1)
    .filter((id) => hits.has(id))
    .slice(offset, offset + limit);
}
/** Most pages ranked to order the hits of a query with terms left out of the ranking. */
const MAX_RANKED_SUPERSET = 20_000;

/** Recorded pages waiting for the index (not counting an upgrade's build). */
export function searchQueueLength(db: Db): number {
  return (cachedStatement(db, 'SELECT count(*) AS n FROM search_queue').get() as { n: number }).n;
}

export function searchIndexStatus(db: Db): SearchIndexStatus {
  const queued = searchQueueLength(db);
  const b = cachedStatement(db, 'SELECT next_id, end_id FROM search_backfill WHERE id = 1').get() as
    { next_id: number; end_id: number } | undefined;
  const building = b && b.next_id < b.end_id ? { done: b.next_id, total: b.end_id } : null;
  return { pending: queued + (building ? building.total - building.done : 0), building };
}

interface IndexRow {
  id: number;
  state: string | null;
  text: string | null;
  path: string | null;
  mtime_ms: number | null;
}

/** Pages read per statement inside a chunk (the time budget is checked after each page). */
const BATCH = 32;

/**
 * Adds waiting pages to the index for about `budgetMs` (one transaction): first pages recorded
 * since the last chunk, then pages from before the upgrade, in id order, noting how far it got.
 * Returns how many pages it indexed and whether any work is left. Idempotent per page (a page's
 * entry is deleted before it is written), so a page reached both ways is indexed once.
 */
export function indexChunk(db: Db, budgetMs: number): { indexed: number; more: boolean } {
  let seen = knownTerms.get(db);
  if (!seen) knownTerms.set(db, (seen = new KnownWords()));
  try {
    return indexChunkIn(db, budgetMs, seen);
  } catch (error) {
    seen.clear(); // the words of a chunk rolled back are not in the table after all
    throw error;
  }
}

/** Words this connection knows to be in search_terms (addTerms). */
const knownTerms = new WeakMap<Db, KnownWords>();

function indexChunkIn(db: Db, budgetMs: number, seen: KnownWords): { indexed: number; more: boolean } {
  const started = performance.now();
  const over = (): boolean => performance.now() - started >= budgetMs;
  const unindex = cachedStatement(db, 'DELETE FROM page_search WHERE rowid = ?');
  const insert = cachedStatement(db, 'INSERT INTO page_search (rowid, text, facets) VALUES (?, ?, ?)');
  const add = (r: IndexRow): boolean => {
    unindex.run(r.id);
    if (r.state !== 'done' || !r.text || r.path === null) return false;
    insert.run(r.id, r.text, facetsFor(r.path, r.mtime_ms ?? 0));
    addTerms(db, r.text, seen);
    return true;
  };
  return db.transaction(() => {
    let indexed = 0;
    const queued = cachedStatement(
      db,
      `SELECT q.page_id AS id, p.state, p.text, d.path, d.mtime_ms FROM search_queue q
         LEFT JOIN pages p ON p.id = q.page_id LEFT JOIN documents d ON d.id = p.doc_id
         ORDER BY q.page_id LIMIT ${BATCH}`,
    );
    const dequeue = cachedStatement(db, 'DELETE FROM search_queue WHERE page_id = ?');
    while (!over()) {
      const rows = queued.all() as IndexRow[];
      for (const r of rows) {
        if (add(r)) indexed++;
        dequeue.run(r.id);
        if (over()) break;
      }
      if (rows.length < BATCH) break;
    }

    const range = cachedStatement(db, 'SELECT next_id, end_id FROM search_backfill WHERE id = 1').get() as
      { next_id: number; end_id: number } | undefined;
    if (range && range.next_id < range.end_id) {
      const older = cachedStatement(
        db,
        `SELECT p.id, p.state, p.text, d.path, d.mtime_ms FROM pages p JOIN documents d ON d.id = p.doc_id
           WHERE p.id > ? AND p.id <= ? AND p.state = 'done' ORDER BY p.id LIMIT ${BATCH}`,
      );
      let next = range.next_id;
      while (next < range.end_id && !over()) {
        const rows = older.all(next, range.end_id) as IndexRow[];
        if (rows.length === 0) next = range.end_id;
        for (const r of rows) {
          if (add(r)) indexed++;
          next = r.id;
          if (over()) break;
        }
        if (rows.length < BATCH && !over()) next = range.end_id;
      }
      cachedStatement(db, 'UPDATE search_backfill SET next_id = ? WHERE id = 1').run(next);
    }
    const termsLeft = addOlderTerms(db, over, seen);
    const left = cachedStatement(db, 'SELECT EXISTS (SELECT 1 FROM search_queue) AS q').get() as {
      q: number;
    };
    const b = cachedStatement(
      db,
      'SELECT next_id < end_id AS more FROM search_backfill WHERE id = 1',
    ).get() as { more: number } | undefined;
    return { indexed, more: left.q === 1 || b?.more === 1 || termsLeft };
  })();
}

/**
 * Pages the index has wrong, for tests and diagnostics: `missing` are recognised pages that should
 * be searchable (not waiting) but are not in the index; `extra` are index entries of pages that
 * are gone or no longer done. Both empty when the index is true. Reads every page: O(pages).
 */
export function searchIndexProblems(db: Db): { missing: number[]; extra: number[] } {
  const ids = (sql: string): number[] => (db.prepare(sql).all() as { id: number }[]).map((r) => r.id);
  const inRange = `(p.id > (SELECT next_id FROM search_backfill) AND p.id <= (SELECT end_id FROM search_backfill))`;
  return {
    missing: ids(
      `SELECT p.id FROM pages p WHERE p.state = 'done' AND coalesce(p.text, '') != ''
         AND p.id NOT IN (SELECT page_id FROM search_queue) AND NOT ${inRange}
         AND p.id NOT IN (SELECT id FROM page_search_docsize) ORDER BY p.id`,
    ),
    extra: ids(
      `SELECT s.id FROM page_search_docsize s LEFT JOIN pages p ON p.id = s.id
         WHERE p.id IS NULL OR p.state != 'done' ORDER BY s.id`,
    ),
  };
}
