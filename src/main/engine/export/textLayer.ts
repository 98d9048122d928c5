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
 * Groups words, in reading order as Tesseract gives them, into lines: a word continues the
 * current line when it overlaps the line's band vertically by at least half of the smaller
 * height and does not overlap the previous word horizontally by more than half (either
 * direction, so right-to-left lines group too).
 */
export function groupLines<T extends { x0: number; x1: number; top: number; bottom: number }>(
  words: readonly T[],
): T[][] {
  const lines: T[][] = [];
  let band = { top: 0, bottom: 0 };
  for (const w of words) {
    const line = lines.at(-1);
    const prev = line?.at(-1);
    if (line && prev) {
      const overlap = Math.min(band.top, w.top) - Math.max(band.bottom, w.bottom);
      const smaller = Math.min(band.top - band.bottom, w.top - w.bottom);
      const hOverlap = Math.min(prev.x1, w.x1) - Math.max(prev.x0, w.x0);
      const beside = hOverlap <= Math.min(prev.x1 - prev.x0, w.x1 - w.x0) * 0.5;
      if (beside && overlap >= smaller * 0.5) {
        line.push(w);
        band = { top: Math.max(band.top, w.top), bottom: Math.min(band.bottom, w.bottom) };
        continue;
      }
    }
    lines.push([w]);
    band = { top: w.top, bottom: w.bottom };
  }
  return lines;
}

/** Returns the operators (without a trailing newline issue) or '' when there is nothing to draw. */
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
  for (const line of groupLines(placed)) {
    const top = Math.max(...line.map((w) => w.top));
    const baseline = Math.min(...line.map((w) => w.bottom));
    // The font's ascent is 1 em and its descent ~0, so a font size equal to the line height makes
    // the selection box cover the line's band exactly.
    const size = top - baseline;
    ops.push(`/${input.fontName} ${num(size)} Tf`);
    const glyphAdvance = (size * GLYPH_WIDTH) / 1000;
    line.forEach((w, i) => {
      const encoded = input.encode(visualOrder(w.text));
      if (encoded.glyphs === 0) return;
      const scale = (100 * (w.x1 - w.x0)) / (glyphAdvance * encoded.glyphs);
      ops.push(`1 0 0 1 ${num(w.x0)} ${num(baseline)} Tm`, `${num(scale)} Tz`, `<${encoded.hex}> Tj`);
      const next = line[i + 1];
      if (next && next.x0 >= w.x0) {
        // Fill the gap to the next word; a tiny advance when boxes touch or overlap. (A line read
        // right to left gets no space glyphs: extractors see the gaps.)
        const gap = Math.max(next.x0 - w.x1, size * 0.01);
        ops.push(`${num((100 * gap) / glyphAdvance)} Tz`, `<${space.hex}> Tj`);
      }
    });
  }
  ops.push('ET', 'Q');
  return ops.join('\n') + '\n';
}
