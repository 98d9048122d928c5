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
 * The searches walk the image row by row (the vertical one keeps one state per column); the
 * later passes only the rows that hold a rule.
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
  const mask = new Uint8Array(w * h);

  // Horizontal runs, row by row.
  let horizontal = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let x = 0;
    while (x < w) {
      if (data[row + x] > threshold) {
        x++;
        continue;
      }
      const start = x;
      let lastInk = x;
      while (x < w && (data[row + x] <= threshold || x - lastInk <= gap)) {
        if (data[row + x] <= threshold) lastInk = x;
        x++;
      }
      if (lastInk - start + 1 >= minH) {
        horizontal++;
        firstRow = Math.min(firstRow, y);
        lastRow = Math.max(lastRow, y);
        for (let k = start; k <= lastInk; k++) if (data[row + k] <= threshold) mask[row + k] |= H;
      }
      x = lastInk + 1;
    }
  }

  // Vertical runs, with a run start and last ink row per column.
  let vertical = 0;
  const runStart = new Int32Array(w).fill(-1);
  const lastInk = new Int32Array(w);
  const closeColumn = (x: number): void => {
    if (lastInk[x] - runStart[x] + 1 >= minV) {
      vertical++;
      firstRow = Math.min(firstRow, runStart[x]);
      lastRow = Math.max(lastRow, lastInk[x]);
      for (let y = runStart[x]; y <= lastInk[x]; y++) if (data[y * w + x] <= threshold) mask[y * w + x] |= V;
    }
    runStart[x] = -1;
  };
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (data[row + x] <= threshold) {
        if (runStart[x] < 0) runStart[x] = y;
        lastInk[x] = y;
      } else if (runStart[x] >= 0 && y - lastInk[x] > gap) closeColumn(x);
    }
  }
  for (let x = 0; x < w; x++) if (runStart[x] >= 0) closeColumn(x);
  if (horizontal + vertical === 0) return { pixels: 0, horizontal, vertical };

  // Thickness: a stack of horizontal marks taller than maxThick (down a column) is a solid
  // block, not a rule; likewise a row of vertical marks wider than maxThick.
  const stack = new Int32Array(w).fill(-1);
  for (let y = firstRow; y <= lastRow + 1; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const marked = y <= lastRow && (mask[row + x] & H) !== 0;
      if (marked) {
        if (stack[x] < 0) stack[x] = y;
      } else if (stack[x] >= 0) {
        if (y - stack[x] > maxThick) for (let k = stack[x]; k < y; k++) mask[k * w + x] &= ~H;
        stack[x] = -1;
      }
    }
  }
  for (let y = firstRow; y <= lastRow; y++) {
    const row = y * w;
    let x = 0;
    while (x < w) {
      if (!(mask[row + x] & V)) {
        x++;
        continue;
      }
      const start = x;
      while (x < w && mask[row + x] & V) x++;
      if (x - start > maxThick) for (let k = start; k < x; k++) mask[row + k] &= ~V;
    }
  }

  // Paint, with the fringe: pixels next to a rule that are darker than halfway to the paper.
  const fringe = (threshold + paper) / 2;
  let pixels = 0;
  const out = writable();
  for (let i = firstRow * w; i < (lastRow + 1) * w; i++) {
    const m = mask[i];
    if (!m) continue;
    out[i] = paper;
    pixels++;
    if (m & H) {
      if (i >= w && !(mask[i - w] & H) && out[i - w] < fringe) out[i - w] = paper;
      if (i + w < mask.length && !(mask[i + w] & H) && out[i + w] < fringe) out[i + w] = paper;
    }
    if (m & V) {
      const x = i % w;
      if (x > 0 && !(mask[i - 1] & V) && out[i - 1] < fringe) out[i - 1] = paper;
      if (x < w - 1 && !(mask[i + 1] & V) && out[i + 1] < fringe) out[i + 1] = paper;
    }
  }
  return { pixels, horizontal, vertical };
}
