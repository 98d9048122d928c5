/**
 * Specks: salt-and-pepper dots on faxes, photocopies and dusty scans. Tesseract takes dark specks
 * for marks (stray `.` `,` `'`, lines split or merged around them) and light ones inside strokes
 * break letters apart. A speck is told from punctuation by its size relative to the text's own
 * stroke: a full stop, an i/j dot, a comma or an accent is at least about a stroke wide; the noise
 * these pages carry is a pixel or two. Only isolated blobs are touched (a dot that touches a letter
 * is part of it), and only on pages whose own statistics show many of them (`surveySpecks`).
 */
import type { Grey } from './grey.ts';

export interface SpeckSurvey {
  /** Typical stroke width of the text, pixels (median horizontal ink run of 2 px or more). */
  stroke: number;
  /** Largest speck, pixels across (less than a full stop of this text). */
  maxSpeck: number;
  /** Isolated dark blobs no larger than `maxSpeck` per million pixels (from every 4th row). */
  darkPerMp: number;
  /** Light holes no larger than `maxSpeck` inside ink, per million pixels. */
  lightPerMp: number;
}

/** Rows the survey reads (every 8th): plenty to count noise by, an eighth of the reads. */
const SURVEY_ROW_STEP = 8;
/** Runs up to this long are kept as speck candidates while the stroke is not yet known. */
const MAX_CANDIDATE = 8;
/**
 * A page is speckled from this many isolated dark specks per megapixel of the rows read. The
 * corpus's clean pages have 0–210 (a bilevel scan's threshold leaves a few), the shaded photo s09
 * 870 before it is flattened; the speckled pages 1,900–19,000 (docs/preprocessing.md).
 */
export const SPECKLED_PER_MP = 1000;

/** Speck size limit for a stroke width: three quarters of a stroke, at least one pixel. */
export function maxSpeckFor(stroke: number): number {
  return Math.max(1, Math.floor(stroke * 0.75));
}

/** Scratch for the bounded flood fill: pixel indices of the blob found (grown as needed). */
let blob = new Int32Array(64);

/**
 * The blob of pixels on the same side of `threshold` as (x, y) (`dark`: at or below it), if it fits
 * in a `size` × `size` box and nothing else of its side lies within `clearance` pixels of it (1: a
 * one-pixel ring of the other side all around): its pixel count (indices in `blob`), else 0.
 * Never reads outside the image: blobs near the border fail.
 */
function isolatedBlob(
  image: Grey,
  x: number,
  y: number,
  threshold: number,
  dark: boolean,
  size: number,
  clearance = 1,
): number {
  const { width: w, height: h, data } = image;
  const same = (i: number): boolean => data[i] <= threshold === dark;
  if (blob.length < size * size) blob = new Int32Array(size * size);
  let n = 0;
  blob[n++] = y * w + x;
  let minX = x;
  let maxX = x;
  let minY = y;
  let maxY = y;
  for (let k = 0; k < n; k++) {
    const i = blob[k];
    const px = i % w;
    const py = (i - px) / w;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const qx = px + dx;
        const qy = py + dy;
        if (qx < 1 || qy < 1 || qx >= w - 1 || qy >= h - 1) return 0;
        const q = qy * w + qx;
        if (!same(q)) continue;
        let seen = false;
        for (let m = 0; m < n; m++) if (blob[m] === q) seen = true;
        if (seen) continue;
        if (n >= size * size) return 0;
        minX = Math.min(minX, qx);
        maxX = Math.max(maxX, qx);
        minY = Math.min(minY, qy);
        maxY = Math.max(maxY, qy);
        if (maxX - minX >= size || maxY - minY >= size) return 0;
        blob[n++] = q;
      }
  }
  // The 8-connected fill stopped: every neighbour of the blob is of the other side. A wider
  // clearance: nothing of the blob's side within `clearance` pixels of its box either.
  if (clearance > 1) {
    const x0 = minX - clearance;
    const x1 = maxX + clearance;
    const y0 = minY - clearance;
    const y1 = maxY + clearance;
    if (x0 < 0 || y0 < 0 || x1 >= w || y1 >= h) return 0;
    for (let qy = y0; qy <= y1; qy++)
      for (let qx = x0, q = qy * w + x0; qx <= x1; qx++, q++) {
        if (!same(q)) continue;
        if (qx < minX || qx > maxX || qy < minY || qy > maxY) return 0;
        let inBlob = false;
        for (let m = 0; m < n; m++) if (blob[m] === q) inBlob = true;
        if (!inBlob) return 0;
      }
  }
  return n;
}

/**
 * Measures the stroke (median horizontal ink run of 2 px or more, up to `limit`) and counts
 * isolated specks (dark on paper, light in ink) no larger than about half of it, on every 8th row.
 */
export function surveySpecks(image: Grey, threshold: number, limit = 40): SpeckSurvey {
  const { width: w, height: h, data } = image;
  const hist = new Uint32Array(limit + 1);
  let runs = 0;
  // Short runs, as (index of the first pixel, length, dark ? 1 : 0) triples.
  const candidates: number[] = [];
  let pixels = 0;
  for (let y = 2; y < h - 2; y += SURVEY_ROW_STEP) {
    const row = y * w;
    pixels += w;
    let x = 1;
    while (x < w - 1) {
      const start = x;
      if (data[row + x] <= threshold) {
        while (x < w - 1 && data[row + x] <= threshold) x++;
        const len = x - start;
        if (len >= 2 && len <= limit) {
          hist[len]++;
          runs++;
        }
        if (len <= MAX_CANDIDATE) candidates.push(row + start, len, 1);
      } else {
        while (x < w - 1 && data[row + x] > threshold) x++;
        if (x - start <= MAX_CANDIDATE && start > 1 && x < w - 1) candidates.push(row + start, x - start, 0);
      }
    }
  }
  let stroke = 0;
  for (let len = 2, acc = 0; len <= limit; len++)
    if ((acc += hist[len]) * 2 >= runs) {
      stroke = len;
      break;
    }
  const maxSpeck = maxSpeckFor(stroke);
  let dark = 0;
  let light = 0;
  for (let k = 0; k < candidates.length; k += 3) {
    const [i, len, isDark] = [candidates[k], candidates[k + 1], candidates[k + 2] === 1];
    if (len > maxSpeck) continue;
    const x = i % w;
    if (isolatedBlob(image, x, (i - x) / w, threshold, isDark, maxSpeck) === 0) continue;
    // Counted from each row read: a blob is shorter than the rows' spacing, so at most once.
    if (isDark) dark++;
    else light++;
  }
  const perMp = (v: number): number => Math.round((v / Math.max(1, pixels)) * 1e6);
  return { stroke, maxSpeck, darkPerMp: perMp(dark), lightPerMp: perMp(light) };
}

export interface SpeckRemoval {
  grey: Grey;
  /** Dark specks painted with the paper around them, light ones filled with the ink around them. */
  dark: number;
  light: number;
}

/**
 * Paints out every isolated speck up to `maxSpeck` across: each of its pixels, and any pixel of its
 * one-pixel ring leaning its way (a soft edge), takes the median of the ring. Writes a copy.
 */
export function removeSpecks(image: Grey, threshold: number, maxSpeck: number): SpeckRemoval {
  const { width: w, height: h } = image;
  const data = new Uint8Array(image.data);
  const out: Grey = { width: w, height: h, data };
  let dark = 0;
  let light = 0;
  const ring: number[] = [];
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    let x = 1;
    while (x < w - 1) {
      const isDark = data[row + x] <= threshold;
      const start = x;
      while (x < w - 1 && data[row + x] <= threshold === isDark) x++;
      if (x - start > maxSpeck) continue;
      const n = isolatedBlob(out, start, y, threshold, isDark, maxSpeck);
      if (n === 0) continue;
      // The ring: the blob's neighbours that are not in it.
      ring.length = 0;
      const inBlob = (q: number): boolean => {
        for (let m = 0; m < n; m++) if (blob[m] === q) return true;
        return false;
      };
      const ringPixels: number[] = [];
      for (let k = 0; k < n; k++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const q = blob[k] + dy * w + dx;
            if (!inBlob(q) && !ringPixels.includes(q)) ringPixels.push(q);
          }
      for (const q of ringPixels) ring.push(data[q]);
      ring.sort((a, b) => a - b);
      const level = ring[ring.length >> 1];
      for (let k = 0; k < n; k++) data[blob[k]] = level;
      for (const q of ringPixels) if (isDark ? data[q] < level : data[q] > level) data[q] = level;
      if (isDark) dark++;
      else light++;
    }
  }
  return { grey: out, dark, light };
}

/**
 * The 3 × 3 median of every pixel (the border rows and columns copied): what is left of the noise
 * after the isolated specks, specks touching letters and pinholes in strokes, goes; strokes 2 px
 * and wider keep their shape. A copy.
 */
export function median3(image: Grey): Grey {
  const { width: w, height: h, data } = image;
  const out = new Uint8Array(data);
  for (let y = 1; y < h - 1; y++) {
    let i = y * w + 1;
    for (let x = 1; x < w - 1; x++, i++) {
      // The window's three columns, each as (low, mid, high); the median of the nine is the
      // median of (largest low, median of mids, smallest high).
      const a0 = data[i - w - 1];
      const a1 = data[i - 1];
      const a2 = data[i + w - 1];
      const b0 = data[i - w];
      const b1 = data[i];
      const b2 = data[i + w];
      const c0 = data[i - w + 1];
      const c1 = data[i + 1];
      const c2 = data[i + w + 1];
      const aLo = Math.min(a0, a1, a2);
      const aHi = Math.max(a0, a1, a2);
      const bLo = Math.min(b0, b1, b2);
      const bHi = Math.max(b0, b1, b2);
      const cLo = Math.min(c0, c1, c2);
      const cHi = Math.max(c0, c1, c2);
      const aMid = a0 + a1 + a2 - aLo - aHi;
      const bMid = b0 + b1 + b2 - bLo - bHi;
      const cMid = c0 + c1 + c2 - cLo - cHi;
      const lo = Math.max(aLo, bLo, cLo);
      const hi = Math.min(aHi, bHi, cHi);
      const mid = aMid + bMid + cMid - Math.max(aMid, bMid, cMid) - Math.min(aMid, bMid, cMid);
      out[i] = lo + mid + hi - Math.max(lo, mid, hi) - Math.min(lo, mid, hi);
    }
  }
  return { width: w, height: h, data: out };
}
