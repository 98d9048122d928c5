/**
 * Preprocessing without OCR: transforms round-trip, blank and photo-like pages are left alone,
 * switched-off steps do nothing, rules are painted out while letters stay, CLI switches.
 */
import { describe, expect, it } from 'vitest';
import { makeRotation, rotateGrey, type Grey } from '../../src/main/worker/preprocess/grey.ts';
import { analyseLayout, preprocess, resolutionFix } from '../../src/main/worker/preprocess/preprocess.ts';
import { defaultLanguages } from '../../src/main/worker/languages.ts';
import { preprocessOptions } from '../../src/main/worker/ocrPage.ts';
import { textDirection } from '../../src/main/worker/export/lineGeometry.ts';
import { removeRules } from '../../src/main/worker/preprocess/rules.ts';
import { preprocessSwitches } from '../../src/main/cli/options.ts';
import type { RasterImage } from '../../src/main/worker/ocrTypes.ts';

const ALL = { rotate: true, deskew: true, rules: true };

function blank(width: number, height: number, level = 255): Grey {
  return { width, height, data: new Uint8Array(width * height).fill(level) };
}

function pixels(g: Grey): RasterImage {
  return { kind: 'pixels', width: g.width, height: g.height, channels: 1, data: g.data, dpi: 300 };
}

/** Deterministic pseudo-random numbers (a photo-like texture without a seed dependency). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('rotation geometry', () => {
  it('maps points forward and back for quarter turns and small angles', () => {
    for (const q of [0, 1, 2, 3] as const) {
      for (const a of [0, 0.03, -0.05]) {
        const r = makeRotation(2550, 3300, q, a);
        const [u, v] = r.forward(123, 456);
        const [x, y] = r.inverse(u, v);
        expect(x).toBeCloseTo(123, 6);
        expect(y).toBeCloseTo(456, 6);
      }
    }
    expect(makeRotation(2550, 3300, 1, 0)).toMatchObject({ outWidth: 3300, outHeight: 2550 });
  });

  it('turns pixels a quarter clockwise exactly', () => {
    const g: Grey = { width: 3, height: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    const r = rotateGrey(g, makeRotation(3, 2, 1, 0), 255);
    // 1 2 3      4 1
    // 4 5 6  →   5 2
    //            6 3
    expect([...r.data]).toEqual([4, 1, 5, 2, 6, 3]);
  });
});

describe('preprocess', () => {
  it('leaves a blank page alone and passes the raster through', async () => {
    const raster = pixels(blank(2550, 3300, 250));
    const prepared = await preprocess(raster, ALL);
    expect(prepared.raster).toBe(raster);
    expect(prepared.report).toMatchObject({ orientation: 0, deskewDegrees: 0, rulePixels: 0 });
  });

  it('does not turn or straighten a photo-like page', () => {
    const g = blank(1200, 1600);
    const rnd = lcg(7);
    for (let y = 0; y < g.height; y++)
      for (let x = 0; x < g.width; x++)
        g.data[y * g.width + x] = Math.min(
          255,
          Math.max(0, 40 + ((x + y) / 2800) * 180 + (rnd() - 0.5) * 120),
        );
    expect(analyseLayout(g, 300, ALL)).toMatchObject({ quarter: 0, angle: 0 });
  });

  it('leaves pages above the size limit alone (posters, maps)', async () => {
    const raster: RasterImage = {
      kind: 'pixels',
      width: 10_000,
      height: 7_000,
      channels: 1,
      data: new Uint8Array(0),
      dpi: 300,
    };
    const prepared = await preprocess(raster, ALL);
    expect(prepared.raster).toBe(raster);
  });

  it('does nothing at all with every step switched off', async () => {
    const raster = pixels(blank(100, 100, 0));
    const prepared = await preprocess(raster, { rotate: false, deskew: false, rules: false });
    expect(prepared.raster).toBe(raster);
    expect(prepared.report.analyseMs).toBe(0);
  });

  it('paints out long rules but keeps short strokes (letters)', () => {
    const g = blank(1000, 1000, 230);
    const fill = (x0: number, y0: number, x1: number, y1: number): void => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) g.data[y * g.width + x] = 20;
    };
    fill(50, 100, 950, 103); // horizontal rule, 3 px
    fill(500, 150, 503, 900); // vertical rule, 3 px
    fill(100, 300, 104, 360); // a letter stroke
    fill(100, 500, 400, 700); // a solid block (too thick to be a rule)
    const removed = removeRules(g, 128, 230, 300);
    expect(removed.horizontal).toBeGreaterThan(0);
    expect(removed.vertical).toBeGreaterThan(0);
    expect(g.data[101 * 1000 + 500]).toBe(230);
    expect(g.data[400 * 1000 + 501]).toBe(230);
    expect(g.data[330 * 1000 + 102]).toBe(20);
    expect(g.data[600 * 1000 + 250]).toBe(20);
  });
});

describe('resolution from text size', () => {
  it('keeps a plausible DPI, corrects one off by more than 2×, upscales tiny text, scales large text to 16 px', () => {
    // 10–12 pt body text at 300 DPI has an x-height of ~20–25 px.
    expect(resolutionFix(300, 23)).toEqual({ dpi: 300, scale: 0.7 });
    expect(resolutionFix(72, 23)).toEqual({ dpi: 307, scale: 0.7 });
    expect(resolutionFix(300, 18)).toEqual({ dpi: 300, scale: 1 }); // 8-pt print at 300 DPI: as it is
    expect(resolutionFix(300, 8)).toEqual({ dpi: 107, scale: 2 });
    expect(resolutionFix(100, 5)).toEqual({ dpi: 100, scale: 3 });
    expect(resolutionFix(300, 0)).toEqual({ dpi: 300, scale: 1 });
  });
});

describe('default languages', () => {
  it('adds the locale language when its pack is installed', () => {
    expect(defaultLanguages('fr_FR.UTF-8')).toEqual(['eng', 'fra']);
    expect(defaultLanguages('de-DE')).toEqual(['eng', 'deu']);
    expect(defaultLanguages('en_US.UTF-8')).toEqual(['eng']);
    expect(defaultLanguages('C')).toEqual(['eng']);
    expect(defaultLanguages('xx_YY')).toEqual(['eng']);
  });
});

describe('text layer direction', () => {
  // Display space, y up; a 600 × 800 pt page. Five lines of three 5-letter words.
  const across = [0, 1, 2, 3, 4].flatMap((line) =>
    [0, 1, 2].map((i) => ({
      text: 'words',
      x0: 100 + i * 60,
      x1: 150 + i * 60,
      top: 700 - line * 20,
      bottom: 688 - line * 20,
    })),
  );
  const turn = (w: (typeof across)[number], d: 90 | 180 | 270): (typeof across)[number] => {
    if (d === 180)
      return { text: w.text, x0: 600 - w.x1, x1: 600 - w.x0, top: 800 - w.bottom, bottom: 800 - w.top };
    // 90: reading down, line by line leftwards; 270: reading up, lines rightwards.
    return d === 90
      ? { text: w.text, x0: 800 - w.top, x1: 800 - w.bottom, top: 800 - w.x0, bottom: 800 - w.x1 }
      : { text: w.text, x0: w.bottom - 600, x1: w.top - 600, top: w.x1, bottom: w.x0 };
  };
  it('tells across, down, upside-down and up pages apart', () => {
    expect(textDirection(across)).toBe(0);
    for (const d of [90, 180, 270] as const) expect(textDirection(across.map((w) => turn(w, d)))).toBe(d);
  });
});

describe('preprocessOptions', () => {
  const base = { dpi: 300, mode: 'auto' as const };
  it('turns every step on unless switched off, and orientation only for Latin-script languages', () => {
    expect(preprocessOptions({ ...base, languages: ['eng', 'fra'] })).toEqual({
      rotate: true,
      deskew: true,
      rules: true,
      resolution: true,
      photo: true,
      despeckle: true,
    });
    expect(preprocessOptions({ ...base, languages: ['eng'], deskew: false, rotate: false })).toMatchObject({
      rotate: false,
      deskew: false,
    });
    expect(preprocessOptions({ ...base, languages: ['eng', 'jpn'] }).rotate).toBe(false);
    expect(preprocessOptions({ ...base, languages: ['chi_sim'] }).deskew).toBe(true);
  });
});

describe('CLI switches', () => {
  it('writes only the steps switched off, so default options stay as stored before', () => {
    expect(preprocessSwitches({ rotate: true, deskew: true, removeRules: true, estimateDpi: true })).toEqual(
      {},
    );
    expect(preprocessSwitches({ estimateDpi: false })).toEqual({ estimateDpi: false });
    expect(preprocessSwitches({ correctPhotos: false, despeckle: false })).toEqual({
      correctPhotos: false,
      despeckle: false,
    });
    expect(preprocessSwitches({ rotate: false, deskew: true })).toEqual({ rotate: false });
    expect(preprocessSwitches({ rotate: true, deskew: false, removeRules: false })).toEqual({
      deskew: false,
      removeRules: false,
    });
  });
});
