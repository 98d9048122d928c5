/**
 * Rule removal probes windows instead of walking every pixel (rules.ts): on pages with rules,
 * broken rules, thick bars, text-like blobs and noise it must paint exactly what the walk over
 * every pixel paints. The walk is kept here as the reference (the implementation before probing).
 */
import { describe, expect, it } from 'vitest';
import type { Grey } from '../../src/main/worker/preprocess/grey.ts';
import { removeRules } from '../../src/main/worker/preprocess/rules.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

/** Every pixel walked: horizontal runs row by row, vertical runs with one state per column. */
function referenceRemoveRules(image: Grey, threshold: number, paper: number, dpi: number): Uint8Array {
  const { width: w, height: h, data } = image;
  const out = new Uint8Array(data);
  const maxThick = Math.max(3, Math.round(dpi / 20));
  const gap = Math.max(1, Math.round(dpi / 150));
  const minH = Math.round(dpi * 0.4);
  const minV = Math.round(dpi * 0.6);
  const mask = new Uint8Array(w * h);
  const ink = (i: number): boolean => data[i] <= threshold;
  for (let y = 0; y < h; y++) {
    let x = 0;
    while (x < w) {
      if (!ink(y * w + x)) {
        x++;
        continue;
      }
      const start = x;
      let last = x;
      while (x < w && (ink(y * w + x) || x - last <= gap)) {
        if (ink(y * w + x)) last = x;
        x++;
      }
      if (last - start + 1 >= minH)
        for (let k = start; k <= last; k++) if (ink(y * w + k)) mask[y * w + k] |= 1;
      x = last + 1;
    }
  }
  for (let x = 0; x < w; x++) {
    let y = 0;
    while (y < h) {
      if (!ink(y * w + x)) {
        y++;
        continue;
      }
      const start = y;
      let last = y;
      while (y < h && (ink(y * w + x) || y - last <= gap)) {
        if (ink(y * w + x)) last = y;
        y++;
      }
      if (last - start + 1 >= minV)
        for (let k = start; k <= last; k++) if (ink(k * w + x)) mask[k * w + x] |= 2;
      y = last + 1;
    }
  }
  for (let x = 0; x < w; x++) {
    let y = 0;
    while (y < h) {
      if (!(mask[y * w + x] & 1)) {
        y++;
        continue;
      }
      const start = y;
      while (y < h && mask[y * w + x] & 1) y++;
      if (y - start > maxThick) for (let k = start; k < y; k++) mask[k * w + x] &= ~1;
    }
  }
  for (let y = 0; y < h; y++) {
    let x = 0;
    while (x < w) {
      if (!(mask[y * w + x] & 2)) {
        x++;
        continue;
      }
      const start = x;
      while (x < w && mask[y * w + x] & 2) x++;
      if (x - start > maxThick) for (let k = start; k < x; k++) mask[y * w + k] &= ~2;
    }
  }
  const fringe = (threshold + paper) / 2;
  for (let i = 0; i < w * h; i++) {
    const m = mask[i];
    if (!m) continue;
    out[i] = paper;
    if (m & 1) {
      if (i >= w && !(mask[i - w] & 1) && out[i - w] < fringe) out[i - w] = paper;
      if (i + w < mask.length && !(mask[i + w] & 1) && out[i + w] < fringe) out[i + w] = paper;
    }
    if (m & 2) {
      const x = i % w;
      if (x > 0 && !(mask[i - 1] & 2) && out[i - 1] < fringe) out[i - 1] = paper;
      if (x < w - 1 && !(mask[i + 1] & 2) && out[i + 1] < fringe) out[i + 1] = paper;
    }
  }
  return out;
}

/** A page with rules (some broken by gaps of 1–3 px, some touching the edges), bars, blobs and specks. */
function randomPage(seed: number, width: number, height: number): Grey {
  const random = seededRandom(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = 200 + int(56);
  const fill = (x0: number, y0: number, x1: number, y1: number, level: number): void => {
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++)
      for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) data[y * width + x] = level;
  };
  for (let n = 0; n < 300; n++) {
    const x = int(width);
    const y = int(height);
    fill(x, y, x + 2 + int(20), y + 2 + int(30), int(120)); // letters and blobs
  }
  for (let n = 0; n < 12; n++) {
    const horizontal = random() < 0.5;
    const length = 40 + int(Math.max(width, height));
    const thick = 1 + int(random() < 0.2 ? 25 : 4); // some bars too thick to be rules
    const x = int(width) - 20;
    const y = int(height) - 20;
    if (horizontal) fill(x, y, x + length, y + thick, int(100));
    else fill(x, y, x + thick, y + length, int(100));
    // Breaks of 1–4 px: some bridged, some not.
    for (let b = 0; b < 4; b++) {
      const at = int(length);
      const size = 1 + int(4);
      if (horizontal) fill(x + at, y, x + at + size, y + thick, 230);
      else fill(x, y + at, x + thick, y + at + size, 230);
    }
    // A grey fringe along the rule (anti-aliasing).
    if (horizontal) fill(x, y - 1, x + length, y, 150 + int(60));
    else fill(x - 1, y, x, y + length, 150 + int(60));
  }
  for (let n = 0; n < 3000; n++) data[int(data.length)] = int(90); // specks
  return { width, height, data };
}

describe('rule removal by probing', () => {
  it('paints exactly what a walk over every pixel paints', () => {
    let paintedPages = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const dpi = [100, 150, 200, 300, 400][seed % 5];
      const page = randomPage(seed, 600 + (seed % 3) * 97, 700 + (seed % 4) * 53);
      const expected = referenceRemoveRules(page, 128, 235, dpi);
      const copy = new Uint8Array(page.data);
      const removed = removeRules({ ...page, data: copy }, 128, 235, dpi);
      let differing = 0;
      for (let i = 0; i < copy.length; i++) if (copy[i] !== expected[i]) differing++;
      expect(differing, `seed ${seed} at ${dpi} dpi`).toBe(0);
      if (removed.pixels > 0) paintedPages++;
    }
    // The pages do hold rules to paint (not a comparison of untouched pages).
    expect(paintedPages).toBeGreaterThan(18);
  });

  it('asks for a writable buffer only when it paints', () => {
    const blank: Grey = { width: 500, height: 500, data: new Uint8Array(500 * 500).fill(240) };
    let asked = 0;
    const removed = removeRules(blank, 128, 240, 300, () => {
      asked++;
      return blank.data;
    });
    expect(removed.pixels).toBe(0);
    expect(asked).toBe(0);
  });
});
