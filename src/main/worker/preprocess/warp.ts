/**
 * The photo path's one resampling: the page cut out of the photo along its four corners, its
 * perspective undone (a homography maps each output pixel to the photo), and the light divided
 * out (each pixel over the paper's level there, from capture.ts's light map), all in one pass.
 */
import type { Grey } from './grey.ts';
import type { LightMap, Point } from './capture.ts';

/** Pixels between two exact computations of the light's gain along a row. */
const GAIN_STEP = 32;

/** Paper comes out at this level after the division (ink keeps its ratio to the paper). */
export const FLAT_PAPER = 240;

/** Maps input pixel coordinates to output ones (`forward`) and back (`inverse`). */
export interface PointMap {
  forward(x: number, y: number): [number, number];
  inverse(u: number, v: number): [number, number];
  /** `inverse` as a 3 × 3 homography, row-major (the resampling loop steps through it). */
  toInput: readonly number[];
}

/** The 3 × 3 homography (h[8] = 1) taking the unit corners of `from` to `to`, row-major. */
function solveHomography(from: readonly Point[], to: readonly Point[]): number[] {
  // Eight equations in h0..h7: x' = (h0 x + h1 y + h2) / (h6 x + h7 y + 1), same for y'.
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i];
    const [u, v] = to[i];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination with partial pivoting.
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const p = a[col][col];
    if (Math.abs(p) < 1e-12) throw new Error('degenerate page corners');
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const f = a[r][col] / p;
      if (f === 0) continue;
      for (let c = col; c < 9; c++) a[r][c] -= f * a[col][c];
    }
  }
  return [...a.map((row, i) => row[8] / row[i]), 1];
}

function apply(h: readonly number[], x: number, y: number): [number, number] {
  const w = h[6] * x + h[7] * y + h[8];
  return [(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w];
}

/** The perspective map from an upright `width` × `height` page onto the photo's quad `corners`. */
export function pageMap(corners: readonly Point[], width: number, height: number): PointMap {
  const rect: Point[] = [
    [0, 0],
    [width, 0],
    [width, height],
    [0, height],
  ];
  const toPhoto = solveHomography(rect, corners);
  const toPage = solveHomography(corners, rect);
  return {
    forward: (x, y) => apply(toPage, x, y),
    inverse: (u, v) => apply(toPhoto, u, v),
    toInput: toPhoto,
  };
}

/** The identity map (a photo whose page fills the frame: only its light is flattened). */
export const IDENTITY_MAP: PointMap = {
  forward: (x, y) => [x, y],
  inverse: (u, v) => [u, v],
  toInput: [1, 0, 0, 0, 1, 0, 0, 0, 1],
};

/** Output size of the page cut from `corners`: its longer opposite sides. */
export function pageSize(corners: readonly Point[]): { width: number; height: number } {
  const d = (p: Point, q: Point): number => Math.hypot(p[0] - q[0], p[1] - q[1]);
  const [tl, tr, br, bl] = corners;
  return {
    width: Math.round(Math.max(d(tl, tr), d(bl, br))),
    height: Math.round(Math.max(d(tl, bl), d(tr, br))),
  };
}

/**
 * Resamples `image` through `map` onto a `width` × `height` page (bilinear), dividing each pixel
 * by the paper's level at its place in the photo (`light`, interpolated between tile centres).
 * The homography's numerators and denominator step linearly along a row, so each pixel costs one
 * division; the identity (a photo without an outline) copies pixels instead of interpolating.
 */
export function warpAndFlatten(
  image: Grey,
  map: PointMap,
  width: number,
  height: number,
  light: LightMap,
): Grey {
  const out = new Uint8Array(width * height);
  const { data: src, width: sw, height: sh } = image;
  const { cols, rows, tile, levels } = light;
  // Paper gain per tile (FLAT_PAPER / level), interpolated per pixel between tile centres.
  const gain = new Float32Array(levels.length);
  for (let i = 0; i < levels.length; i++) gain[i] = FLAT_PAPER / Math.max(8, levels[i]);
  const gainAt = (px: number, py: number): number => {
    if (cols < 2 || rows < 2) return gain[0];
    const gx = Math.min(cols - 1, Math.max(0, px / tile - 0.5));
    const gy = Math.min(rows - 1, Math.max(0, py / tile - 0.5));
    const gc = Math.min(cols - 2, gx | 0);
    const gr = Math.min(rows - 2, gy | 0);
    const ax = gx - gc;
    const k = gr * cols + gc;
    const top = gain[k] + (gain[k + 1] - gain[k]) * ax;
    const bottom = gain[k + cols] + (gain[k + cols + 1] - gain[k + cols]) * ax;
    return top + (bottom - top) * (gy - gr);
  };
  const h = map.toInput;
  const identity = h.every((v, i) => v === [1, 0, 0, 0, 1, 0, 0, 0, 1][i]) && width === sw && height === sh;
  const xMax = sw - 1;
  const yMax = sh - 1;
  // The gain changes over a tile, not a pixel: computed every GAIN_STEP pixels along a row and
  // interpolated linearly in between.
  // In 1/256 steps: an integer multiply and shift per pixel.
  const rowGain = new Int32Array(width + GAIN_STEP);
  for (let v = 0; v < height; v++) {
    const row = v * width;
    const yc = v + 0.5;
    const gainAtU = (u: number): number => {
      const w = h[6] * u + h[7] * yc + h[8];
      return gainAt((h[0] * u + h[1] * yc + h[2]) / w, (h[3] * u + h[4] * yc + h[5]) / w);
    };
    for (let u0 = 0; u0 < width; u0 += GAIN_STEP) {
      const u1 = Math.min(width, u0 + GAIN_STEP);
      const g0 = Math.round(gainAtU(u0 + 0.5) * 256);
      const g1 = Math.round(gainAtU(u1 + 0.5) * 256);
      for (let u = u0; u < u1; u++) rowGain[u] = (g0 + ((g1 - g0) * (u - u0)) / (u1 - u0)) | 0;
    }
    if (identity) {
      for (let u = 0, i = row; u < width; u++, i++) {
        const value = (src[i] * rowGain[u] + 128) >> 8;
        out[i] = value > 255 ? 255 : value;
      }
      continue;
    }
    // Pixel centres (u + 0.5, v + 0.5) through the homography, stepping along the row.
    let X = h[0] * 0.5 + h[1] * (v + 0.5) + h[2];
    let Y = h[3] * 0.5 + h[4] * (v + 0.5) + h[5];
    let W = h[6] * 0.5 + h[7] * (v + 0.5) + h[8];
    for (let u = 0; u < width; u++, X += h[0], Y += h[3], W += h[6]) {
      const x = Math.min(xMax, Math.max(0, X / W - 0.5));
      const y = Math.min(yMax, Math.max(0, Y / W - 0.5));
      const ix = Math.min(xMax - 1, x | 0);
      const iy = Math.min(yMax - 1, y | 0);
      const fx = x - ix;
      const i = iy * sw + ix;
      const top = src[i] + (src[i + 1] - src[i]) * fx;
      const bottom = src[i + sw] + (src[i + sw + 1] - src[i + sw]) * fx;
      const value = ((top + (bottom - top) * (y - iy)) * rowGain[u] + 128) >> 8;
      out[row + u] = value > 255 ? 255 : value;
    }
  }
  return { width, height, data: out };
}
