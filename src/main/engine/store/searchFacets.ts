/**
 * The filters of a search (folder, date) as index tokens. Each indexed page carries, in the
 * `facets` column of `page_search`, one token per folder its file lies under and one per year,
 * month and day of the file's date; a filter is then a term the index intersects with the query,
 * as fast as any word, where a join to `documents` would visit every hit (a common word over a
 * million pages: seconds; measured in docs/search.md).
 *
 * Tokens are letters and digits only, so the tokenizer keeps each whole: `f` + 15 hex digits of
 * the folder's SHA-1, `y2024`, `m202403`, `d20240315`. Dates are the file's last modification, in
 * the local time of the machine that indexed it.
 */
import { createHash } from 'node:crypto';

/** The folders a file lies under, outermost first, with `/` separators (`C:\a\b.pdf` → `c:/a`). */
function folderChain(path: string): string[] {
  const parts = normaliseFolder(path).split('/');
  const chain: string[] = [];
  // Drop the file name; skip the root itself (it would match every page).
  for (let i = 1; i < parts.length - 1; i++) {
    const folder = parts.slice(0, i + 1).join('/');
    if (folder !== '' && !/^[a-z]:$/.test(folder)) chain.push(folder);
  }
  return chain;
}

/** Separators as `/`, no trailing one; on Windows (case-insensitive names) lower case. */
export function normaliseFolder(path: string): string {
  let p = path.replace(/\\/g, '/');
  if (/^[A-Za-z]:\//.test(p) || process.platform === 'win32') p = p.toLowerCase();
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

export function folderToken(folder: string): string {
  return 'f' + createHash('sha1').update(normaliseFolder(folder)).digest('hex').slice(0, 15);
}

function dateTokens(ms: number): string[] {
  const d = new Date(ms);
  const y = String(d.getFullYear());
  const m = y + String(d.getMonth() + 1).padStart(2, '0');
  return [`y${y}`, `m${m}`, `d${m}${String(d.getDate()).padStart(2, '0')}`];
}

/** The `facets` value of a page of the file at `path`, modified at `mtimeMs`. */
export function facetsFor(path: string, mtimeMs: number): string {
  return [...folderChain(path).map(folderToken), ...dateTokens(mtimeMs)].join(' ');
}

/** A day as the user gives it, `YYYY-MM-DD`; null when it is not a real date. */
export function parseDay(text: string): { y: number; m: number; d: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(y, m - 1, d);
  if (date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) return null;
  return { y, m, d };
}

/** Earliest and latest years a date filter spans when one end is open. */
const OPEN_FROM_YEAR = 1970;
const openToYear = (): number => new Date().getFullYear() + 1;

/**
 * The date tokens that together cover the days `from`..`to` (inclusive, either open): whole years
 * as `y`, whole months as `m`, the rest as `d`, so a range is at most a few dozen alternatives.
 */
export function dateRangeTokens(
  from: { y: number; m: number; d: number } | null,
  to: { y: number; m: number; d: number } | null,
): string[] {
  const start = from ? new Date(from.y, from.m - 1, from.d) : new Date(OPEN_FROM_YEAR, 0, 1);
  const end = to ? new Date(to.y, to.m - 1, to.d) : new Date(openToYear(), 11, 31);
  const tokens: string[] = [];
  const cur = new Date(start);
  while (cur <= end) {
    const y = cur.getFullYear();
    const m = cur.getMonth();
    const yearEnd = new Date(y, 11, 31);
    const monthEnd = new Date(y, m + 1, 0);
    const ym = `${y}${String(m + 1).padStart(2, '0')}`;
    if (m === 0 && cur.getDate() === 1 && yearEnd <= end) {
      tokens.push(`y${y}`);
      cur.setFullYear(y + 1, 0, 1);
    } else if (cur.getDate() === 1 && monthEnd <= end) {
      tokens.push(`m${ym}`);
      cur.setMonth(m + 1, 1);
    } else {
      tokens.push(`d${ym}${String(cur.getDate()).padStart(2, '0')}`);
      cur.setDate(cur.getDate() + 1);
    }
  }
  return tokens;
}
