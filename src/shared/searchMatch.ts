/**
 * Where a parsed query's terms occur in a page: the passage shown under each search result (with
 * the hits marked) and the words whose boxes the page view highlights. The index says which pages
 * match; this says where on them, with the same tokens and folding (searchSyntax.ts).
 */
import { searchTokens, type ParsedSearch, type SearchTerm } from './searchSyntax.ts';

/** A passage of a page; `hits` are the [start, end) offsets in `text` of the matching words. */
export interface Snippet {
  text: string;
  hits: [number, number][];
}

/** Tokens around the best hits shown in a snippet. */
const SNIPPET_TOKENS = 24;
/** Tokens shown before the first hit of the passage, for context. */
const SNIPPET_LEAD = 6;

/** The terms that mark hits: every alternative of every group (exclusions are never shown). */
function markedTerms(query: ParsedSearch): SearchTerm[] {
  return query.all.flat();
}

/**
 * For each token of a folded token stream, the index of the term it is part of, or -1. A phrase
 * marks its words only where they occur in a row; a prefix term matches words that start with it.
 */
export function markTokens(folded: readonly string[], query: ParsedSearch): Int32Array {
  const marks = new Int32Array(folded.length).fill(-1);
  markedTerms(query).forEach((term, t) => {
    const n = term.words.length;
    for (let i = 0; i + n <= folded.length; i++) {
      let ok = true;
      for (let k = 0; k < n && ok; k++) {
        const w = term.words[k];
        const last = k === n - 1;
        ok = last && term.prefix ? folded[i + k].startsWith(w) : folded[i + k] === w;
      }
      if (ok) for (let k = 0; k < n; k++) if (marks[i + k] < 0) marks[i + k] = t;
    }
  });
  return marks;
}

/**
 * The passage of `text` with the most different terms hit (then the most hits), about two dozen
 * words long, whitespace runs shown as one space; `…` where it was cut. Text with no hit (the index
 * matched what this cannot see) gives its beginning, unmarked.
 */
export function makeSnippet(text: string, query: ParsedSearch): Snippet {
  const tokens = searchTokens(text);
  if (tokens.length === 0) return { text: '', hits: [] };
  const marks = markTokens(
    tokens.map((t) => t.folded),
    query,
  );
  let bestStart = 0;
  let bestScore = -1;
  for (let i = 0; i < tokens.length; i++) {
    if (marks[i] < 0 || (i > 0 && marks[i - 1] === marks[i])) continue;
    const from = Math.max(0, i - SNIPPET_LEAD);
    const terms = new Set<number>();
    let hits = 0;
    for (let k = from; k < Math.min(tokens.length, from + SNIPPET_TOKENS); k++)
      if (marks[k] >= 0) {
        terms.add(marks[k]);
        hits++;
      }
    const score = terms.size * 1_000 + hits;
    if (score > bestScore) {
      bestScore = score;
      bestStart = from;
    }
  }
  const last = Math.min(tokens.length, bestStart + SNIPPET_TOKENS) - 1;
  const sliceStart = tokens[bestStart].start;
  const sliceEnd = tokens[last].end;
  const lead = bestStart > 0 ? '… ' : '';
  const tail = last < tokens.length - 1 ? ' …' : '';
  // Newlines and tabs become spaces one for one, so offsets inside the slice stay valid.
  const body = text.slice(sliceStart, sliceEnd).replace(/\s/gu, ' ');
  const hits: [number, number][] = [];
  for (let k = bestStart; k <= last; k++) {
    if (marks[k] < 0) continue;
    const s = lead.length + tokens[k].start - sliceStart;
    const e = lead.length + tokens[k].end - sliceStart;
    const prev = hits[hits.length - 1];
    // Words of one phrase hit, separated only by spaces or punctuation, read as one mark.
    if (prev && marks[k - 1] === marks[k] && k > bestStart) prev[1] = e;
    else hits.push([s, e]);
  }
  return { text: lead + body + tail, hits };
}

/**
 * Indices of the words (as the page view lists them, in reading order) that a query's terms hit.
 * One OCR word can hold several tokens (`INV-30687/G`) and a phrase can run across words and lines.
 */
export function matchingWords(words: readonly string[], query: ParsedSearch): number[] {
  const folded: string[] = [];
  const owner: number[] = [];
  words.forEach((w, i) => {
    for (const t of searchTokens(w)) {
      folded.push(t.folded);
      owner.push(i);
    }
  });
  const marks = markTokens(folded, query);
  const hit = new Set<number>();
  marks.forEach((m, k) => {
    if (m >= 0) hit.add(owner[k]);
  });
  return [...hit].sort((a, b) => a - b);
}
