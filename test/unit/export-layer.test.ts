import { PDFDocument } from '@cantoo/pdf-lib';
import { describe, expect, it } from 'vitest';
import { GlyphlessFont, num } from '../../src/main/worker/export/glyphlessFont.ts';
import { applyMatrix, visiblePage } from '../../src/main/worker/export/pageGeometry.ts';
import { buildText } from '../../src/main/worker/export/textExport.ts';
import {
  buildTextLayer,
  fitLine,
  groupLines,
  segmentBaselines,
  snapSizes,
  visualOrder,
} from '../../src/main/worker/export/textLayer.ts';

describe('visiblePage', () => {
  // Displayed top-left / top-right corners (display space: y up, so top = height) → user space.
  const corners = (rotate: number, crop?: number[]) => {
    const v = visiblePage([10, 20, 410, 320], crop, rotate);
    return {
      v,
      tl: applyMatrix(v.displayToUser, 0, v.height),
      tr: applyMatrix(v.displayToUser, v.width, v.height),
    };
  };

  it('maps the displayed corners onto the right corners of the box for each rotation', () => {
    expect(corners(0)).toMatchObject({ v: { width: 400, height: 300 }, tl: [10, 320], tr: [410, 320] });
    // 90° clockwise: the box's bottom-left is displayed top-left, its top-left displayed top-right.
    expect(corners(90)).toMatchObject({ v: { width: 300, height: 400 }, tl: [10, 20], tr: [10, 320] });
    expect(corners(180)).toMatchObject({ v: { width: 400, height: 300 }, tl: [410, 20], tr: [10, 20] });
    expect(corners(-90)).toMatchObject({
      v: { rotate: 270, width: 300, height: 400 },
      tl: [410, 320],
      tr: [410, 20],
    });
  });

  it('uses the CropBox clipped to the MediaBox, and ignores a CropBox outside it', () => {
    expect(corners(0, [0, 0, 200, 200]).v.box).toEqual({ x0: 10, y0: 20, x1: 200, y1: 200 });
    expect(corners(0, [1000, 1000, 1100, 1100]).v.box).toEqual({ x0: 10, y0: 20, x1: 410, y1: 320 });
    expect(corners(45).v.rotate).toBe(0);
  });
});

describe('text layer', () => {
  const word = (text: string, x0: number, y0: number, x1: number, y1: number) => ({
    text,
    x0,
    y0,
    x1,
    y1,
    confidence: 90,
  });

  it('groups words into lines by overlap with the previous word, keeping the line direction', () => {
    const w = (x0: number, top: number) => ({ x0, x1: x0 + 10, top, bottom: top - 10 });
    const ltr = [w(0, 100), w(20, 101), w(40, 98)];
    const rtl = [w(300, 80), w(200, 80), w(100, 80)];
    const back = [w(0, 60), w(60, 60), w(30, 60)]; // going back left starts a new line
    expect(groupLines([...ltr, ...rtl, ...back, w(0, 200)]).map((l) => l.length)).toEqual([3, 3, 2, 1, 1]);
    // A skewed line drifting by more than its height does not swallow the next line.
    const skewed = [0, 1, 2, 3, 4, 5].map((i) => w(i * 20, 100 - i * 4));
    expect(groupLines([...skewed, w(0, 88), w(20, 84)]).map((l) => l.length)).toEqual([6, 2]);
  });

  const hexOf = (t: string) => ({
    hex: [...t].map((c) => c.codePointAt(0)!.toString(16).padStart(4, '0')).join(''),
    glyphs: [...t].length,
  });

  it('writes invisible text, one Tz-stretched word per box, on a shared baseline', () => {
    const ops = buildTextLayer({
      words: [word('ab', 100, 90, 300, 140), word('cde', 400, 90, 500, 140)],
      rasterWidth: 1000,
      rasterHeight: 1000,
      pageWidth: 500,
      pageHeight: 500,
      fontName: 'F1',
      encode: hexOf,
    });
    expect(ops).toContain('3 Tr');
    // Line band y 90..140 px → 25 pt high, baseline at 500 − 70 = 430 pt.
    expect(ops).toContain('/F1 25 Tf');
    expect(ops).toContain('1 0 0 1 50 430 Tm');
    // "ab": 100 pt box / (2 glyphs × 12.5 pt) = 400 %.
    expect(ops).toContain(`400 Tz\n<00610062> Tj`);
    // Space fills the 50 pt gap: 50 / 12.5 = 400 %.
    expect(ops).toContain('400 Tz\n<0020> Tj');
    expect(ops).toContain('1 0 0 1 200 430 Tm');
  });

  it('follows the slope of a skewed line instead of growing the font size', () => {
    // Three words rising 10 px per 100 px (in y-down pixels the line goes up to the right).
    const words = [0, 1, 2].map((i) =>
      word(`w${i}`, 100 + i * 100, 200 - i * 10, 180 + i * 100, 230 - i * 10),
    );
    const ops = buildTextLayer({
      words,
      rasterWidth: 1000,
      rasterHeight: 1000,
      pageWidth: 1000,
      pageHeight: 1000,
      fontName: 'F',
      encode: hexOf,
    });
    const fit = fitLine(words.map((w) => ({ x0: w.x0, x1: w.x1, top: 1000 - w.y0, bottom: 1000 - w.y1 })));
    expect(fit.slope).toBeCloseTo(0.1, 5);
    expect(fit.size).toBeCloseTo(30 - 8, 5); // a box's height minus the word's own drift (0.1 × 80 px)
    // Horizontal words on the fitted baseline (base 760 + 0.1·x): the first two words drift
    // 18 pt together (< the 22 pt size) and share the baseline at their centre (x 190); the third
    // starts a new segment, centred at x 340.
    const ys = [...ops.matchAll(/^1 0 0 1 [\d.]+ ([\d.]+) Tm$/gm)].map((m) => Number(m[1]));
    expect(ys).toEqual([779, 779, 794]);
  });

  it('gives body lines one font size and keeps headings apart', () => {
    expect(snapSizes([10, 11, 9.5, 10.5, 20, 21, 10.2])).toEqual([10.2, 10.2, 10.2, 10.2, 21, 21, 10.2]);
  });

  it('keeps a gently skewed line on one baseline and cuts a steep one into segments', () => {
    const words = [0, 1, 2, 3].map((i) => ({ x0: i * 100, x1: i * 100 + 80 }));
    // Drift 0.01 × 380 = 3.8 < size 10: one baseline, the fitted one at the line's centre.
    expect(new Set(segmentBaselines(words, 0.01, 50, 10))).toEqual(new Set([50 + 0.01 * 190]));
    // Drift 0.1 × 380 = 38 > 10: segments of at most 10 drift (here one word each).
    expect(segmentBaselines(words, 0.1, 50, 10)).toEqual([54, 64, 74, 84]);
  });

  it('returns nothing for pages without usable words', () => {
    const base = {
      rasterWidth: 10,
      rasterHeight: 10,
      pageWidth: 10,
      pageHeight: 10,
      fontName: 'F',
      encode: () => ({ hex: '', glyphs: 0 }),
    };
    expect(buildTextLayer({ ...base, words: [word(' ', 0, 0, 5, 5), word('x', 5, 5, 5, 9)] })).toBe('');
    expect(buildTextLayer({ ...base, rasterWidth: 0, words: [word('x', 0, 0, 5, 5)] })).toBe('');
  });

  it('puts right-to-left words in visual order, keeping numbers and Latin runs as they are', () => {
    expect(visualOrder('abc')).toBe('abc');
    expect(visualOrder('שלום')).toBe('םולש');
    expect(visualOrder('ב-2020')).toBe('2020-ב');
  });
});

describe('GlyphlessFont', () => {
  it('encodes BMP characters as themselves and non-BMP ones as allocated surrogate-block CIDs', async () => {
    const doc = await PDFDocument.create();
    const font = new GlyphlessFont(doc);
    expect(font.encode('Aé日')).toEqual({ hex: '004100E965E5', glyphs: 3 });
    expect(font.encode('😀x😀𝔘')).toEqual({ hex: 'D8000078D800D801', glyphs: 4 });
    expect(font.encode('a\tb\u0000')).toEqual({ hex: '00610062', glyphs: 2 });
    expect(font.encode('\ud800')).toEqual({ hex: 'FFFD', glyphs: 1 });
    font.finish();
  });

  it('formats numbers compactly', () => {
    expect([num(1), num(1.23456), num(-0.0001), num(100.5)]).toEqual(['1', '1.235', '0', '100.5']);
    expect([num(-12.3), num(0.05), num(-0.0006), num(2.0004), num(10), num(-1000.25)]).toEqual([
      '-12.3',
      '0.05',
      '-0.001',
      '2',
      '10',
      '-1000.25',
    ]);
    expect([num(NaN), num(-Infinity), num(-3e15)]).toEqual(['0', '0', '-3000000000000000']);
  });
});

describe('buildText', () => {
  it('joins pages with form feeds, failed pages empty, no trailing form feed', () => {
    expect(buildText([{ text: 'one\n' }, { text: 'two', failed: true }, { text: 'three\n\n' }])).toBe(
      'one\f\fthree',
    );
    expect(buildText([{ text: 'only' }])).toBe('only');
  });
});
