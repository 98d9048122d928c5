/**
 * What a user types in a search box, understood: words, "exact phrases", prefixes (`invo*`),
 * `-excluded` words and phrases, and `OR` between alternatives. Everything else is text to look for:
 * quotes that never close, parentheses, `NEAR(`, `;`, SQL — nothing a user types is an operator
 * except those five forms, so no input can fail as syntax.
 *
 * The engine turns the parsed query into FTS5 syntax (engine/store/search.ts); the window uses the
 * same parse to mark the matching words on a page (searchMatch.ts). Both split and fold text the
 * way SQLite's `unicode61 remove_diacritics 2` tokenizer does, so `muller` finds `Müller` here as
 * it does in the index. Plain code only: no `node:*`, no DOM.
 */

/** Something to look for: one word, or several in a row (a phrase); the last may be a prefix. */
export interface SearchTerm {
  /** Folded words (lower case, Latin accents removed). */
  words: string[];
  /** The last word is a prefix (`invo*`). */
  prefix: boolean;
}

/** A parsed query: a page matches when it matches every group and none of `none`. */
export interface ParsedSearch {
  /** Each group is a set of alternatives (`a OR b`); a group of one is a plain term. */
  all: SearchTerm[][];
  /** Pages containing any of these are left out (`-word`, `-"a phrase"`). */
  none: SearchTerm[];
}

export type SearchParse = { ok: true; query: ParsedSearch } | { ok: false; message: string };

/** Longest query accepted, in characters, and most terms in it: a search box, not a document. */
export const MAX_QUERY_CHARS = 1_000;
export const MAX_QUERY_TERMS = 32;
/**
 * Letters needed before `*`. A one- or two-letter prefix (`a*`, `th*`) stands for thousands of
 * index terms and takes seconds over a million pages (bench: docs/search.md); three keeps every
 * prefix query fast while still meaning something.
 */
export const MIN_PREFIX_CHARS = 3;

/**
 * A token is a run of letters, digits and combining marks: what unicode61 keeps. Everything else
 * (spaces, punctuation, symbols) separates tokens, so `INV-30687/G` is `inv`, `30687`, `g`.
 */
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * Lower case, and accents taken off Latin letters (`Müller` → `muller`, `José` → `jose`), as
 * unicode61 with `remove_diacritics 2` does. Other scripts keep their marks, as there (`ά` stays).
 */
export function foldForSearch(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC');
}

/** One token of a text: where it is (UTF-16 offsets, end exclusive) and its folded form. */
export interface SearchToken {
  start: number;
  end: number;
  folded: string;
}

export function searchTokens(text: string): SearchToken[] {
  // Folding a whole page at once is far cheaper than word by word. It keeps every offset when
  // the text is precomposed (NFC, as Tesseract and PDFs give it): ü folds to u, one for one.
  const ascii = ASCII.test(text);
  const folded = ascii ? text.toLowerCase() : foldPreservingLength(text);
  if (folded === null) return tokensWordByWord(text);
  const tokens: SearchToken[] = [];
  const re = ascii ? /[a-z0-9]+/g : TOKEN;
  re.lastIndex = 0;
  for (let m = re.exec(folded); m; m = re.exec(folded)) {
    const word = m[0];
    // A run of marks alone (no letter or digit) is no word.
    if (ascii || ASCII.test(word) || /[\p{L}\p{N}]/u.test(word))
      tokens.push({ start: m.index, end: m.index + word.length, folded: word });
  }
  return tokens;
}

/**
 * The folded words of a text, as `searchTokens` gives them, without their offsets: the quick way
 * for the plain ASCII text most pages are (the index's word list reads every page it adds).
 */
export function searchWords(text: string): string[] {
  if (ASCII.test(text)) return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return searchTokens(text).map((t) => t.folded);
}

const foldedChars = new Map<string, string>();

/**
 * `foldForSearch` of a text, character by character for the few that are not ASCII, when that
 * keeps its length (so offsets stay valid); null otherwise (decomposed accents, İ).
 */
function foldPreservingLength(text: string): string | null {
  const lower = text.toLowerCase();
  if (lower.length !== text.length) return null;
  let out = '';
  let from = 0;
  for (let i = 0; i < lower.length; i++) {
    if (lower.charCodeAt(i) < 0x80) continue;
    const c = lower[i];
    let f = foldedChars.get(c);
    // A combining mark on its own: the accent of the letter before it, which folding drops.
    if (f === undefined) foldedChars.set(c, (f = MARK.test(c) ? '' : foldForSearch(c)));
    if (f.length !== c.length) return null;
    if (f !== c) {
      out += lower.slice(from, i) + f;
      from = i + 1;
    }
  }
  return from === 0 ? lower : out + lower.slice(from);
}

/** The same, one word at a time: for text whose folding changes its length (decomposed accents). */
function tokensWordByWord(text: string): SearchToken[] {
  const tokens: SearchToken[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const folded = foldForSearch(m[0]);
    // A run of marks alone (no letter or digit) folds to nothing useful.
    if (/[\p{L}\p{N}]/u.test(folded)) tokens.push({ start: m.index, end: m.index + m[0].length, folded });
  }
  return tokens;
}

/** Only ASCII characters (`\p{ASCII}`: no control characters spelt out in a pattern). */
const ASCII = /^\p{ASCII}*$/u;
const MARK = /^\p{M}$/u;

interface RawTerm {
  text: string;
  quoted: boolean;
  negated: boolean;
  prefix: boolean;
}

/**
 * Parses what the user typed. Never throws; returns a message for people when there is nothing to
 * search for (empty, only punctuation, only exclusions), when a prefix is too short, or when the
 * query is too long.
 */
export function parseSearch(input: string): SearchParse {
  if (input.length > MAX_QUERY_CHARS)
    return {
      ok: false,
      message: `The search is too long (${input.length} characters; at most ${MAX_QUERY_CHARS}).`,
    };
  const raw = scan(input);
  const all: SearchTerm[][] = [];
  const none: SearchTerm[] = [];
  let joinNext = false;
  let lastWasWanted = false;
  let terms = 0;
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    // `OR` between two wanted terms joins them; at either end it is the word "or"; next to an
    // exclusion (`-a OR b`) it means nothing and is dropped.
    if (!r.quoted && !r.negated && r.text === 'OR' && all.length > 0 && i + 1 < raw.length) {
      if (lastWasWanted && !raw[i + 1].negated) joinNext = true;
      continue;
    }
    const words = searchTokens(r.text).map((t) => t.folded);
    if (words.length === 0) {
      joinNext = false;
      continue; // punctuation only: nothing to look for
    }
    lastWasWanted = !r.negated;
    if (r.prefix && words[words.length - 1].length < MIN_PREFIX_CHARS)
      return {
        ok: false,
        message: `Type at least ${MIN_PREFIX_CHARS} letters before * ("${words[words.length - 1]}*" would match too many words).`,
      };
    if (++terms > MAX_QUERY_TERMS)
      return { ok: false, message: `The search has too many words (at most ${MAX_QUERY_TERMS}).` };
    const term: SearchTerm = { words, prefix: r.prefix };
    if (r.negated) none.push(term);
    else if (joinNext) all[all.length - 1].push(term);
    else all.push([term]);
    joinNext = false;
  }
  if (all.length === 0)
    return {
      ok: false,
      message:
        none.length > 0
          ? 'Add a word to look for: -word only leaves out pages that contain it.'
          : 'Type a word to search for.',
    };
  return { ok: true, query: { all, none } };
}

/**
 * Splits the input into words and quoted phrases, each maybe negated (`-` in front) or a prefix
 * (`*` behind). A quote that never closes runs to the end of the input.
 */
function scan(input: string): RawTerm[] {
  const out: RawTerm[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    while (i < n && /\s/u.test(input[i])) i++;
    if (i >= n) break;
    let negated = false;
    if (input[i] === '-' && i + 1 < n && !/\s/u.test(input[i + 1])) {
      negated = true;
      i++;
    }
    if (input[i] === '"') {
      const close = input.indexOf('"', i + 1);
      const end = close < 0 ? n : close;
      const text = input.slice(i + 1, end);
      i = close < 0 ? n : close + 1;
      const prefix = input[i] === '*';
      while (input[i] === '*') i++;
      out.push({ text, quoted: true, negated, prefix });
      continue;
    }
    const start = i;
    while (i < n && !/\s/u.test(input[i]) && input[i] !== '"') i++;
    let text = input.slice(start, i);
    const prefix = text.endsWith('*');
    text = text.replace(/\*+$/, '');
    out.push({ text, quoted: false, negated, prefix });
  }
  return out;
}
