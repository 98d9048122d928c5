/**
 * Word boxes for a page kept with its own text layer (mode `auto`: nothing was recognised, so
 * nothing but its text was stored). ALTO and hOCR need boxes for every word, so they are worked
 * out at export from the same pdf.js text items the stored text was read from (textFromContent):
 * the same characters split at the same whitespace give the same words, in the same order.
 *
 * pdf.js gives each text item its origin, direction, advance width and font height, not its glyph
 * widths: a character gets a share of its item's width by a rough class of its usual width
 * (narrow i, l, punctuation; wide m, w; capitals; the rest), so a word's box is exact at the
 * item's ends and close within it. Vertically the box spans the font's usual 0.2 em below the
 * baseline to 0.8 em above it.
 */

/** A character's usual advance relative to others of a proportional font (Helvetica-like). */
function relativeWidth(ch: string): number {
  if (/[ijlftI.,;:'!|()[\]`]/.test(ch)) return 0.3;
  if (/[mwMW@%]/.test(ch)) return 0.85;
  if (/[A-Z]/.test(ch)) return 0.68;
  if (/\s/u.test(ch)) return 0.28;
  return 0.55;
}

/** The parts of a pdf.js text item read here. */
export interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
  transform?: number[];
  width?: number;
  height?: number;
}

/** A word with its box in pixels of the page rendered at the requested resolution (y down). */
export interface BoxedWord {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

type Matrix = readonly [number, number, number, number, number, number] | readonly number[];

/**
 * Words of the text items, boxes mapped to raster pixels by `viewport` (pdf.js's viewport
 * transform at the page's resolution: it accounts for the CropBox and /Rotate).
 */
export function wordsFromContent(items: readonly unknown[], viewport: Matrix): BoxedWord[] {
  const words: BoxedWord[] = [];
  let current: BoxedWord | null = null;
  const flush = (): void => {
    if (current) words.push(current);
    current = null;
  };
  const toPixels = (x: number, y: number): [number, number] => [
    viewport[0] * x + viewport[2] * y + viewport[4],
    viewport[1] * x + viewport[3] * y + viewport[5],
  ];
  for (const raw of items) {
    const item = raw as TextItemLike;
    const chars = [...(typeof item.str === 'string' ? item.str : '')];
    const t = item.transform;
    const geometry = t && t.length === 6 && t.every(Number.isFinite) ? t : null;
    const scaleX = geometry ? Math.hypot(geometry[0], geometry[1]) : 0;
    const scaleY = geometry ? Math.hypot(geometry[2], geometry[3]) : 0;
    const width = Number.isFinite(item.width) ? (item.width as number) : 0;
    const height = Number.isFinite(item.height) && item.height! > 0 ? item.height! : scaleY;
    const shares = chars.map(relativeWidth);
    const total = shares.reduce((sum, w) => sum + w, 0);
    let start = 0;
    chars.forEach((ch, i) => {
      const a = total > 0 ? (width * start) / total : 0;
      start += shares[i];
      const b = total > 0 ? (width * start) / total : 0;
      if (/\s/u.test(ch)) return flush();
      if (!geometry || scaleX === 0 || scaleY === 0) {
        current = current
          ? { ...current, text: current.text + ch }
          : { text: ch, x0: 0, y0: 0, x1: 0, y1: 0 };
        return;
      }
      // Along the baseline (unit vector u) and up the glyphs (unit vector v), in user space.
      const [ux, uy] = [geometry[0] / scaleX, geometry[1] / scaleX];
      const [vx, vy] = [geometry[2] / scaleY, geometry[3] / scaleY];
      const corners = [
        [a, -0.2 * height],
        [b, -0.2 * height],
        [a, 0.8 * height],
        [b, 0.8 * height],
      ].map(([along, up]) =>
        toPixels(geometry[4] + ux * along + vx * up, geometry[5] + uy * along + vy * up),
      );
      const xs = corners.map((c) => c[0]);
      const ys = corners.map((c) => c[1]);
      const box = { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
      current = current
        ? {
            text: current.text + ch,
            x0: Math.min(current.x0, box.x0),
            y0: Math.min(current.y0, box.y0),
            x1: Math.max(current.x1, box.x1),
            y1: Math.max(current.y1, box.y1),
          }
        : { text: ch, ...box };
    });
    if (item.hasEOL) flush();
  }
  flush();
  return words.map((w) => ({
    text: w.text,
    x0: Math.round(w.x0),
    y0: Math.round(w.y0),
    x1: Math.round(w.x1),
    y1: Math.round(w.y1),
  }));
}
