/**
 * Table rules and other long thin lines, painted out before recognition: Tesseract reads them as
 * `|`, `_` or `—`, or treats a ruled table as a picture and drops its rows.
 *
 * A rule is a run of ink far longer than any letter stroke (horizontal: ≥ 0.4 in, vertical:
 * ≥ 0.6 in) that is thin across (a stack of such runs at most ~1/20 in thick). Solid blocks
 * (a black bar with reversed text, a photo) fail the thickness test and stay.
 */
import type { Grey } from './grey.ts';

export interface RuleRemoval {
  /** Pixels painted out. */
  pixels: number;
  horizontal: number;
  vertical: number;
}

const H = 1;
const V = 2;

/**
 * Finds rules on `image` (ink = at or below `threshold`) and paints them with `paper`, together
 * with their one-pixel anti-aliased fringe, into the buffer `writable()` returns (asked for only
 * when there is something to paint; it must hold the same pixels: `image.data` itself or a copy).
 * The searches probe short windows spaced a little less than a rule's length apart and follow
 * runs out from the ink they hold; the later passes visit only the rows that hold a rule.
 */
export function removeRules(
  image: Grey,
  threshold: number,
  paper: number,
  dpi: number,
  writable: () => Uint8Array = () => image.data,
): RuleRemoval {
  const { width: w, height: h, data } = image;
  let firstRow = h;
  let lastRow = -1;
  const maxThick = Math.max(3, Math.round(dpi / 20));
  // Gaps this small inside a run are bridged (scan noise, JPEG ringing); gap pixels stay unmarked.
  const gap = Math.max(1, Math.round(dpi / 150));
  const minH = Math.round(dpi * 0.4);
  const minV = Math.round(dpi * 0.6);
  // Marks (H, V bits per pixel), one row array for each row that holds a mark: most pages have
  // no rule, and a page with a few has a few rows of marks, not a page-sized mask.
  const mask: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(h);
  const marksOf = (y: number): Uint8Array => (mask[y] ??= new Uint8Array(w));
  // The columns each row's marks lie within: the later passes visit only those (a table's
  // vertical rules put marks on hundreds of rows, a few pixels of each).
  const from = new Int32Array(h).fill(w);
  const to = new Int32Array(h).fill(-1);
  const span = (y: number, x0: number, x1: number): void => {
    if (x0 < from[y]) from[y] = x0;
    if (x1 > to[y]) to[y] = x1;
  };
  let marked = false;
  const isInk = (i: number): boolean => data[i] <= threshold;

  // A run is a chain of ink pixels at most `gap` apart. A run of length ≥ L contains, whole, some
  // window of gap + 1 pixels starting at a multiple of L − gap, and such a window inside a run
  // holds ink (its gaps are shorter): so only those windows are probed, and a run is followed
  // out from the ink a window holds. The result is what a walk over every pixel finds, for a
  // small fraction of the reads.

  // Horizontal runs, row by row.
  let horizontal = 0;
  const strideH = Math.max(1, minH - gap);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let done = -1; // last ink of the run found last: probes up to here are inside it
    for (let probe = 0; probe < w; probe += strideH) {
      if (probe <= done) continue;
      let hit = -1;
      for (let x = probe; x <= probe + gap && x < w; x++) {
        if (isInk(row + x)) {
          hit = x;
          break;
        }
      }
      if (hit < 0) continue;
      let first = hit;
      for (let x = hit - 1; x >= 0 && first - x <= gap + 1; x--) if (isInk(row + x)) first = x;
      let last = hit;
      for (let x = hit + 1; x < w && x - last <= gap + 1; x++) if (isInk(row + x)) last = x;
      done = last;
      if (last - first + 1 < minH) continue;
      horizontal++;
      firstRow = Math.min(firstRow, y);
      lastRow = Math.max(lastRow, y);
      marked = true;
      const marks = marksOf(y);
      span(y, first, last);
      for (let x = first; x <= last; x++) if (isInk(row + x)) marks[x] |= H;
    }
  }

  // Vertical runs: probe rows (every column at once, row by row), then follow each hit up and
  // down its column.
  let vertical = 0;
  const strideV = Math.max(1, minV - gap);
  const done = new Int32Array(w).fill(-1); // per column, as `done` above
  const hit = new Int32Array(w);
  for (let probe = 0; probe < h; probe += strideV) {
    hit.fill(-1);
    for (let y = probe; y <= probe + gap && y < h; y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) if (hit[x] < 0 && done[x] < probe && isInk(row + x)) hit[x] = y;
    }
    for (let x = 0; x < w; x++) {
      if (hit[x] < 0) continue;
      let first = hit[x];
      for (let y = first - 1; y >= 0 && first - y <= gap + 1; y--) if (isInk(y * w + x)) first = y;
      let last = hit[x];
      for (let y = last + 1; y < h && y - last <= gap + 1; y++) if (isInk(y * w + x)) last = y;
      done[x] = last;
      if (last - first + 1 < minV) continue;
      vertical++;
      firstRow = Math.min(firstRow, first);
      lastRow = Math.max(lastRow, last);
      marked = true;
      for (let y = first; y <= last; y++) {
        if (!isInk(y * w + x)) continue;
        marksOf(y)[x] |= V;
        span(y, x, x);
      }
    }
  }
  if (!marked) return { pixels: 0, horizontal, vertical };

  // Thickness: a stack of horizontal marks taller than maxThick (down a column) is a solid
  // block, not a rule; likewise a row of vertical marks wider than maxThick. Stacks can only
  // run through rows that hold marks, and end on the row after.
  const stack = new Int32Array(w).fill(-1);
  for (let y = firstRow; y <= lastRow + 1; y++) {
    const marks = y <= lastRow ? mask[y] : undefined;
    const before = mask[y - 1];
    if (!marks && !before) continue;
    // A stack is open at a column only if the row before has a mark there: outside both rows'
    // columns there is nothing to open or close.
    const x0 = Math.min(marks ? from[y] : w, before ? from[y - 1] : w);
    const x1 = Math.max(marks ? to[y] : -1, before ? to[y - 1] : -1);
    for (let x = x0; x <= x1; x++) {
      if (marks && (marks[x] & H) !== 0) {
        if (stack[x] < 0) stack[x] = y;
      } else if (stack[x] >= 0) {
        if (y - stack[x] > maxThick) for (let k = stack[x]; k < y; k++) mask[k]![x] &= ~H;
        stack[x] = -1;
      }
    }
  }
  for (let y = firstRow; y <= lastRow; y++) {
    const marks = mask[y];
    if (!marks) continue;
    let x = from[y];
    const end = to[y] + 1;
    while (x < end) {
      if (!(marks[x] & V)) {
        x++;
        continue;
      }
      const start = x;
      while (x < end && marks[x] & V) x++;
      if (x - start > maxThick) for (let k = start; k < x; k++) marks[k] &= ~V;
    }
  }

  // Paint, with the fringe: pixels next to a rule that are darker than halfway to the paper.
  const fringe = (threshold + paper) / 2;
  let pixels = 0;
  let out: Uint8Array | null = null;
  for (let y = firstRow; y <= lastRow; y++) {
    const marks = mask[y];
    if (!marks) continue;
    const above = y > 0 ? mask[y - 1] : undefined;
    const below = y < h - 1 ? mask[y + 1] : undefined;
    const row = y * w;
    for (let x = from[y], end = to[y]; x <= end; x++) {
      const m = marks[x];
      if (!m) continue;
      out ??= writable();
      const i = row + x;
      out[i] = paper;
      pixels++;
      if (m & H) {
        if (y > 0 && !((above?.[x] ?? 0) & H) && out[i - w] < fringe) out[i - w] = paper;
        if (y < h - 1 && !((below?.[x] ?? 0) & H) && out[i + w] < fringe) out[i + w] = paper;
      }
      if (m & V) {
        if (x > 0 && !(marks[x - 1] & V) && out[i - 1] < fringe) out[i - 1] = paper;
        if (x < w - 1 && !(marks[x + 1] & V) && out[i + 1] < fringe) out[i + 1] = paper;
      }
    }
  }
  return { pixels, horizontal, vertical };
}
