import type { Word } from '../../../shared/model.ts';

/**
 * The blocks, lines and words of a recognised page, in reading order, as every structured export
 * (ALTO, hOCR, the searchable PDF's text layer) writes them.
 *
 * What is stored for a page is its text and its words (with boxes and confidence), not
 * Tesseract's layout tree; but the text *is* that tree written out: Tesseract joins the words of
 * a line with one space, ends every line with a newline and every paragraph with an empty line.
 * So the structure is recovered by walking the text's tokens and the words side by side: each
 * line of the text becomes a line, each paragraph a block. Pure and deterministic, and it works
 * the same for pages recorded by any earlier version (nothing new has to be stored).
 *
 * Words the text does not contain (Tesseract leaves image and rule blocks out of the text but
 * not out of the words) become lines of their own, grouped by position, where they fall in the
 * reading order; tokens without a word (a page kept from the PDF's own text layer has no words)
 * stay in their line without a box.
 */

/** A word of the layout: `box` and `confidence` are absent for text without a recognised word. */
export interface LayoutWord {
  text: string;
  /** In pixels of the page's raster (origin top-left, y down), as stored. */
  box?: Box;
  /** 0–100, as Tesseract reports it. */
  confidence?: number;
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface LayoutLine {
  words: LayoutWord[];
}

/** A paragraph as Tesseract found it (ALTO TextBlock, hOCR ocr_carea + ocr_par). */
export interface LayoutBlock {
  lines: LayoutLine[];
}

/** How far ahead a token's word is looked for before the token is taken as text without a box. */
const LOOKAHEAD = 64;

/** A word as stored (OCR) or read from a PDF's own text layer (no confidence). */
export type SourceWord = Omit<Word, 'confidence'> & { confidence?: number };

function toLayoutWord(w: SourceWord): LayoutWord {
  const box = {
    x0: Math.min(w.x0, w.x1),
    y0: Math.min(w.y0, w.y1),
    x1: Math.max(w.x0, w.x1),
    y1: Math.max(w.y0, w.y1),
  };
  return w.confidence === undefined
    ? { text: w.text.trim(), box }
    : { text: w.text.trim(), box, confidence: w.confidence };
}

/** Paragraphs of the text: lines of tokens, paragraphs split at empty lines. */
function paragraphsOf(text: string): string[][][] {
  const paragraphs: string[][][] = [];
  let current: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const tokens = line.split(/\s+/).filter(Boolean);
    if (tokens.length === 0) {
      if (current.length > 0) paragraphs.push(current);
      current = [];
    } else current.push(tokens);
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs;
}

/** Words that are not in the text, as blocks of lines grouped by their boxes. */
function orphanBlock(words: readonly LayoutWord[]): LayoutBlock {
  const placed = words.map((w) => ({ w, x0: w.box!.x0, x1: w.box!.x1, top: -w.box!.y0, bottom: -w.box!.y1 }));
  return { lines: groupLines(placed).map((line) => ({ words: line.map((p) => p.w) })) };
}

/** The page's blocks, lines and words in reading order (see the module comment). */
export function pageLayout(text: string, words: readonly SourceWord[]): LayoutBlock[] {
  const boxed = words.map(toLayoutWord).filter((w) => w.text !== '');
  const blocks: LayoutBlock[] = [];
  let next = 0; // the first word not yet placed
  for (const paragraph of paragraphsOf(text)) {
    let block: LayoutBlock = { lines: [] };
    for (const tokens of paragraph) {
      const line: LayoutLine = { words: [] };
      for (const token of tokens) {
        let found = -1;
        for (let k = next; k < boxed.length && k < next + LOOKAHEAD; k++) {
          if (boxed[k].text === token) {
            found = k;
            break;
          }
        }
        if (found < 0) {
          line.words.push({ text: token });
          continue;
        }
        if (found > next) {
          // Words the text skipped: their own block where they fall, then this paragraph goes on.
          if (line.words.length > 0) block.lines.push({ words: line.words.splice(0) });
          if (block.lines.length > 0) blocks.push(block);
          blocks.push(orphanBlock(boxed.slice(next, found)));
          block = { lines: [] };
        }
        line.words.push(boxed[found]);
        next = found + 1;
      }
      if (line.words.length > 0) block.lines.push(line);
    }
    if (block.lines.length > 0) blocks.push(block);
  }
  if (next < boxed.length) blocks.push(orphanBlock(boxed.slice(next)));
  return blocks;
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

/** The bounding box of boxes, or undefined when none has one. */
export function unionBox(items: readonly { box?: Box }[]): Box | undefined {
  let out: Box | undefined;
  for (const { box } of items) {
    if (!box) continue;
    out = out
      ? {
          x0: Math.min(out.x0, box.x0),
          y0: Math.min(out.y0, box.y0),
          x1: Math.max(out.x1, box.x1),
          y1: Math.max(out.y1, box.y1),
        }
      : { ...box };
  }
  return out;
}
