/** What `search.query` takes and gives (the API contract in api.ts names it). Plain data only. */

/**
 * `search.query`: full-text search over every recognised page (and every page that kept its own
 * text layer). Any text is safe to send: it is read as words, "exact phrases", prefixes (`invo*`),
 * `-excluded` terms and `OR`; anything else is text to look for.
 */
export interface SearchRequest {
  query: string;
  /** Only files under this folder (a full path, any depth below it). */
  folder?: string;
  /** Only files dated (last modified) on or after this day, `YYYY-MM-DD`, local time. */
  from?: string;
  /** Only files dated on or before this day, `YYYY-MM-DD`, local time. */
  to?: string;
  offset?: number;
  /** Hits per call: 1–100, default 20. */
  limit?: number;
}

/** One matching page. */
export interface SearchHit {
  docId: number;
  /** The input file. */
  path: string;
  pageNo: number;
  pageCount: number | null;
  /** The passage with the most hits; `hits` are [start, end) offsets of the matching words in `text`. */
  snippet: { text: string; hits: [number, number][] };
  /** The file's date (last modified), ms since the epoch. */
  fileDate: number;
}

/** How far the search index is: new pages join it within a second; an upgrade builds it in the background. */
export interface SearchIndexStatus {
  /** Recognised pages not in the index yet (including those an upgrade still has to add). */
  pending: number;
  /** While the index of pages recognised before the upgrade is built: pages examined so far, of all. */
  building: { done: number; total: number } | null;
}

export interface SearchResults {
  query: string;
  /** Why nothing was searched (an empty query, only exclusions…), for the user; null when it ran. */
  problem: string | null;
  /** Matching pages, counted up to `SEARCH_COUNT_LIMIT`; `totalExact` is false when there are more. */
  total: number;
  totalExact: boolean;
  /**
   * `relevance` (bm25: rare words and many hits on a short page first), or `newest` (the pages
   * recognised last first) when more pages match than can be ranked at once: add words to narrow.
   */
  order: 'relevance' | 'newest';
  offset: number;
  hits: SearchHit[];
  index: SearchIndexStatus;
}

/** Matching pages are counted (and ranked by relevance) up to this many. */
export const SEARCH_COUNT_LIMIT = 20_000;
