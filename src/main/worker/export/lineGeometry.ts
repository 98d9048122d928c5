import type { Matrix } from './pageGeometry.ts';

/**
 * Where the text layer puts a line: its baseline and font size fitted to the word boxes, the
 * baseline each word is written on, and which way a page's text runs. All in display space
 * (points, y up); pure functions.
 */

/** A word in display space: x from the left, `bottom`/`top` in y-up points. */
export interface PlacedWord {
  text: string;
  x0: number;
  x1: number;
  top: number;
  bottom: number;
}

/** Steepest baseline slope accepted from a fit; anything steeper is treated as noise. */
const MAX_SLOPE = Math.tan((10 * Math.PI) / 180);

/**
 * A line's geometry: baseline `y = base + slope·x` and the font size that makes the line's band
 * (with the slope taken out) exactly one em. The slope is a least-squares fit through the word
 * centres, so on a skewed scan words follow their line instead of all sitting on the lowest
 * point of the line with a font size as tall as the line's whole drift.
 */
export function fitLine(line: readonly { x0: number; x1: number; top: number; bottom: number }[]): {
  slope: number;
  base: number;
  size: number;
} {
  let slope = 0;
  if (line.length >= 2) {
    const cx = line.map((w) => (w.x0 + w.x1) / 2);
    const cy = line.map((w) => (w.top + w.bottom) / 2);
    const mx = cx.reduce((a, b) => a + b, 0) / cx.length;
    const my = cy.reduce((a, b) => a + b, 0) / cy.length;
    let sxy = 0;
    let sxx = 0;
    cx.forEach((x, i) => {
      sxy += (x - mx) * (cy[i] - my);
      sxx += (x - mx) ** 2;
    });
    if (sxx > 0) slope = sxy / sxx;
    if (!(Math.abs(slope) <= MAX_SLOPE)) slope = 0;
  }
  // Band of the line with the slope taken out, measured at each word's centre (a tilted word's
  // box is taller than the word by its drift; taking it out keeps the font size to one line).
  const drift = (w: { x0: number; x1: number }): number => (Math.abs(slope) * (w.x1 - w.x0)) / 2;
  const mid = (w: { x0: number; x1: number }): number => slope * ((w.x0 + w.x1) / 2);
  const base = Math.min(...line.map((w) => w.bottom + drift(w) - mid(w)));
  const top = Math.max(...line.map((w) => w.top - drift(w) - mid(w)));
  return { slope, base, size: Math.max(top - base, 0.01) };
}

/**
 * How far (in ems) a word's baseline may be moved off its fitted line so that the whole line
 * stays within the band poppler accepts as one line: it rebuilds a line from words whose
 * baselines lie within half the font size of its first word's, so every baseline of a line is
 * kept within ±0.2 em of the line's centre (a spread of 0.4 em). Not more: pdf.js starts a new
 * line only when the next line's first word is over half an em below the last word's baseline,
 * and on a skewed page the end of one line and the start of the next come closer by the spread.
 */
const LINE_REACH = 0.2;

/**
 * The baseline of each word of a line. Text is written horizontally (poppler splits text rotated
 * along the slope, Tesseract's way, in mid-word once its baseline has moved by half a point), and
 * a line is only read as one line while its baselines stay within half an em of each other. So
 * each word sits on the fitted baseline at its own centre, clamped to ±LINE_REACH em around the
 * baseline at the line's centre: a straight line is exact, a skewed one keeps its middle on the
 * slope and its ends a little flatter, at most half an em off. A line so steep that its ends
 * would be further off than that is cut into segments instead, each within one em of drift and
 * on its own baseline (extractors then see the segments as lines of their own).
 */
export function lineBaselines(
  line: readonly { x0: number; x1: number }[],
  slope: number,
  base: number,
  size: number,
): number[] {
  if (line.length === 0) return [];
  const left = Math.min(...line.map((w) => w.x0));
  const right = Math.max(...line.map((w) => w.x1));
  const reach = LINE_REACH * size;
  const centre = base + (slope * (left + right)) / 2;
  const halfDrift = (Math.abs(slope) * (right - left)) / 2;
  if (halfDrift - reach > size / 2) return segmentBaselines(line, slope, base, size);
  return line.map((w) => {
    const own = base + (slope * (w.x0 + w.x1)) / 2;
    return Math.min(centre + reach, Math.max(centre - reach, own));
  });
}

/** Segments of at most one em of drift, each on the fitted baseline at its centre. */
function segmentBaselines(
  line: readonly { x0: number; x1: number }[],
  slope: number,
  base: number,
  size: number,
): number[] {
  const baselines: number[] = [];
  let start = 0;
  const flush = (end: number): void => {
    const seg = line.slice(start, end);
    const left = Math.min(...seg.map((w) => w.x0));
    const right = Math.max(...seg.map((w) => w.x1));
    const y = base + (slope * (left + right)) / 2;
    for (let i = start; i < end; i++) baselines.push(y);
    start = end;
  };
  let left = Infinity;
  let right = -Infinity;
  line.forEach((w, i) => {
    const l = Math.min(left, w.x0);
    const r = Math.max(right, w.x1);
    if (i > start && Math.abs(slope) * (r - l) > size) {
      flush(i);
      left = w.x0;
      right = w.x1;
    } else {
      left = l;
      right = r;
    }
  });
  flush(line.length);
  return baselines;
}

/**
 * Snaps line heights that differ by less than 20% to one font size (the median of their group).
 * A line's band depends on its letters (a line without descenders is lower), but extractors
 * build paragraphs only from lines of nearly equal font size (poppler: within 5%), so raw
 * per-line sizes break a column of text into one block per line and scramble the reading order.
 */
export function snapSizes(sizes: readonly number[]): number[] {
  // Densest first: the size with the most others within ±20% (body text) takes them all, with
  // their median as the common size; repeat with what is left (headings, footers).
  const out = new Array<number>(sizes.length);
  let left = sizes.map((size, i) => ({ size, i }));
  const near = (a: number, b: number): boolean => Math.max(a, b) <= Math.min(a, b) * 1.2;
  const medians: number[] = [];
  while (left.length > 0) {
    let best = left[0];
    let bestCount = -1;
    for (const c of left) {
      const count = left.filter((o) => near(o.size, c.size)).length;
      if (count > bestCount) [best, bestCount] = [c, count];
    }
    const group = left.filter((o) => near(o.size, best.size)).sort((a, b) => a.size - b.size);
    const median = group[Math.floor(group.length / 2)].size;
    for (const o of group) out[o.i] = median;
    medians.push(median);
    left = left.filter((o) => !near(o.size, best.size));
  }
  // A size between two groups (within 20% of both) goes to the nearer one, not to the one formed
  // first: a body line must not take a heading's size.
  const ratio = (a: number, b: number): number => Math.max(a, b) / Math.min(a, b);
  return sizes.map((size, i) =>
    medians.reduce((best, m) => (ratio(size, m) < ratio(size, best) ? m : best), out[i]),
  );
}

/**
 * Which way the words of a page run in display space: 0 across, 90 down the page (text turned
 * clockwise), 180 upside down, 270 up the page. Sideways: most words of 3+ characters have boxes
 * clearly taller than wide, and the next word of the same column says down or up. Upside down:
 * most line breaks (consecutive words that do not share a band) go up the page rather than down
 * (right-to-left scripts also run leftwards, but their lines still go down).
 */
export function textDirection(words: readonly PlacedWord[]): 0 | 90 | 180 | 270 {
  let tall = 0;
  let wide = 0;
  for (const w of words) {
    if ([...w.text].length < 3) continue;
    const width = w.x1 - w.x0;
    const height = w.top - w.bottom;
    if (height > width * 1.3) tall++;
    else if (width > height) wide++;
  }
  if (tall > wide * 1.5 && tall >= 3) {
    let down = 0;
    let up = 0;
    for (let i = 1; i < words.length; i++) {
      const a = words[i - 1];
      const b = words[i];
      const overlap = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      if (overlap < Math.min(a.x1 - a.x0, b.x1 - b.x0) * 0.5) continue;
      if (b.top < a.top) down++;
      else if (b.top > a.top) up++;
    }
    return up > down ? 270 : 90;
  }
  let lineUp = 0;
  let lineDown = 0;
  for (let i = 1; i < words.length; i++) {
    const a = words[i - 1];
    const b = words[i];
    const overlap = Math.min(a.top, b.top) - Math.max(a.bottom, b.bottom);
    if (overlap > 0) continue;
    if (b.bottom >= a.top) lineUp++;
    else if (b.top <= a.bottom) lineDown++;
  }
  return lineUp > lineDown * 2 && lineUp >= 3 ? 180 : 0;
}

/** A display-space word in the frame turned with the text (x along the text, y up its glyphs). */
export function toUpright<T extends PlacedWord>(
  w: T,
  direction: 90 | 180 | 270,
  pageWidth: number,
  pageHeight: number,
): T {
  // 90: reading down the page, glyph tops to the right: x' = H − y, y' = x.
  // 180: x' = W − x, y' = H − y.
  // 270: reading up the page, glyph tops to the left: x' = y, y' = W − x.
  if (direction === 90)
    return { ...w, x0: pageHeight - w.top, x1: pageHeight - w.bottom, bottom: w.x0, top: w.x1 };
  if (direction === 180)
    return {
      ...w,
      x0: pageWidth - w.x1,
      x1: pageWidth - w.x0,
      bottom: pageHeight - w.top,
      top: pageHeight - w.bottom,
    };
  return { ...w, x0: w.bottom, x1: w.top, bottom: pageWidth - w.x1, top: pageWidth - w.x0 };
}

/** The `cm` matrix from that turned frame back to display space. */
export function uprightToDisplay(direction: 90 | 180 | 270, pageWidth: number, pageHeight: number): Matrix {
  // 90: (x, y) = (y', H − x'); 180: (W − x', H − y'); 270: (x, y) = (W − y', x').
  if (direction === 90) return [0, -1, 1, 0, 0, pageHeight];
  if (direction === 180) return [-1, 0, 0, -1, pageWidth, pageHeight];
  return [0, 1, -1, 0, pageWidth, 0];
}
