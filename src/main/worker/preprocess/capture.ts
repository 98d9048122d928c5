/**
 * Is this page a photograph of a page? Two things give a phone photo away, and both are measured
 * on a small copy (~600 px on its long side) in a few milliseconds:
 *
 * - **the page's outline**: a darker surround (table, floor, hand) that meets the paper in four
 *   straight edges, found by walking in from each border of the image to the first clear rise
 *   to paper and fitting a line through those points. A scan's page is a rectangle (at most
 *   turned, which deskew handles); a photo's is a quadrilateral whose opposite sides are not
 *   parallel (perspective).
 * - **the light**: the paper's level in tiles across the page (the bright end of each tile). A
 *   scanner lights a page evenly; a phone photo's paper darkens towards one side or corner.
 *
 * Either one puts the page on the photo path (preprocess.ts): the page is cut out of its
 * surround, its perspective undone and its light divided out (warp.ts) before anything else.
 * Everything else (scans, clean or not) is left as it is: their tiles agree and their outline,
 * when there is one, is a rectangle.
 */
import { shrink, type Grey } from './grey.ts';

/** A point in pixels of the full image. */
export type Point = [number, number];

export interface PageQuad {
  /** Corners in full-image pixels: top-left, top-right, bottom-right, bottom-left. */
  corners: [Point, Point, Point, Point];
  /** Sides that were found as an edge against a surround (the others are the image's border). */
  found: { top: boolean; right: boolean; bottom: boolean; left: boolean };
  /** Largest angle between opposite sides, degrees: 0 for a rectangle or a turned rectangle. */
  perspectiveDegrees: number;
}

/** The paper's brightness over the page: one level per tile, in full-image pixels. */
export interface LightMap {
  cols: number;
  rows: number;
  /** Tile size in full-image pixels. */
  tile: number;
  /** Paper level per tile (row-major), smoothed; 255 = white. */
  levels: Float32Array;
  /** Darkest paper tile over the brightest (5th / 95th percentile of the tiles inside the page). */
  evenness: number;
}

export interface CaptureAnalysis {
  quad: PageQuad | null;
  light: LightMap;
  /** Perspective beyond a scan's, or light too uneven for one threshold: take the photo path. */
  isPhoto: boolean;
  /** Why (for the report), empty when not a photo. */
  reasons: string[];
}

/** Opposite sides further from parallel than this: perspective (a turned scan's sides stay parallel). */
export const MIN_PERSPECTIVE_DEGREES = 0.6;
/** Paper darker than this share of its brightest part somewhere on the page: uneven light. */
export const MIN_EVENNESS = 0.86;
/** A surround must be at least this many grey levels darker than the paper beside it. */
const MIN_EDGE_STEP = 30;
/** Share of the scan lines of a side that must agree on one straight edge. */
const MIN_EDGE_SUPPORT = 0.6;
/** Long side of the small copy the analysis works on. */
const SMALL_SIDE = 600;
/** Tiles across the long side of the page for the light map. */
const LIGHT_TILES = 32;

/**
 * Measures outline and light on `small`, a copy of the page shrunk by `factor` (the layout
 * estimate's ~75-DPI copy); a copy larger than ~600 px on its long side is shrunk further.
 */
export function analyseCapture(pageSmall: Grey, pageFactor: number): CaptureAnalysis {
  const more = Math.max(1, Math.floor(Math.max(pageSmall.width, pageSmall.height) / SMALL_SIDE));
  const small = more > 1 ? shrink(pageSmall, more) : pageSmall;
  const factor = pageFactor * more;
  const quad = findPageQuad(small, factor);
  const light = lightMap(small, factor, quad);
  const reasons: string[] = [];
  if (quad && quad.perspectiveDegrees >= MIN_PERSPECTIVE_DEGREES)
    reasons.push(`perspective ${quad.perspectiveDegrees.toFixed(1)}°`);
  if (light.evenness < MIN_EVENNESS) reasons.push(`uneven light ${light.evenness.toFixed(2)}`);
  return { quad, light, isPhoto: reasons.length > 0, reasons };
}

type Side = 'top' | 'right' | 'bottom' | 'left';

/**
 * Edge positions of one side: for each scan line (rows for left/right, columns for top/bottom,
 * over the middle 70% of the side), the distance from the border to the first rise from the
 * surround to paper within the outer 30% of the image, or NaN.
 */
function edgePoints(small: Grey, side: Side): { along: number[]; depth: number[] } {
  const { width: w, height: h, data } = small;
  const horizontal = side === 'left' || side === 'right';
  const lines = horizontal ? h : w;
  const reach = Math.floor((horizontal ? w : h) * 0.3);
  const along: number[] = [];
  const depth: number[] = [];
  // The pixel `d` steps in from the border on scan line `line`: a start and a stride per side.
  const origin = (line: number): number =>
    side === 'left'
      ? line * w
      : side === 'right'
        ? line * w + w - 1
        : side === 'top'
          ? line
          : (h - 1) * w + line;
  const stride = side === 'left' ? 1 : side === 'right' ? -1 : side === 'top' ? w : -w;
  const profile = new Float32Array(reach);
  // Every other scan line: a side still gets hundreds of points.
  for (let line = Math.floor(lines * 0.15); line < Math.ceil(lines * 0.85); line += 2) {
    for (let d = 0, i = origin(line); d < reach; d++, i += stride) profile[d] = data[i];
    // The surround's level: the outermost pixels; the paper's: the bright end of the profile.
    const outer = Math.min(profile[0], profile[1], profile[2]);
    let paper = 0;
    for (let d = 0; d < reach; d++) paper = Math.max(paper, profile[d]);
    if (paper - outer < MIN_EDGE_STEP) continue;
    const half = outer + (paper - outer) / 2;
    let d = 0;
    while (d < reach && profile[d] < half) d++;
    // The rise must hold (paper, not a speck of light on the table): the next pixels stay bright.
    if (d + 3 >= reach || profile[d + 2] < half || profile[d + 3] < half) continue;
    // Sub-pixel: where the profile crosses the half level.
    const before = d > 0 ? profile[d - 1] : outer;
    const frac = profile[d] === before ? 0 : (half - before) / (profile[d] - before);
    along.push(line);
    depth.push(d - 1 + Math.min(1, Math.max(0, frac)));
  }
  return { along, depth };
}

/** Least-squares line depth = a·along + b, refitted without points more than `tol` away. */
function fitEdge(
  along: number[],
  depth: number[],
  tol: number,
): { a: number; b: number; inliers: number } | null {
  let keep = along.map(() => true);
  let fit = { a: 0, b: 0 };
  for (let round = 0; round < 3; round++) {
    let n = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < along.length; i++) {
      if (!keep[i]) continue;
      n++;
      sx += along[i];
      sy += depth[i];
      sxx += along[i] * along[i];
      sxy += along[i] * depth[i];
    }
    if (n < 10) return null;
    const det = n * sxx - sx * sx;
    if (det === 0) return null;
    fit = { a: (n * sxy - sx * sy) / det, b: (sy * sxx - sx * sxy) / det };
    // First round: a median-based cut (outliers pull a least-squares line); then a fixed tolerance.
    const residuals = along.map((x, i) => Math.abs(depth[i] - (fit.a * x + fit.b)));
    const limit = round === 0 ? Math.max(tol, median(residuals) * 3) : tol;
    keep = residuals.map((r) => r <= limit);
  }
  const inliers = keep.filter(Boolean).length;
  return { ...fit, inliers };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[sorted.length >> 1];
}

/** A line a·x + b·y = c in small-copy pixels. */
interface Line {
  a: number;
  b: number;
  c: number;
}

function sideLine(small: Grey, side: Side, fit: { a: number; b: number } | null): Line {
  const { width: w, height: h } = small;
  // depth = a·along + b, turned into image coordinates for each side.
  const { a, b } = fit ?? { a: 0, b: 0 };
  switch (side) {
    case 'left': // x = a·y + b
      return { a: 1, b: -a, c: b };
    case 'right': // x = w − 1 − (a·y + b)
      return { a: 1, b: a, c: w - 1 - b };
    case 'top': // y = a·x + b
      return { a: -a, b: 1, c: b };
    default: // y = h − 1 − (a·x + b)
      return { a, b: 1, c: h - 1 - b };
  }
}

function intersect(p: Line, q: Line): Point | null {
  const det = p.a * q.b - q.a * p.b;
  if (Math.abs(det) < 1e-9) return null;
  return [(p.c * q.b - q.c * p.b) / det, (p.a * q.c - q.a * p.c) / det];
}

const angleOf = (from: Point, to: Point): number => Math.atan2(to[1] - from[1], to[0] - from[0]);

function angleBetween(a: number, b: number): number {
  let d = Math.abs(a - b) % Math.PI;
  if (d > Math.PI / 2) d = Math.PI - d;
  return (d * 180) / Math.PI;
}

/**
 * The page's four corners, when at least two sides meet a surround in a straight edge (a page
 * that fills the frame has none: then null, and only the light can say it is a photo).
 */
export function findPageQuad(small: Grey, factor: number): PageQuad | null {
  const sides: Side[] = ['top', 'right', 'bottom', 'left'];
  const lines = {} as Record<Side, Line>;
  const found = { top: false, right: false, bottom: false, left: false };
  for (const side of sides) {
    const { along, depth } = edgePoints(small, side);
    // Scan lines read: every other one over the middle 70% of the side.
    const span = ((side === 'left' || side === 'right' ? small.height : small.width) * 0.7) / 2;
    const fit = along.length >= span * MIN_EDGE_SUPPORT ? fitEdge(along, depth, 1.5) : null;
    const ok = fit !== null && fit.inliers >= span * MIN_EDGE_SUPPORT;
    found[side] = ok;
    lines[side] = sideLine(small, side, ok ? fit : null);
  }
  if (sides.filter((s) => found[s]).length < 2) return null;
  const tl = intersect(lines.top, lines.left);
  const tr = intersect(lines.top, lines.right);
  const br = intersect(lines.bottom, lines.right);
  const bl = intersect(lines.bottom, lines.left);
  if (!tl || !tr || !br || !bl) return null;
  const corners = [tl, tr, br, bl].map(([x, y]) => [
    (x + 0.5) * factor,
    (y + 0.5) * factor,
  ]) as PageQuad['corners'];
  // The quad must be a plausible page: convex, most of the image, corners near it.
  const area = polygonArea(corners);
  const imageArea = small.width * small.height * factor * factor;
  if (area < imageArea * 0.3 || !convex(corners)) return null;
  const margin = 0.1 * Math.max(small.width, small.height) * factor;
  for (const [x, y] of corners)
    if (x < -margin || y < -margin || x > small.width * factor + margin || y > small.height * factor + margin)
      return null;
  const perspectiveDegrees = Math.max(
    angleBetween(angleOf(corners[0], corners[1]), angleOf(corners[3], corners[2])),
    angleBetween(angleOf(corners[0], corners[3]), angleOf(corners[1], corners[2])),
  );
  return { corners, found, perspectiveDegrees };
}

function polygonArea(p: readonly Point[]): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const [x0, y0] = p[i];
    const [x1, y1] = p[(i + 1) % p.length];
    s += x0 * y1 - x1 * y0;
  }
  return Math.abs(s) / 2;
}

function convex(p: readonly Point[]): boolean {
  let sign = 0;
  for (let i = 0; i < p.length; i++) {
    const [ax, ay] = p[i];
    const [bx, by] = p[(i + 1) % p.length];
    const [cx, cy] = p[(i + 2) % p.length];
    const cross = (bx - ax) * (cy - by) - (by - ay) * (cx - bx);
    if (cross === 0) continue;
    if (sign === 0) sign = Math.sign(cross);
    else if (Math.sign(cross) !== sign) return false;
  }
  return true;
}

/** Whether (x, y) lies inside the convex quad (full-image pixels). */
function insideQuad(corners: readonly Point[], x: number, y: number): boolean {
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const [ax, ay] = corners[i];
    const [bx, by] = corners[(i + 1) % 4];
    const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (cross === 0) continue;
    if (sign === 0) sign = Math.sign(cross);
    else if (Math.sign(cross) !== sign) return false;
  }
  return true;
}

/**
 * The paper's level in tiles: the 90th percentile of each tile of the small copy (text covers
 * far less than a tenth of a tile), tiles much darker than their neighbourhood (a picture, a
 * black bar) replaced by the neighbourhood's median, then smoothed. Tiles outside the page quad
 * (the surround) take the level of the nearest page tiles, so dividing by the map never
 * brightens the table into paper.
 */
function lightMap(small: Grey, factor: number, quad: PageQuad | null): LightMap {
  const { width: w, height: h, data } = small;
  const tileSmall = Math.max(4, Math.round(Math.max(w, h) / LIGHT_TILES));
  const cols = Math.ceil(w / tileSmall);
  const rows = Math.ceil(h / tileSmall);
  const raw = new Float32Array(cols * rows);
  const onPage = new Uint8Array(cols * rows);
  const hist = new Uint32Array(256);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      hist.fill(0);
      const x0 = c * tileSmall;
      const y0 = r * tileSmall;
      const x1 = Math.min(w, x0 + tileSmall);
      const y1 = Math.min(h, y0 + tileSmall);
      // Every other pixel of every other row: the bright end of a tile is its paper either way.
      let n = 0;
      for (let y = y0; y < y1; y += 2) for (let x = x0; x < x1; x += 2, n++) hist[data[y * w + x]]++;
      let acc = 0;
      let level = 255;
      for (let t = 0; t < 256; t++) {
        acc += hist[t];
        if (acc >= n * 0.9) {
          level = t;
          break;
        }
      }
      raw[r * cols + c] = level;
      // A tile is on the page when its centre and all four corners are inside the quad.
      const inside = (x: number, y: number): boolean =>
        quad === null || insideQuad(quad.corners, x * factor, y * factor);
      onPage[r * cols + c] =
        inside((x0 + x1) / 2, (y0 + y1) / 2) &&
        inside(x0, y0) &&
        inside(x1, y0) &&
        inside(x0, y1) &&
        inside(x1, y1)
          ? 1
          : 0;
    }
  // Dark tiles inside the page that are not paper (a picture): the neighbourhood's median.
  const cleaned = new Float32Array(raw);
  const around: number[] = [];
  // Only tiles clearly darker than the page's typical paper can be a picture (on an evenly lit
  // page: none, and nothing more is done).
  const typical = median([...raw].filter((_, i) => onPage[i] === 1));
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      if (!onPage[r * cols + c] || raw[r * cols + c] >= typical * 0.95) continue;
      around.length = 0;
      for (let dr = -2; dr <= 2; dr++)
        for (let dc = -2; dc <= 2; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if (rr >= 0 && cc >= 0 && rr < rows && cc < cols && onPage[rr * cols + cc])
            around.push(raw[rr * cols + cc]);
        }
      const m = median(around);
      if (raw[r * cols + c] < m * 0.85) cleaned[r * cols + c] = m;
    }
  // Off-page tiles: spread the page's levels outwards, nearest first.
  const known = new Uint8Array(onPage);
  if (known.some((v) => v === 1))
    for (let pass = 0; pass < cols + rows && known.some((v) => v === 0); pass++) {
      const next = new Uint8Array(known);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) {
          if (known[r * cols + c]) continue;
          let s = 0;
          let n = 0;
          for (const [dr, dc] of [
            [-1, 0],
            [1, 0],
            [0, -1],
            [0, 1],
          ]) {
            const rr = r + dr;
            const cc = c + dc;
            if (rr >= 0 && cc >= 0 && rr < rows && cc < cols && known[rr * cols + cc]) {
              s += cleaned[rr * cols + cc];
              n++;
            }
          }
          if (n > 0) {
            cleaned[r * cols + c] = s / n;
            next[r * cols + c] = 1;
          }
        }
      known.set(next);
    }
  // Smooth (3 × 3 mean), so the division leaves no tile seams.
  const levels = new Float32Array(cols * rows);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      let s = 0;
      let n = 0;
      for (let dr = -1; dr <= 1; dr++)
        for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if (rr >= 0 && cc >= 0 && rr < rows && cc < cols) {
            s += cleaned[rr * cols + cc];
            n++;
          }
        }
      levels[r * cols + c] = Math.max(1, s / n);
    }
  const page: number[] = [];
  for (let i = 0; i < levels.length; i++) if (onPage[i]) page.push(cleaned[i]);
  page.sort((a, b) => a - b);
  const q = (p: number): number => page[Math.min(page.length - 1, Math.floor(page.length * p))];
  const evenness = page.length < 9 ? 1 : q(0.05) / Math.max(1, q(0.95));
  return { cols, rows, tile: tileSmall * factor, levels, evenness };
}
