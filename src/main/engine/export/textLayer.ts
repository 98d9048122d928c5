import type { Word } from '../../../shared/model.ts';
import { GLYPH_WIDTH, num, type EncodedText } from './glyphlessFont.ts';
import type { Matrix } from './pageGeometry.ts';

/**
 * The invisible text layer of one page as content-stream operators.
 *
 * Words come in raster pixels (origin top-left, y down) and are placed in display space (points,
 * origin bottom-left of the page as displayed, y up); a leading `cm` maps display space into the
 * page's user space (see pageGeometry.ts). Like Tesseract's renderer, words are grouped into
 * lines that share one baseline and one font size, so extractors see straight lines; each word is
 * stretched with `Tz` so its advance equals its box width, and a space glyph fills the gap to the
 * next word of the line so copy/paste and search see word breaks.
 */

/** Encodes text for the font (`GlyphlessFont.encode`). */
export type EncodeText = (text: string) => EncodedText;

export interface LayerInput {
  words: readonly Word[];
  /** Size of the raster the word boxes refer to, in pixels. */
  rasterWidth: number;
  rasterHeight: number;
  /** Size of the page as displayed, in points. */
  pageWidth: number;
  pageHeight: number;
  /** Display space → user space; omit for identity. */
  displayToUser?: Matrix;
  /** Name of the glyphless font in the page's /Font resources, without the slash. */
  fontName: string;
  encode: EncodeText;
}

/** A word in display space: x from the left, `bottom`/`top` in y-up points. */
interface PlacedWord {
  text: string;
  x0: number;
  x1: number;
  top: number;
  bottom: number;
}

const RTL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;
const LTR_RUN = /[\p{L}\p{N}]/u;

/**
 * Visual order of a right-to-left word. Word text is in logical order, but glyphs are laid out
 * left to right, and extractors (poppler, pdf.js) turn right-to-left glyph runs back into
 * logical order. So a word with RTL letters is written reversed, except that runs of other
 * letters and digits inside it (a year, a code) keep their own order: the one-level case of
 * the Unicode bidi algorithm, which is all a single word needs.
 */
export function visualOrder(text: string): string {
  if (!RTL.test(text)) return text;
  const runs: { ltr: boolean; chars: string[] }[] = [];
  for (const ch of text) {
    const ltr = !RTL.test(ch) && LTR_RUN.test(ch);
    const last = runs.at(-1);
    if (last && last.ltr === ltr) last.chars.push(ch);
    else runs.push({ ltr, chars: [ch] });
  }
  return runs
    .reverse()
    .map((r) => (r.ltr ? r.chars : r.chars.reverse()).join(''))
    .join('');
}

/**
 * Groups words, in reading order as Tesseract gives them, into lines. A word continues the line
 * when it overlaps the *previous word* vertically by at least half of the smaller height (the
 * previous word, not the whole line: on a skewed scan a line drifts by more than its height, and
 * comparing with the line's band would swallow the next line) and keeps the line's direction
 * (left to right, or right to left once the line's second word has set it).
 */
export function groupLines<T extends { x0: number; x1: number; top: number; bottom: number }>(
  words: readonly T[],
): T[][] {
  const lines: T[][] = [];
  let direction = 0; // +1 left to right, −1 right to left, 0 not known yet
  for (const w of words) {
    const line = lines.at(-1);
    const prev = line?.at(-1);
    if (line && prev) {
      const overlap = Math.min(prev.top, w.top) - Math.max(prev.bottom, w.bottom);
      const smaller = Math.min(prev.top - prev.bottom, w.top - w.bottom);
      const step = (w.x0 + w.x1) / 2 - (prev.x0 + prev.x1) / 2;
      const stepDirection = Math.sign(step);
      const hOverlap = Math.min(prev.x1, w.x1) - Math.max(prev.x0, w.x0);
      const beside = hOverlap <= Math.min(prev.x1 - prev.x0, w.x1 - w.x0) * 0.5;
      if (beside && overlap >= smaller * 0.5 && (direction === 0 || stepDirection === direction)) {
        line.push(w);
        direction = stepDirection;
        continue;
      }
    }
    lines.push([w]);
    direction = 0;
  }
  return lines;
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
 * The baseline of each word of a line. Text is written horizontally, and extractors rebuild a
 * line only from words on (nearly) one baseline: poppler splits a line, even in mid-word, once
 * the baseline has moved by about half the font size, so neither text rotated along the slope
 * (Tesseract's way) nor one baseline per word survives a skewed scan. A line whose drift stays
 * within one line height therefore gets one baseline, the fitted one at the line's centre (words
 * at its ends sit at most half a line off); a steeper line is cut into segments of that drift,
 * each with its own baseline.
 */
export function segmentBaselines(
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
    left = left.filter((o) => !near(o.size, best.size));
  }
  return out;
}

/** Returns the page's text-layer operators, or '' when there is nothing to draw. */
export function buildTextLayer(input: LayerInput): string {
  const { rasterWidth, rasterHeight, pageWidth, pageHeight } = input;
  if (!(rasterWidth > 0 && rasterHeight > 0 && pageWidth > 0 && pageHeight > 0)) return '';
  const sx = pageWidth / rasterWidth;
  const sy = pageHeight / rasterHeight;
  const placed: PlacedWord[] = [];
  for (const w of input.words) {
    const text = w.text.trim();
    if (!text) continue;
    const x0 = Math.min(w.x0, w.x1) * sx;
    const x1 = Math.max(w.x0, w.x1) * sx;
    const top = pageHeight - Math.min(w.y0, w.y1) * sy;
    const bottom = pageHeight - Math.max(w.y0, w.y1) * sy;
    if (!(x1 > x0 && top > bottom)) continue;
    placed.push({ text, x0, x1, top, bottom });
  }
  if (placed.length === 0) return '';

  const ops: string[] = ['q'];
  if (input.displayToUser) ops.push(`${input.displayToUser.map(num).join(' ')} cm`);
  // Render mode 3 = neither fill nor stroke: invisible, but extractable and selectable.
  ops.push('BT', '3 Tr', '0 Tc', '0 Tw');
  const space = input.encode(' ');
  const lines = groupLines(placed);
  const fits = lines.map(fitLine);
  const sizes = snapSizes(fits.map((f) => f.size));
  lines.forEach((line, lineIndex) => {
    const { slope } = fits[lineIndex];
    const size = sizes[lineIndex];
    // The font's ascent is 1 em and its descent ~0, so the selection box spans [base, base+size]:
    // centred on the line's own band when the size was snapped to a neighbour's.
    const base = fits[lineIndex].base + (fits[lineIndex].size - size) / 2;
    ops.push(`/${input.fontName} ${num(size)} Tf`);
    const glyphAdvance = (size * GLYPH_WIDTH) / 1000;
    const baselines = segmentBaselines(line, slope, base, size);
    line.forEach((w, i) => {
      const encoded = input.encode(visualOrder(w.text));
      if (encoded.glyphs === 0) return;
      const scale = (100 * (w.x1 - w.x0)) / (glyphAdvance * encoded.glyphs);
      ops.push(`1 0 0 1 ${num(w.x0)} ${num(baselines[i])} Tm`, `${num(scale)} Tz`, `<${encoded.hex}> Tj`);
      const next = line[i + 1];
      if (next && next.x0 >= w.x0) {
        // Fill the gap to the next word; a tiny advance when boxes touch or overlap. (A line read
        // right to left gets no space glyphs: extractors see the gaps.)
        const gap = Math.max(next.x0 - w.x1, size * 0.01);
        ops.push(`${num((100 * gap) / glyphAdvance)} Tz`, `<${space.hex}> Tj`);
      }
    });
  });
  ops.push('ET', 'Q');
  return ops.join('\n') + '\n';
}
