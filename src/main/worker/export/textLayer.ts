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

  // A page whose text runs down or up it (scanned sideways and kept so) is laid out in a frame
  // turned with the text, so its lines are rebuilt, fitted and written like horizontal ones.
  const direction = textDirection(placed);
  const framed = direction === 0 ? placed : placed.map((w) => toUpright(w, direction, pageWidth, pageHeight));

  const ops: string[] = ['q'];
  if (input.displayToUser) ops.push(`${input.displayToUser.map(num).join(' ')} cm`);
  if (direction !== 0)
    ops.push(`${uprightToDisplay(direction, pageWidth, pageHeight).map(num).join(' ')} cm`);
  // Render mode 3 = neither fill nor stroke: invisible, but extractable and selectable.
  ops.push('BT', '3 Tr', '0 Tc', '0 Tw');
  const space = input.encode(' ');
  const lines = groupLines(framed);
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
function toUpright(
  w: PlacedWord,
  direction: 90 | 180 | 270,
  pageWidth: number,
  pageHeight: number,
): PlacedWord {
  // 90: reading down the page, glyph tops to the right: x' = H − y, y' = x.
  // 180: x' = W − x, y' = H − y.
  // 270: reading up the page, glyph tops to the left: x' = y, y' = W − x.
  if (direction === 90)
    return { text: w.text, x0: pageHeight - w.top, x1: pageHeight - w.bottom, bottom: w.x0, top: w.x1 };
  if (direction === 180)
    return {
      text: w.text,
      x0: pageWidth - w.x1,
      x1: pageWidth - w.x0,
      bottom: pageHeight - w.top,
      top: pageHeight - w.bottom,
    };
  return { text: w.text, x0: w.bottom, x1: w.top, bottom: pageWidth - w.x1, top: pageWidth - w.x0 };
}

/** The `cm` matrix from that turned frame back to display space. */
function uprightToDisplay(direction: 90 | 180 | 270, pageWidth: number, pageHeight: number): Matrix {
  // 90: (x, y) = (y', H − x'); 180: (W − x', H − y'); 270: (x, y) = (W − y', x').
  if (direction === 90) return [0, -1, 1, 0, 0, pageHeight];
  if (direction === 180) return [-1, 0, 0, -1, pageWidth, pageHeight];
  return [0, 1, -1, 0, pageWidth, 0];
}
