/**
 * Scanned PDF pages without a render. Most scans are one image drawn over the whole page at the
 * page's own resolution (`q 612 0 0 792 0 0 cm /Im0 Do Q` with a 2550 × 3300 image: what
 * scanners, img2pdf and ocrmypdf write). pdf.js has already decoded that image while parsing the
 * page; rendering it would copy it into a canvas at 1:1 (pdf.js draws images at whole-pixel
 * positions, so nothing is resampled) and read the canvas back, ~300 ms of CPU for an A4 page
 * at 300 DPI. Here the decoded pixels go straight to grey instead: the same bytes the render
 * gives (checked in test/unit/image-page.test.ts), for a fraction of the cost.
 *
 * Anything else on the page (text, vector drawing, annotations, a clip, transparency, a second
 * image, an image that would be scaled or turned by less than a quarter) returns null and the
 * page is rendered as before.
 */
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** A page's parsed content as pdf.js lists it (`page.getOperatorList()`). */
export type PDFOperatorList = Awaited<ReturnType<PDFPageProxy['getOperatorList']>>;

/** The pdf.js operator codes this module reads (`pdfjs.OPS`). */
export interface ImagePageOps {
  dependency: number;
  save: number;
  restore: number;
  transform: number;
  setGState: number;
  paintImageXObject: number;
  beginMarkedContent: number;
  beginMarkedContentProps: number;
  endMarkedContent: number;
}

export type Matrix = [number, number, number, number, number, number];

/** `m × n` in PDF's row-vector convention: n is applied first, then m (canvas `transform`). */
export function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

/**
 * ExtGState keys that never change how an opaque image is painted, whatever their value: line
 * styles, stroke alpha, rendering intent, flatness, overprint (not simulated by pdf.js's canvas),
 * the font. Shared by the two readers of a page's graphics state (here and pageContent.ts).
 */
export const PAINT_NEUTRAL_STATE_KEYS: ReadonlySet<string> = new Set(
  'LW LC LJ ML D RI FL CA OP op OPM Font'.split(' '),
);

/**
 * Graphics state entries (pdf.js's operator-list form) that cannot change how an opaque image is
 * painted: the paint-neutral keys; blend mode, fill alpha and soft mask only at their defaults; a
 * transfer function (`TR`) never.
 */
function harmlessState(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  return entries.every((entry) => {
    if (!Array.isArray(entry)) return false;
    const [key, value] = entry as [unknown, unknown];
    if (typeof key === 'string' && PAINT_NEUTRAL_STATE_KEYS.has(key)) return true;
    switch (key) {
      case 'BM':
        return value === 'source-over';
      case 'ca':
        return value === 1;
      case 'SMask':
        return value === false;
      default:
        return false;
    }
  });
}

/** The one image a page paints and the matrix it is painted with (image unit square → PDF user space). */
export function soleImage(ops: PDFOperatorList, OPS: ImagePageOps): { objId: string; ctm: Matrix } | null {
  const stack: Matrix[] = [];
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  let found: { objId: string; ctm: Matrix } | null = null;
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] as unknown[] | null;
    if (fn === OPS.dependency || fn === OPS.beginMarkedContent || fn === OPS.endMarkedContent) continue;
    if (fn === OPS.beginMarkedContentProps) {
      // Optional content ("OC") can hide what follows: only a render knows.
      if (args?.[0] === 'OC') return null;
      continue;
    }
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = multiply(ctm, args as Matrix);
    else if (fn === OPS.setGState) {
      if (!harmlessState(args?.[0])) return null;
    } else if (fn === OPS.paintImageXObject) {
      if (found || typeof args?.[0] !== 'string') return null;
      found = { objId: args[0], ctm };
    } else return null;
  }
  return found;
}

/** pdf.js's decoded image as it hands it to the canvas. */
interface DecodedPdfImage {
  width: number;
  height: number;
  /** 1: 1 bit per pixel, rows padded to bytes, 1 = white; 2: RGB; 3: RGBA. */
  kind: number;
  data?: Uint8Array | Uint8ClampedArray;
  bitmap?: unknown;
}

const GRAYSCALE_1BPP = 1;
const RGB_24BPP = 2;

/** Within this of a whole pixel, pdf.js's rounding of a corner cannot go either way. */
const EPSILON = 0.01;
// `+ 0`: no −0 (from a −1e-12) in the result.
const whole = (v: number): number | null =>
  Math.abs(v - Math.round(v)) < EPSILON ? Math.round(v) + 0 : null;

/**
 * Where pdf.js puts the image's pixels on the canvas, when it copies them 1:1 (see
 * `drawImageAtIntegerCoords` in pdf.js: a corner rounded to whole pixels and a draw of
 * `width` × `height` pixels, mirrored or transposed by the signs of the matrix). `device` is the
 * viewport transform × the image's matrix; null when the image would be scaled or turned freely.
 * Image pixel (i, j) lands on column `x0 + xi·i + xj·j`, row `y0 + yi·i + yj·j`.
 */
export function placement(
  device: Matrix,
  width: number,
  height: number,
): { x0: number; y0: number; xi: number; xj: number; yi: number; yj: number } | null {
  // pdf.js scales by (1/width, −1/height) and draws the rectangle (0, −height, width, height).
  const [a, b, c, d, tx, ty] = multiply(device, [1 / width, 0, 0, -1 / height, 0, 0]);
  // Exact zeros, as pdf.js tests them: anything else is drawn through a general transform.
  if (b === 0 && c === 0) {
    const left = whole(tx);
    const top = whole(-height * d + ty);
    const right = whole(width * a + tx);
    const bottom = whole(ty);
    if (left === null || top === null || right === null || bottom === null) return null;
    if (Math.abs(right - left) !== width || Math.abs(bottom - top) !== height) return null;
    const sx = Math.sign(a);
    const sy = Math.sign(d);
    return { x0: sx > 0 ? left : left - 1, y0: sy > 0 ? top : top - 1, xi: sx, xj: 0, yi: 0, yj: sy };
  }
  if (a === 0 && d === 0) {
    const left = whole(-height * c + tx);
    const top = whole(ty);
    const right = whole(tx);
    const bottom = whole(width * b + ty);
    if (left === null || top === null || right === null || bottom === null) return null;
    if (Math.abs(right - left) !== height || Math.abs(bottom - top) !== width) return null;
    const sx = Math.sign(c);
    const sy = Math.sign(b);
    return { x0: sx > 0 ? left : left - 1, y0: sy > 0 ? top : top - 1, xi: 0, xj: sx, yi: sy, yj: 0 };
  }
  return null;
}

function objectOf(page: PDFPageProxy, objId: string): Promise<DecodedPdfImage | null> {
  // Shared images ("g_" ids) live in the document's objects, the rest in the page's (as in pdf.js's canvas).
  const store = objId.startsWith('g_') ? page.commonObjs : page.objs;
  return new Promise((resolve, reject) => {
    store.get(objId, (data: unknown) => resolve(data as DecodedPdfImage | null), reject);
  });
}

/**
 * The page as 8-bit grey PGM (`width` × `height`, white where the image does not reach) when it
 * is one opaque image copied 1:1, else null. `ops` is the page's operator list for display
 * (what `page.render` draws); `viewport` the transform of the render it replaces.
 */
export async function imagePagePgm(
  page: PDFPageProxy,
  ops: PDFOperatorList,
  OPS: ImagePageOps,
  viewport: Matrix,
  width: number,
  height: number,
): Promise<Uint8Array | null> {
  const sole = soleImage(ops, OPS);
  if (!sole) return null;
  const image = await objectOf(page, sole.objId);
  if (!image?.data || image.bitmap) return null;
  const { kind, data, width: iw, height: ih } = image;
  if (kind !== GRAYSCALE_1BPP && kind !== RGB_24BPP) return null;
  const rowBytes = kind === GRAYSCALE_1BPP ? (iw + 7) >> 3 : iw * 3;
  if (data.length < rowBytes * ih) return null;
  const at = placement(multiply(viewport, sole.ctm), iw, ih);
  if (!at) return null;

  // The image's own rows, as grey (same luma weights as the render's PGM; 1-bit: 0 or 255).
  return placeRows(width, height, at, iw, ih, (j, dest) => {
    const src = j * rowBytes;
    if (kind === GRAYSCALE_1BPP) {
      for (let i = 0; i < iw; i++) dest[i] = ((data[src + (i >> 3)] >> (7 - (i & 7))) & 1) * 255;
    } else {
      for (let i = 0, k = src; i < iw; i++, k += 3)
        dest[i] = (data[k] * 77 + data[k + 1] * 150 + data[k + 2] * 29) >> 8;
    }
  });
}

/** Where an image's pixels land on the page (`placement`). */
export type Placement = NonNullable<ReturnType<typeof placement>>;

/**
 * The page as 8-bit grey PGM (`width` × `height`, white where the image does not reach) with an
 * `iw` × `ih` image placed by `at`. `row(j, dest)` writes the grey levels of image row j into
 * `dest` (`iw` bytes): straight into the page when the image is upright and fills it (the usual
 * scan), else into a scratch row copied along the image's direction on the page.
 */
export function placeRows(
  width: number,
  height: number,
  at: Placement,
  iw: number,
  ih: number,
  row: (j: number, dest: Uint8Array) => void,
): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + width * height);
  out.set(header, 0);
  const grey = out.subarray(header.length);
  const scratch = new Uint8Array(iw);
  const covers = at.xi === 1 && at.yj === 1 && at.x0 === 0 && at.y0 === 0 && iw === width && ih === height;
  if (!covers) grey.fill(255);
  for (let j = 0; j < ih; j++) {
    if (covers) {
      row(j, grey.subarray(j * width, (j + 1) * width));
      continue;
    }
    row(j, scratch);
    // Image row j is a line of pixels on the page: from (x, y), one step per pixel.
    const x = at.x0 + at.xj * j;
    const y = at.y0 + at.yj * j;
    const step = at.yi * width + at.xi;
    const lastX = x + at.xi * (iw - 1);
    const lastY = y + at.yi * (iw - 1);
    const inside = (px: number, py: number): boolean => px >= 0 && py >= 0 && px < width && py < height;
    if (inside(x, y) && inside(lastX, lastY)) {
      for (let i = 0, k = y * width + x; i < iw; i++, k += step) grey[k] = scratch[i];
    } else {
      for (let i = 0; i < iw; i++) {
        const px = x + at.xi * i;
        const py = y + at.yi * i;
        if (inside(px, py)) grey[py * width + px] = scratch[i];
      }
    }
  }
  return out;
}
