import type { Word } from '../../../shared/model.ts';
import { BAND_EM, DESCENT_EM, GLYPH_WIDTH, num, type EncodedText } from './glyphlessFont.ts';
import {
  fitLine,
  lineBaselines,
  snapSizes,
  textDirection,
  toUpright,
  uprightToDisplay,
  type PlacedWord,
} from './lineGeometry.ts';
import { pageLayout } from './pageLayout.ts';
import type { Matrix } from './pageGeometry.ts';

/**
 * The invisible text layer of one page as content-stream operators.
 *
 * Words come in raster pixels (origin top-left, y down) and are placed in display space (points,
 * origin bottom-left of the page as displayed, y up); a leading `cm` maps display space into the
 * page's user space (see pageGeometry.ts). The lines are the lines of the page's text (the
 * `.txt`), in its order (pageLayout.ts), so every extractor that follows lines reads what the
 * `.txt` says. Each line is written on one baseline band with one font size (lineGeometry.ts);
 * each word is stretched with `Tz` so its advance equals its box width, and a space glyph fills
 * the gap to the next word of the line so copy/paste and search see word breaks.
 */

/** Encodes text for the font (`GlyphlessFont.encode`). */
export type EncodeText = (text: string) => EncodedText;

export interface LayerInput {
  /** The page's text as recognised (lines separated by `\n`): it gives the lines and their order. */
  text: string;
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
  /** Hex code of the glyph that reads as two spaces (GlyphlessFont.WIDE_SPACE). */
  wideSpace: string;
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
 * Gaps between words that need a bridge, in ems of the line's font: poppler starts a new line
 * inside a block at a gap over 1.5 em, and leaves a word out of a block when it lies over 0.7 em
 * beyond the block's edge, which is the case of a wide gap in a line that no neighbouring line
 * spans (a table row, a heading or footer, widely spaced lines).
 */
const LINE_GAP = 1.4;
const WIDE_GAP = 0.6;
/** Lines closer than this (in ems) are one block to poppler (its limit: 1.5). */
const BLOCK_LINE_PITCH = 1.45;
/** Smallest gap between words, in ems, that every extractor reads as a space. */
const MIN_GAP = 0.18;
/** Space glyph on each side of a bridge, in ems: the bridge stays a word of its own. */
const BRIDGE_MARGIN = 0.2;

/** Where a line lies in the upright frame: its words, band bottom at its centre, font size. */
interface LineFrame {
  words: readonly PlacedWord[];
  centre: number;
  em: number;
}

/**
 * Whether another line of the same block (same font size, close enough) has words all across x
 * from `a` to `b`, with no wide gap of its own there: poppler's block then reaches across the gap.
 */
function spanned(frames: readonly LineFrame[], index: number, a: number, b: number): boolean {
  const own = frames[index];
  const hole = WIDE_GAP * own.em;
  return frames.some((f, k) => {
    if (k === index || f.em !== own.em || Math.abs(f.centre - own.centre) > BLOCK_LINE_PITCH * own.em)
      return false;
    let reached = a;
    for (const w of f.words) {
      if (w.x1 <= reached) continue;
      if (w.x0 - reached > hole) return false;
      reached = w.x1;
      if (reached >= b - hole) return true;
    }
    return false;
  });
}

/**
 * A text line cut where a word does not share at least half its height with the word before it
 * (never the case for Tesseract's lines, whose words are beside each other): each piece is
 * written where its words are.
 */
function splitWhereOffLine(line: readonly PlacedWord[]): PlacedWord[][] {
  const parts: PlacedWord[][] = [];
  for (const w of line) {
    const prev = parts.at(-1)?.at(-1);
    const overlap = prev ? Math.min(prev.top, w.top) - Math.max(prev.bottom, w.bottom) : 0;
    if (prev && overlap >= 0.5 * Math.min(prev.top - prev.bottom, w.top - w.bottom)) parts.at(-1)!.push(w);
    else parts.push([w]);
  }
  return parts;
}

/**
 * Each line's band as the median of its paragraph's: the lines of a paragraph are set in one type,
 * but a line without descenders (a short last line, a line of digits) has a lower band than the
 * others, and written in a smaller size it would be a block of its own to poppler.
 */
function paragraphBands(bands: readonly number[], blockOf: readonly number[]): number[] {
  const byBlock = new Map<number, number[]>();
  bands.forEach((b, k) => byBlock.set(blockOf[k], [...(byBlock.get(blockOf[k]) ?? []), b]));
  const median = new Map<number, number>();
  for (const [block, list] of byBlock) median.set(block, list.sort((a, b) => a - b)[list.length >> 1]);
  return blockOf.map((block) => median.get(block)!);
}

/** Returns the page's text-layer operators, or '' when there is nothing to draw. */
export function buildTextLayer(input: LayerInput): string {
  const { rasterWidth, rasterHeight, pageWidth, pageHeight } = input;
  if (!(rasterWidth > 0 && rasterHeight > 0 && pageWidth > 0 && pageHeight > 0)) return '';
  const sx = pageWidth / rasterWidth;
  const sy = pageHeight / rasterHeight;
  const lines: PlacedWord[][] = [];
  const blockOf: number[] = [];
  for (const [blockIndex, block] of pageLayout(input.text, input.words).entries())
    for (const line of block.lines) {
      const placed: PlacedWord[] = [];
      for (const { text, box } of line.words) {
        if (!box) continue;
        const w: PlacedWord = {
          text,
          x0: box.x0 * sx,
          x1: box.x1 * sx,
          top: pageHeight - box.y0 * sy,
          bottom: pageHeight - box.y1 * sy,
        };
        if (w.x1 > w.x0 && w.top > w.bottom) placed.push(w);
      }
      if (placed.length > 0) {
        lines.push(placed);
        blockOf.push(blockIndex);
      }
    }
  if (lines.length === 0) return '';

  // A page whose text runs down or up it (scanned sideways and kept so) is laid out in a frame
  // turned with the text, so its lines are fitted and written like horizontal ones. A text line
  // whose words do not lie on one line (never from Tesseract) is split where they leave it.
  const direction = textDirection(lines.flat());
  const framed: PlacedWord[][] = [];
  const framedBlock: number[] = [];
  lines.forEach((line, k) => {
    const upright = direction === 0 ? line : line.map((w) => toUpright(w, direction, pageWidth, pageHeight));
    const parts = splitWhereOffLine(upright);
    for (const part of parts) {
      framed.push(part);
      // The pieces of a split line are not trusted to share their paragraph's type.
      framedBlock.push(parts.length === 1 ? blockOf[k] : -framed.length);
    }
  });

  const fits = framed.map(fitLine);
  const bands = snapSizes(
    paragraphBands(
      fits.map((f) => f.size),
      framedBlock,
    ),
  );
  const frames: LineFrame[] = framed.map((line, k) => {
    const left = Math.min(...line.map((w) => w.x0));
    const right = Math.max(...line.map((w) => w.x1));
    // Centred on the line's own band when its height was snapped to a neighbour's.
    const bottom = fits[k].base + (fits[k].size - bands[k]) / 2;
    const words = [...line].sort((p, q) => p.x0 - q.x0);
    return { words, centre: bottom + (fits[k].slope * (left + right)) / 2, em: bands[k] / BAND_EM };
  });

  const ops: string[] = ['q'];
  if (input.displayToUser) ops.push(`${input.displayToUser.map(num).join(' ')} cm`);
  if (direction !== 0)
    ops.push(`${uprightToDisplay(direction, pageWidth, pageHeight).map(num).join(' ')} cm`);
  // Render mode 3 = neither fill nor stroke: invisible, but extractable and selectable.
  ops.push('BT', '3 Tr', '0 Tc', '0 Tw');
  const space = input.encode(' ');
  framed.forEach((line, k) => {
    const { slope } = fits[k];
    const { em } = frames[k];
    const bottom = fits[k].base + (fits[k].size - bands[k]) / 2;
    ops.push(`/${input.fontName} ${num(em)} Tf`);
    const glyphAdvance = (em * GLYPH_WIDTH) / 1000;
    const tz = (width: number, glyphs = 1): string => `${num((100 * width) / (glyphAdvance * glyphs))} Tz`;
    // The font's descent puts the baseline that far above the band's bottom.
    const baselines = lineBaselines(line, slope, bottom + DESCENT_EM * em, em);
    line.forEach((w, i) => {
      const encoded = input.encode(visualOrder(w.text));
      if (encoded.glyphs === 0) return;
      const next = line[i + 1];
      const ltr = next !== undefined && next.x0 >= w.x0; // right to left: no spaces, extractors see the gaps
      // Extractors put a space between words only past a minimum gap (poppler's raw order: 0.15
      // em): a word that (nearly) touches the next one ends a little early, by at most a quarter.
      const end = ltr ? Math.max(Math.min(w.x1, next.x0 - MIN_GAP * em), w.x0 + 0.75 * (w.x1 - w.x0)) : w.x1;
      ops.push(
        `1 0 0 1 ${num(w.x0)} ${num(baselines[i])} Tm`,
        tz(end - w.x0, encoded.glyphs),
        `<${encoded.hex}> Tj`,
      );
      if (!ltr) return;
      // A space glyph fills the gap to the next word (a tiny one when the boxes overlap). A wide
      // gap gets a bridge: a glyph that reads as two spaces, which poppler (skipping plain spaces)
      // keeps as a word, so the line stays one line and the row of a table one row.
      const gap = Math.max(next.x0 - end, em * 0.01);
      if (gap > LINE_GAP * em || (gap > WIDE_GAP * em && !spanned(frames, k, w.x1, next.x0))) {
        const margin = BRIDGE_MARGIN * em;
        ops.push(tz(margin), `<${space.hex}> Tj`, tz(gap - 2 * margin), `<${input.wideSpace}> Tj`);
        ops.push(tz(margin), `<${space.hex}> Tj`);
      } else ops.push(tz(gap), `<${space.hex}> Tj`);
    });
  });
  ops.push('ET', 'Q');
  return ops.join('\n') + '\n';
}
