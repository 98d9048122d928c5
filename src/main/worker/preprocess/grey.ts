/**
 * 8-bit grey images for preprocessing: getting one from any raster the worker makes, shrinking
 * and binarising copies for estimation, and the one full-size resampling pass (orientation and
 * deskew together).
 */
import { decodeImagePage } from '../images.ts';
import { lumaInto } from '../rasterize.ts';
import type { RasterImage } from '../ocrTypes.ts';

/** One byte per pixel, rows top to bottom, 0 = black, 255 = white. */
export interface Grey {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A binary image: 1 = ink. */
export interface Binary {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Parses a binary PGM (P5, maxval 255) without copying its pixels. */
export function parsePgm(bytes: Uint8Array): Grey | null {
  if (bytes[0] !== 0x50 || bytes[1] !== 0x35) return null;
  const fields: number[] = [];
  let i = 2;
  while (fields.length < 3 && i < bytes.length) {
    while (i < bytes.length && /\s/.test(String.fromCharCode(bytes[i]))) i++;
    if (bytes[i] === 0x23) {
      while (i < bytes.length && bytes[i] !== 0x0a) i++;
      continue;
    }
    let n = 0;
    let digits = 0;
    while (i < bytes.length && bytes[i] >= 0x30 && bytes[i] <= 0x39) {
      n = n * 10 + bytes[i] - 0x30;
      i++;
      digits++;
    }
    if (digits === 0) return null;
    fields.push(n);
  }
  const [width, height, max] = fields;
  if (max !== 255) return null;
  i++; // the single whitespace after maxval
  if (bytes.length < i + width * height) return null;
  return { width, height, data: bytes.subarray(i, i + width * height) };
}

/** Pixels of any channel count to grey (same luma weights as the rasteriser's PGM). */
function pixelsToGrey(width: number, height: number, channels: number, data: Uint8Array): Grey {
  if (channels === 1) return { width, height, data: data.subarray(0, width * height) };
  const out = new Uint8Array(width * height);
  lumaInto(out, data, channels);
  return { width, height, data: out };
}

/** The grey pixels of a raster; PNG/JPEG bytes are decoded (they are otherwise left to Leptonica). */
export async function greyOf(raster: RasterImage): Promise<Grey> {
  if (raster.kind === 'pixels')
    return pixelsToGrey(raster.width, raster.height, raster.channels, raster.data);
  const pgm = parsePgm(raster.bytes);
  if (pgm) return pgm;
  const decoded = await decodeImagePage(raster.bytes, 0, { grey: true });
  return { width: decoded.width, height: decoded.height, data: decoded.data };
}

/** Box-filter shrink by an integer factor. */
export function shrink(image: Grey, factor: number): Grey {
  const w = Math.max(1, Math.floor(image.width / factor));
  const h = Math.max(1, Math.floor(image.height / factor));
  const out = new Uint8Array(w * h);
  const area = factor * factor;
  const src = image.data;
  const sw = image.width;
  // The factors a 300-DPI page gets (4 for the skew copy, 2 for 150-DPI work) read each block's
  // rows at once: summing into a row of partial sums costs a load and a store per block and row.
  if (factor === 4 && image.height >= 4 && image.width >= 4) {
    for (let y = 0; y < h; y++) {
      let i = y * 4 * sw;
      const row = y * w;
      for (let x = 0; x < w; x++, i += 4) {
        const j = i + sw;
        const k = j + sw;
        const l = k + sw;
        const s =
          src[i] +
          src[i + 1] +
          src[i + 2] +
          src[i + 3] +
          src[j] +
          src[j + 1] +
          src[j + 2] +
          src[j + 3] +
          src[k] +
          src[k + 1] +
          src[k + 2] +
          src[k + 3] +
          src[l] +
          src[l + 1] +
          src[l + 2] +
          src[l + 3];
        out[row + x] = (s + 8) >> 4; // Math.round(s / 16) for a whole s (halves round up)
      }
    }
    return { width: w, height: h, data: out };
  }
  const sums = new Uint32Array(w);
  for (let y = 0; y < h; y++) {
    sums.fill(0);
    for (let dy = 0; dy < factor; dy++) {
      let i = (y * factor + dy) * sw;
      if (factor === 2) {
        for (let x = 0; x < w; x++, i += 2) sums[x] += src[i] + src[i + 1];
      } else {
        for (let x = 0; x < w; x++) {
          let s = 0;
          for (let dx = 0; dx < factor; dx++, i++) s += src[i];
          sums[x] += s;
        }
      }
    }
    const row = y * w;
    for (let x = 0; x < w; x++) out[row + x] = Math.round(sums[x] / area);
  }
  return { width: w, height: h, data: out };
}

/** Otsu's threshold over the grey histogram: pixels at or below it are ink. */
export function otsu(image: Grey): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < image.data.length; i++) hist[image.data[i]]++;
  const total = image.data.length;
  let sum = 0;
  for (let t = 0; t < 256; t++) sum += t * hist[t];
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 127;
  for (let t = 0; t < 256; t++) {
    wB += hist[t];
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t];
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

export function binarise(image: Grey, threshold: number): Binary {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i] <= threshold ? 1 : 0;
  return { width: image.width, height: image.height, data: out };
}

/**
 * A rotation of the page: first by a quarter turn `quarter` (0–3, clockwise), then by `angle`
 * radians (positive = clockwise on screen), about the image centre, then scaled by `scale`, onto a
 * canvas that holds the whole result. `forward` maps source pixel coordinates to output coordinates, `inverse` back.
 */
export interface Rotation {
  quarter: 0 | 1 | 2 | 3;
  angle: number;
  /** Output pixels per source pixel (an upscale for small text), 1 otherwise. */
  scale: number;
  outWidth: number;
  outHeight: number;
  forward(x: number, y: number): [number, number];
  inverse(u: number, v: number): [number, number];
}

export function makeRotation(
  width: number,
  height: number,
  quarter: 0 | 1 | 2 | 3,
  angle: number,
  scale = 1,
): Rotation {
  const total = (quarter * Math.PI) / 2 + angle;
  // Snap the exact quarter turns so transposes stay exact (no sub-pixel drift from cos(π/2)).
  const round = (v: number): number => (Math.abs(v - Math.round(v)) < 1e-12 ? Math.round(v) : v);
  const cos = round(Math.cos(total));
  const sin = round(Math.sin(total));
  const outWidth = Math.round((Math.abs(width * cos) + Math.abs(height * sin)) * scale);
  const outHeight = Math.round((Math.abs(width * sin) + Math.abs(height * cos)) * scale);
  const cx = width / 2;
  const cy = height / 2;
  const ox = outWidth / 2;
  const oy = outHeight / 2;
  // y points down, so a clockwise turn on screen is the usual counter-clockwise matrix.
  return {
    quarter,
    angle,
    scale,
    outWidth,
    outHeight,
    forward: (x, y) => {
      const dx = x - cx;
      const dy = y - cy;
      return [ox + (dx * cos - dy * sin) * scale, oy + (dx * sin + dy * cos) * scale];
    },
    inverse: (u, v) => {
      const du = (u - ox) / scale;
      const dv = (v - oy) / scale;
      return [cx + du * cos + dv * sin, cy - du * sin + dv * cos];
    },
  };
}

/**
 * Resamples `image` through `rotation` (bilinear; exact copies for pure quarter turns). Areas
 * outside the source become `fill` (the paper's colour, so no dark wedges reach Tesseract).
 */
export function rotateGrey(image: Grey, rotation: Rotation, fill: number): Grey {
  const { outWidth: w, outHeight: h } = rotation;
  const out = new Uint8Array(w * h);
  const src = image.data;
  const sw = image.width;
  const sh = image.height;
  const [x00, y00] = rotation.inverse(0.5, 0.5);
  const [x10, y10] = rotation.inverse(1.5, 0.5);
  const [x01, y01] = rotation.inverse(0.5, 1.5);
  const dxu = x10 - x00;
  const dyu = y10 - y00;
  const dxv = x01 - x00;
  const dyv = y01 - y00;
  if (rotation.angle === 0 && rotation.scale === 1) {
    // Quarter turn: nearest pixel is exact, and every step is a whole pixel.
    if (quarterTurn(src, sw, sh, out, w, h, x00, y00, [dxu, dyu, dxv, dyv]))
      return { width: w, height: h, data: out };
    for (let v = 0; v < h; v++) {
      let x = x00 + v * dxv;
      let y = y00 + v * dyv;
      const row = v * w;
      for (let u = 0; u < w; u++, x += dxu, y += dyu) {
        const sx = Math.floor(x);
        const sy = Math.floor(y);
        out[row + u] = sx >= 0 && sy >= 0 && sx < sw && sy < sh ? src[sy * sw + sx] : fill;
      }
    }
    return { width: w, height: h, data: out };
  }
  const xMax = sw - 1;
  const yMax = sh - 1;
  const inside: [number, number] = [0, 0];
  for (let v = 0; v < h; v++) {
    // Pixel centres: sample at (x − 0.5, y − 0.5) in index space.
    let x = x00 + v * dxv - 0.5;
    let y = y00 + v * dyv - 0.5;
    const row = v * w;
    // Most of a row is well inside the source: there the bounds test per pixel is left out.
    // The edges keep it (same test, same pixels as without the split).
    surelyInside(x, y, dxu, dyu, xMax, yMax, w, inside);
    let u = 0;
    for (let end = inside[0]; u < end; u++, x += dxu, y += dyu)
      out[row + u] = x < 0 || y < 0 || x >= xMax || y >= yMax ? fill : bilinear(src, sw, x, y);
    for (let end = inside[1]; u < end; u++, x += dxu, y += dyu) out[row + u] = bilinear(src, sw, x, y);
    for (; u < w; u++, x += dxu, y += dyu)
      out[row + u] = x < 0 || y < 0 || x >= xMax || y >= yMax ? fill : bilinear(src, sw, x, y);
  }
  return { width: w, height: h, data: out };
}

/** Bilinear sample at index-space (x, y), both ≥ 0 and below the last column and row. */
function bilinear(src: Uint8Array, sw: number, x: number, y: number): number {
  // Non-negative, so truncation (`| 0`) equals floor.
  const ix = x | 0;
  const iy = y | 0;
  const fx = x - ix;
  const fy = y - iy;
  const i = iy * sw + ix;
  const a = src[i];
  const b = src[i + 1];
  const c = src[i + sw];
  const top = a + (b - a) * fx;
  const bottom = c + (src[i + sw + 1] - c) * fx;
  return (top + (bottom - top) * fy + 0.5) | 0;
}

/**
 * Output columns [inside[0], inside[1]) of a row that starts at (x, y) and steps (dx, dy) whose
 * samples lie in [0, xMax) × [0, yMax) by a margin: the row's coordinates are summed step by
 * step, which strays from x + u·dx by far less than the margin, so the range is safe without a
 * test per pixel (it may be a little narrow; the columns outside it are tested one by one).
 */
function surelyInside(
  x: number,
  y: number,
  dx: number,
  dy: number,
  xMax: number,
  yMax: number,
  w: number,
  inside: [number, number],
): void {
  const margin = 1e-6;
  let from = 0;
  let to = w;
  for (const [t, d, max] of [
    [x, dx, xMax],
    [y, dy, yMax],
  ]) {
    const lo = margin;
    const hi = max - margin;
    if (Math.abs(d) < 1e-12) {
      if (t < lo || t > hi) to = 0;
      continue;
    }
    const a = (lo - t) / d;
    const b = (hi - t) / d;
    from = Math.max(from, Math.ceil(Math.min(a, b)));
    to = Math.min(to, Math.floor(Math.max(a, b)) + 1);
  }
  inside[0] = Math.min(w, Math.max(0, from));
  inside[1] = Math.max(inside[0], Math.min(w, to));
}

/** Output tiles of this many pixels square keep a transposing copy's reads within the cache. */
const TILE = 64;

/**
 * A quarter turn as a copy with whole-pixel steps (`steps`: source x and y per output column, per
 * output row), tile by tile: reading a source column per output row one pixel at a time touches a
 * new cache line for every pixel. The same pixels as the sampling loop; false (nothing written)
 * when some output pixel would fall outside the source, which a quarter turn of the whole page
 * never does.
 */
function quarterTurn(
  src: Uint8Array,
  sw: number,
  sh: number,
  out: Uint8Array,
  w: number,
  h: number,
  x00: number,
  y00: number,
  steps: [number, number, number, number],
): boolean {
  const [xu, yu, xv, yv] = steps;
  if (!steps.every(Number.isInteger)) return false;
  const sx0 = Math.floor(x00);
  const sy0 = Math.floor(y00);
  for (const [u, v] of [
    [0, 0],
    [w - 1, 0],
    [0, h - 1],
    [w - 1, h - 1],
  ]) {
    const sx = sx0 + u * xu + v * xv;
    const sy = sy0 + u * yu + v * yv;
    if (sx < 0 || sy < 0 || sx >= sw || sy >= sh) return false;
  }
  const perU = yu * sw + xu;
  const perV = yv * sw + xv;
  const origin = sy0 * sw + sx0;
  for (let v0 = 0; v0 < h; v0 += TILE) {
    const v1 = Math.min(h, v0 + TILE);
    for (let u0 = 0; u0 < w; u0 += TILE) {
      const u1 = Math.min(w, u0 + TILE);
      for (let v = v0; v < v1; v++) {
        let i = origin + u0 * perU + v * perV;
        for (let o = v * w + u0, end = v * w + u1; o < end; o++, i += perU) out[o] = src[i];
      }
    }
  }
  return true;
}

/**
 * A binarised, `step`-times smaller copy of `image` turned through `rotation` (built for the full
 * image), sampled by nearest pixel: enough to measure text lines on, in one pass over the output.
 */
export function sampleRotatedBinary(
  image: Grey,
  rotation: Rotation,
  step: number,
  threshold: number,
): Binary {
  const w = Math.max(1, Math.floor(rotation.outWidth / step));
  const h = Math.max(1, Math.floor(rotation.outHeight / step));
  const out = new Uint8Array(w * h);
  const src = image.data;
  const sw = image.width;
  const sh = image.height;
  const [x00, y00] = rotation.inverse(step / 2, step / 2);
  const [x10, y10] = rotation.inverse(step * 1.5, step / 2);
  const [x01, y01] = rotation.inverse(step / 2, step * 1.5);
  const dxu = x10 - x00;
  const dyu = y10 - y00;
  const dxv = x01 - x00;
  const dyv = y01 - y00;
  const inside: [number, number] = [0, 0];
  for (let v = 0; v < h; v++) {
    let x = x00 + v * dxv;
    let y = y00 + v * dyv;
    const row = v * w;
    // As in rotateGrey: no bounds test per pixel where the row is surely inside the source.
    surelyInside(x, y, dxu, dyu, sw, sh, w, inside);
    let u = 0;
    for (let end = inside[0]; u < end; u++, x += dxu, y += dyu)
      if (x >= 0 && y >= 0 && x < sw && y < sh) out[row + u] = inkAt(src, sw, x, y, threshold);
    for (let end = inside[1]; u < end; u++, x += dxu, y += dyu)
      out[row + u] = inkAt(src, sw, x, y, threshold);
    for (; u < w; u++, x += dxu, y += dyu)
      if (x >= 0 && y >= 0 && x < sw && y < sh) out[row + u] = inkAt(src, sw, x, y, threshold);
  }
  return { width: w, height: h, data: out };
}

/**
 * 1 when the pixel at index-space (x, y) (both ≥ 0, inside) is at or below the threshold, without
 * a branch: ink and paper alternate unpredictably along a text line.
 */
function inkAt(src: Uint8Array, sw: number, x: number, y: number, threshold: number): number {
  return 1 - ((threshold - src[(y | 0) * sw + (x | 0)]) >>> 31);
}

/** The paper's grey level: the brightest well-populated level (the 90th percentile). */
export function paperLevel(image: Grey): number {
  const hist = new Uint32Array(256);
  const step = Math.max(1, Math.floor(image.data.length / 200_000));
  let n = 0;
  for (let i = 0; i < image.data.length; i += step, n++) hist[image.data[i]]++;
  let acc = 0;
  for (let t = 0; t < 256; t++) {
    acc += hist[t];
    if (acc >= n * 0.9) return t;
  }
  return 255;
}
