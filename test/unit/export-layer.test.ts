import { PDFDocument } from '@cantoo/pdf-lib';
import { describe, expect, it } from 'vitest';
import {
  BAND_EM,
  DESCENT_EM,
  GlyphlessFont,
  WIDE_SPACE_HEX,
  num,
} from '../../src/main/worker/export/glyphlessFont.ts';
import { applyMatrix, visiblePage } from '../../src/main/worker/export/pageGeometry.ts';
import { buildText } from '../../src/main/worker/export/textExport.ts';
import { fitLine, lineBaselines, snapSizes } from '../../src/main/worker/export/lineGeometry.ts';
import { groupLines } from '../../src/main/worker/export/pageLayout.ts';
import { buildTextLayer, type LayerInput } from '../../src/main/worker/export/textLayer.ts';
import { visualOrder } from '../../src/main/worker/export/textLayer.ts';

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
  /** A 1000 × 1000 px raster on a 1000 × 1000 pt page (1 px = 1 pt, y flipped). */
  const layer = (text: string, words: LayerInput['words']) =>
    buildTextLayer({
      text,
      words,
      rasterWidth: 1000,
      rasterHeight: 1000,
      pageWidth: 1000,
      pageHeight: 1000,
      fontName: 'F',
      encode: hexOf,
      wideSpace: WIDE_SPACE_HEX,
    });
  /** The `Tm` positions of the words, in the order they are written. */
  const positions = (ops: string) =>
    [...ops.matchAll(/^1 0 0 1 ([-\d.]+) ([-\d.]+) Tm\n[\d.]+ Tz\n<([0-9a-f]+)> Tj$/gm)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      text: String.fromCodePoint(...(m[3].match(/.{4}/g) ?? []).map((h) => parseInt(h, 16))),
    }));

  it('writes invisible text, one Tz-stretched word per box, on a shared baseline', () => {
    const ops = buildTextLayer({
      text: 'ab cde',
      words: [word('ab', 100, 90, 300, 140), word('cde', 330, 90, 430, 140)],
      rasterWidth: 1000,
      rasterHeight: 1000,
      pageWidth: 500,
      pageHeight: 500,
      fontName: 'F1',
      encode: hexOf,
      wideSpace: WIDE_SPACE_HEX,
    });
    expect(ops).toContain('3 Tr');
    // Line band y 90..140 px → 25 pt high, its bottom at 500 − 70 = 430 pt. The font size makes
    // the font's ascent + descent exactly the band; the baseline sits the descent above its bottom.
    const em = 25 / BAND_EM;
    expect(ops).toContain(`/F1 ${num(em)} Tf`);
    expect(ops).toContain(`1 0 0 1 50 ${num(430 + DESCENT_EM * em)} Tm`);
    // "ab": its 100 pt box over 2 glyphs of half an em.
    expect(ops).toContain(`${num(10000 / em)} Tz\n<00610062> Tj`);
    // A space fills the 15 pt gap to "cde".
    expect(ops).toContain(`${num(1500 / (em / 2))} Tz\n<0020> Tj`);
    expect(ops).toContain(`1 0 0 1 165 ${num(430 + DESCENT_EM * em)} Tm`);
  });

  it("writes the text's lines in the text's order, not in the order of the boxes on the page", () => {
    // Two columns, the left one read first: by position, "left2" and "right1" share a line.
    const words = [
      word('left1', 100, 100, 300, 130),
      word('left2', 100, 150, 300, 180),
      word('right1', 600, 150, 800, 180),
      word('right2', 600, 200, 800, 230),
    ];
    const ops = layer('left1\nleft2\n\nright1\nright2', words);
    expect(positions(ops).map((p) => p.text)).toEqual(['left1', 'left2', 'right1', 'right2']);
    // One line per text line: the font size is set once per line.
    expect(ops.match(/ Tf$/gm)).toHaveLength(4);
  });

  it('keeps a skewed line on one band: each word on its fitted baseline, ends clamped to ±0.2 em', () => {
    // Nine words rising 3 px per 100 px (in y-down pixels the line goes up to the right).
    const words = Array.from({ length: 9 }, (_, i) =>
      word(`w${i}`, 100 + i * 100, 500 - i * 3, 180 + i * 100, 530 - i * 3),
    );
    const ops = layer(words.map((w) => w.text).join(' '), words);
    const ys = positions(ops).map((p) => p.y);
    const em = (30 - 0.03 * 80) / BAND_EM; // the band without the words' own drift
    const centre = ys[4];
    // The middle follows the slope exactly (3 pt per word); no word is more than 0.2 em off the
    // centre, so poppler (half an em) and pdf.js read one line.
    expect(ys[5] - ys[4]).toBeCloseTo(3, 2);
    expect(ys[3] - ys[4]).toBeCloseTo(-3, 2);
    for (const y of ys) expect(Math.abs(y - centre)).toBeLessThanOrEqual(0.2 * em + 0.001);
    expect(ys[8] - centre).toBeCloseTo(0.2 * em, 2);
  });

  it('cuts a line too steep for one band into segments on their own baselines', () => {
    const words = [0, 1, 2, 3].map((i) => ({ x0: i * 100, x1: i * 100 + 80 }));
    // Drift 0.01 × 380 = 3.8 within size 10: one band, each word on the slope at its centre.
    expect(lineBaselines(words, 0.01, 50, 10)).toEqual([50.4, 51.4, 52.4, 53.4]);
    // Drift 0.1 × 380 = 38: its ends would be over half an em off; segments of at most one em of
    // drift (here one word each).
    expect(lineBaselines(words, 0.1, 50, 10)).toEqual([54, 64, 74, 84]);
  });

  it('bridges wide gaps no neighbouring line spans, so a table row stays one line', () => {
    // Gaps over 1.4 em are always bridged; this one (30 pt, ~1.1 em) because nothing spans it.
    const row = [word('Item', 100, 100, 160, 125), word('Amount', 190, 100, 290, 125)];
    const ops = layer('Item Amount', row);
    expect(ops).toContain(`<${WIDE_SPACE_HEX}> Tj`);
    // A justified paragraph: its wide gap lies under a full line of the same paragraph.
    const paragraph = [
      ...[0, 1, 2, 3, 4].map((i) => word(`a${i}`, 100 + i * 140, 100, 230 + i * 140, 125)),
      word('wide', 100, 130, 200, 155),
      word('gap', 230, 130, 330, 155),
    ];
    expect(layer('a0 a1 a2 a3 a4\nwide gap', paragraph)).not.toContain(WIDE_SPACE_HEX);
  });

  it('ends a word that touches the next one early, so extractors see the space', () => {
    const ops = layer('ab cd', [word('ab', 100, 100, 200, 125), word('cd', 201, 100, 301, 125)]);
    const em = 25 / BAND_EM;
    // "ab" is drawn 0.18 em short of "cd" (so 100 − 0.18 em wide, over 2 half-em glyphs).
    expect(ops).toContain(`${num((100 * (101 - 0.18 * em)) / em)} Tz\n<00610062> Tj`);
  });

  it('gives body lines one font size and keeps headings apart', () => {
    expect(snapSizes([10, 11, 9.5, 10.5, 20, 21, 10.2])).toEqual([10.2, 10.2, 10.2, 10.2, 21, 21, 10.2]);
    // Within 20% of both groups: the nearer one.
    expect(snapSizes([10, 10, 10, 10, 13, 13.5, 11])).toEqual([10, 10, 10, 10, 13.5, 13.5, 10]);
  });

  it('fits the slope of a skewed line and a band without the drift', () => {
    const words = [0, 1, 2].map((i) => ({
      x0: 100 + i * 100,
      x1: 180 + i * 100,
      top: 800 + i * 10,
      bottom: 770 + i * 10,
    }));
    const fit = fitLine(words);
    expect(fit.slope).toBeCloseTo(0.1, 5);
    expect(fit.size).toBeCloseTo(30 - 8, 5); // a box's height minus the word's own drift (0.1 × 80 px)
  });

  it('returns nothing for pages without usable words', () => {
    const base = {
      rasterWidth: 10,
      rasterHeight: 10,
      pageWidth: 10,
      pageHeight: 10,
      fontName: 'F',
      encode: () => ({ hex: '', glyphs: 0 }),
      wideSpace: WIDE_SPACE_HEX,
    };
    const words = [word(' ', 0, 0, 5, 5), word('x', 5, 5, 5, 9)];
    expect(buildTextLayer({ ...base, text: 'x', words })).toBe('');
    expect(buildTextLayer({ ...base, text: 'x', rasterWidth: 0, words: [word('x', 0, 0, 5, 5)] })).toBe('');
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
