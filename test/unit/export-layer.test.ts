import { PDFDocument } from '@cantoo/pdf-lib';
import { describe, expect, it } from 'vitest';
import { GlyphlessFont, num } from '../../src/main/engine/export/glyphlessFont.ts';
import { applyMatrix, visiblePage } from '../../src/main/engine/export/pageGeometry.ts';
import { buildText } from '../../src/main/engine/export/textExport.ts';
import { buildTextLayer, groupLines, visualOrder } from '../../src/main/engine/export/textLayer.ts';

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

  it('groups words into lines by vertical overlap, in either direction', () => {
    const w = (x0: number, top: number) => ({ x0, x1: x0 + 10, top, bottom: top - 10 });
    const lines = groupLines([w(0, 100), w(20, 101), w(40, 98), w(0, 80), w(60, 80), w(30, 80), w(0, 200)]);
    expect(lines.map((l) => l.length)).toEqual([3, 3, 1]);
  });

  it('writes invisible text, one Tz-stretched word per box, on a shared baseline', () => {
    const ops = buildTextLayer({
      words: [word('ab', 100, 100, 300, 140), word('cde', 400, 90, 500, 140)],
      rasterWidth: 1000,
      rasterHeight: 1000,
      pageWidth: 500,
      pageHeight: 500,
      fontName: 'F1',
      encode: (t) => ({
        hex: [...t].map((c) => c.codePointAt(0)!.toString(16).padStart(4, '0')).join(''),
        glyphs: [...t].length,
      }),
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
