/**
 * Page layout estimates on small binarised copies: the skew of the text lines (projection
 * profiles) and the page's orientation (which way is up), both cheap enough to run on every page.
 */
import type { Binary } from './grey.ts';

const DEG = Math.PI / 180;

/** Ink pixel coordinates relative to the image centre (subsampled on very dark pages). */
export interface InkPoints {
  xs: Float32Array;
  ys: Float32Array;
  count: number;
}

const MAX_POINTS = 120_000;
/**
 * Points the coarse scan looks at. It only has to land within a step of the best angle, and a
 * fifth of a page's ink shows the lines as well as all of it; the fine scan uses every point.
 */
const COARSE_POINTS = 30_000;

/** Every `step`-th point. */
function thinned(points: InkPoints, step: number): InkPoints {
  if (step <= 1) return points;
  const n = Math.ceil(points.count / step);
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  for (let i = 0, k = 0; k < n; i += step, k++) {
    xs[k] = points.xs[i];
    ys[k] = points.ys[i];
  }
  return { xs, ys, count: n };
}

export function inkPoints(image: Binary): InkPoints {
  let total = 0;
  for (let i = 0; i < image.data.length; i++) total += image.data[i];
  const step = Math.max(1, Math.ceil(total / MAX_POINTS));
  const n = Math.ceil(total / step);
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  const cx = image.width / 2;
  const cy = image.height / 2;
  let k = 0;
  let seen = 0;
  for (let y = 0; y < image.height; y++) {
    const row = y * image.width;
    for (let x = 0; x < image.width; x++) {
      if (image.data[row + x] === 0) continue;
      if (seen++ % step !== 0) continue;
      if (k >= n) break;
      xs[k] = x - cx;
      ys[k] = y - cy;
      k++;
    }
  }
  return { xs, ys, count: k };
}

/**
 * Sharpness of the projection of the ink onto the axis perpendicular to lines at `angle`
 * (radians, clockwise): sum of squared differences of adjacent bins, per ink pixel. Text lines
 * parallel to that direction give tall narrow peaks and empty gaps, so a high score.
 */
function profileScore(
  points: InkPoints,
  angle: number,
  vertical: boolean,
  bins: Int32Array,
  offset: number,
): number {
  bins.fill(0);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const { xs, ys, count } = points;
  // Horizontal lines: distance across the line is y' = y·cos − x·sin. Vertical lines: x' = x·cos + y·sin.
  // Two loops rather than a choice per point: this is the hottest loop of the analysis.
  if (vertical) for (let i = 0; i < count; i++) bins[(xs[i] * cos + ys[i] * sin + offset) | 0]++;
  else for (let i = 0; i < count; i++) bins[(ys[i] * cos - xs[i] * sin + offset) | 0]++;
  let s = 0;
  for (let i = 1; i < bins.length; i++) {
    const d = bins[i] - bins[i - 1];
    s += d * d;
  }
  return s / Math.max(1, count);
}

export interface SkewEstimate {
  /** Clockwise skew of the text lines, in degrees (rotate by its negative to straighten). */
  angle: number;
  /** Profile sharpness at that angle (higher is more line-like). */
  score: number;
}

/**
 * The skew of lines running horizontally (`vertical` false) or vertically, searched within
 * ±`maxDegrees`: a coarse 0.5° scan (on a thinned set of the ink), then 0.05° steps around the
 * best with all of it. `points` are the image's ink points, when the caller has them already.
 */
export function estimateSkew(
  image: Binary,
  vertical: boolean,
  maxDegrees = 10,
  points: InkPoints = inkPoints(image),
): SkewEstimate {
  if (points.count < 200) return { angle: 0, score: 0 };
  const diagonal = Math.ceil(Math.hypot(image.width, image.height)) + 2;
  const bins = new Int32Array(diagonal);
  const offset = diagonal / 2;
  const coarse = thinned(points, Math.floor(points.count / COARSE_POINTS));
  let centre = 0;
  let coarseBest = -1;
  for (let a = -maxDegrees; a <= maxDegrees + 1e-9; a += 0.5) {
    const score = profileScore(coarse, a * DEG, vertical, bins, offset);
    if (score > coarseBest) {
      coarseBest = score;
      centre = a;
    }
  }
  // Scores are per point but not comparable across point sets: the centre again, with all of them.
  let best = { angle: centre, score: profileScore(points, centre * DEG, vertical, bins, offset) };
  for (let a = centre - 0.5; a <= centre + 0.5 + 1e-9; a += 0.05) {
    const score = profileScore(points, a * DEG, vertical, bins, offset);
    if (score > best.score) best = { angle: a, score };
  }
  return { angle: Math.round(best.angle * 100) / 100, score: best.score };
}

export interface UprightVote {
  /** Text lines whose ink reaches further above the x-height band than below it (upright Latin). */
  up: number;
  /** Lines with more ink below the band: upside down. */
  down: number;
  /** Median height of the lines' dense band (the x-height), in pixels of the image measured; 0 without lines. */
  xHeight: number;
}

/**
 * Counts text lines that look upright vs upside down in an image whose lines run horizontally.
 * Latin, Cyrillic and Greek text has more ascenders (capitals, b d f h k l t, i-dots, accents)
 * than descenders (g j p q y), so above a line's dense x-height band there is more ink than below
 * it. The page is cut into vertical strips so that columns whose lines do not align are measured
 * apart.
 */
export function uprightVotes(image: Binary, dpi: number): UprightVote {
  const strips = Math.max(1, Math.round(image.width / (dpi * 1.2)));
  const stripWidth = Math.ceil(image.width / strips);
  const minLine = Math.max(3, Math.round(dpi * 0.04)); // ~3 pt
  const maxLine = Math.round(dpi * 0.6); // ~43 pt
  const profile = new Int32Array(image.height);
  let up = 0;
  let down = 0;
  const cores: number[] = [];
  for (let s = 0; s < strips; s++) {
    const x0 = s * stripWidth;
    const x1 = Math.min(image.width, x0 + stripWidth);
    profile.fill(0);
    for (let y = 0; y < image.height; y++) {
      const row = y * image.width;
      let c = 0;
      for (let x = x0; x < x1; x++) c += image.data[row + x];
      profile[y] = c;
    }
    // A row with a few pixels of ink is noise or the tip of a letter; lines are runs of rows
    // with ink, separated by (nearly) empty rows.
    const noise = Math.max(1, Math.round((x1 - x0) * 0.004));
    let y = 0;
    while (y < image.height) {
      if (profile[y] <= noise) {
        y++;
        continue;
      }
      const start = y;
      while (y < image.height && profile[y] > noise) y++;
      const end = y; // exclusive
      const h = end - start;
      if (h < minLine || h > maxLine) continue;
      let peak = 0;
      let total = 0;
      for (let i = start; i < end; i++) {
        peak = Math.max(peak, profile[i]);
        total += profile[i];
      }
      // A line needs some letters in it: at least ~4 letters' worth of ink.
      if (total < h * h * 1.5) continue;
      const core = peak * 0.45;
      let first = start;
      while (profile[first] < core) first++;
      let last = end - 1;
      while (profile[last] < core) last--;
      let above = 0;
      let below = 0;
      for (let i = start; i < first; i++) above += profile[i];
      for (let i = last + 1; i < end; i++) below += profile[i];
      const coreHeight = last - first + 1;
      // Lines without a clear band (a row of capitals, a rule, a picture) say nothing.
      if (coreHeight < 2 || coreHeight > h * 0.8) continue;
      cores.push(coreHeight);
      if (above > below * 1.25) up++;
      else if (below > above * 1.25) down++;
    }
  }
  cores.sort((a, b) => a - b);
  return { up, down, xHeight: cores.length > 0 ? cores[cores.length >> 1] : 0 };
}
