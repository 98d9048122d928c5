/**
 * The structured exports without OCR: the page layout recovered from a page's text and words,
 * ALTO 4.4 (valid against the schema, offline), hOCR, and the word boxes of a PDF's own text layer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Word } from '../../src/shared/model.ts';
import { buildAlto } from '../../src/main/worker/export/altoExport.ts';
import { buildHocr } from '../../src/main/worker/export/hocrExport.ts';
import { pageLayout } from '../../src/main/worker/export/pageLayout.ts';
import type { StructuredDocument } from '../../src/main/worker/export/pageStructure.ts';
import { wordsFromContent } from '../../src/main/worker/textLayerWords.ts';

const SCHEMA = join(import.meta.dirname, '../../../shared/schemas/alto-4-4.xsd');
const work = mkdtempSync(join(tmpdir(), 'bulk-ocr-structured-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const word = (text: string, x0: number, y0: number, x1: number, y1: number, confidence = 90): Word => ({
  text,
  x0,
  y0,
  x1,
  y1,
  confidence,
});

/** Runs xmllint; returns its exit status and messages (it reports validity on stderr). */
function xmllint(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync('xmllint', args, { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('page layout from the stored text and words', () => {
  it("gives Tesseract's paragraphs as blocks and its lines as lines, words with their boxes", () => {
    const words = [
      word('Dear', 10, 10, 50, 30),
      word('Sir,', 60, 10, 90, 30),
      word('Thank', 10, 50, 60, 70),
      word('you.', 70, 50, 100, 70),
      word('Yours', 10, 90, 60, 110),
    ];
    const blocks = pageLayout('Dear Sir,\n\nThank\nyou.\n\nYours\n', words);
    expect(blocks.map((b) => b.lines.map((l) => l.words.map((w) => w.text).join(' ')))).toEqual([
      ['Dear Sir,'],
      ['Thank', 'you.'],
      ['Yours'],
    ]);
    expect(blocks[0].lines[0].words[1]).toEqual({
      text: 'Sir,',
      box: { x0: 60, y0: 10, x1: 90, y1: 30 },
      confidence: 90,
    });
  });

  it('places words the text leaves out (image blocks) where they fall, and keeps text without a word', () => {
    const words = [word('one', 0, 0, 10, 10), word('logo', 0, 20, 10, 30), word('two', 20, 0, 30, 10)];
    const blocks = pageLayout('one two extra', words);
    expect(blocks.map((b) => b.lines.map((l) => l.words.map((w) => w.text)))).toEqual([
      [['one']],
      [['logo']],
      [['two', 'extra']],
    ]);
    expect(blocks[2].lines[0].words[1]).toEqual({ text: 'extra' });
    // No text at all: the words are grouped into lines by position.
    const orphans = pageLayout('', [
      word('a', 0, 0, 10, 10),
      word('b', 20, 1, 30, 11),
      word('c', 0, 40, 10, 50),
    ]);
    expect(orphans.flatMap((b) => b.lines.map((l) => l.words.map((w) => w.text).join(' ')))).toEqual([
      'a b',
      'c',
    ]);
  });
});

/** Two pages recognised at 300 dpi and one kept from the PDF's text layer at 200 dpi, one failed. */
const doc: StructuredDocument = {
  sourceName: 'Minutes & "notes" <2024>.pdf',
  pages: [
    {
      number: 1,
      width: 2550,
      height: 3300,
      dpi: 300,
      source: 'ocr',
      failed: false,
      blocks: pageLayout('Fish & chips <cheap>\n\nTotal "12"', [
        word('Fish', 100, 100, 180, 140, 96.5),
        word('&', 190, 100, 210, 140, 88),
        word('chips', 220, 100, 320, 140, 91),
        word('<cheap>', 330, 100, 470, 140, 40),
        word('Total', 100, 200, 200, 240, 99),
        word('"12"', 600, 200, 680, 240, 97),
      ]),
    },
    {
      number: 2,
      width: 1700,
      height: 2200,
      dpi: 200,
      source: 'text-layer',
      failed: false,
      blocks: pageLayout('Born digital', [
        { text: 'Born', x0: 50, y0: 60, x1: 120, y1: 90 },
        { text: 'digital', x0: 130, y0: 60, x1: 240, y1: 90 },
      ]),
    },
    { number: 3, width: 0, height: 0, dpi: 300, source: 'ocr', failed: true, blocks: [] },
  ],
};

describe('ALTO 4.4', () => {
  const alto = buildAlto(doc);

  it('is valid against the ALTO 4.4 schema (xmllint, offline)', () => {
    const file = join(work, 'doc.alto.xml');
    writeFileSync(file, alto);
    const result = xmllint('--noout', '--nonet', '--schema', SCHEMA, file);
    expect(result.output).toMatch(/validates/);
    expect(result.status).toBe(0);
  });

  it('states the unit, the source image and each resolution, and every page refers to its own', () => {
    expect(alto).toContain('<MeasurementUnit>pixel</MeasurementUnit>');
    expect(alto).toContain('<fileName>Minutes &amp; &quot;notes&quot; &lt;2024&gt;.pdf</fileName>');
    expect(alto).toMatch(/<Processing ID="ocr_300dpi">[\s\S]*resolution: 300 dpi/);
    expect(alto).toMatch(/<Processing ID="text_layer_200dpi">[\s\S]*resolution: 200 dpi/);
    expect(alto).toContain(
      '<Page ID="p1" PHYSICAL_IMG_NR="1" WIDTH="2550" HEIGHT="3300" PROCESSINGREFS="ocr_300dpi"',
    );
    expect(alto).toContain(
      '<Page ID="p2" PHYSICAL_IMG_NR="2" WIDTH="1700" HEIGHT="2200" PROCESSINGREFS="text_layer_200dpi"',
    );
    expect(alto).toContain('<Page ID="p3" PHYSICAL_IMG_NR="3"/>');
  });

  it('writes blocks, lines and words with boxes and confidence, spaces between words', () => {
    expect(alto).toContain('<TextBlock ID="p1_b1" HPOS="100" VPOS="100" WIDTH="370" HEIGHT="40">');
    expect(alto).toContain(
      '<String ID="p1_b1_l1_w1" CONTENT="Fish" HPOS="100" VPOS="100" WIDTH="80" HEIGHT="40" WC="0.965"/>',
    );
    expect(alto).toContain('CONTENT="&amp;"');
    expect(alto).toContain('CONTENT="&lt;cheap&gt;"');
    expect(alto).toContain('CONTENT="&quot;12&quot;"');
    expect(alto).toContain('<SP HPOS="200" VPOS="200" WIDTH="400"/>');
    // Text kept from the PDF: boxes, no confidence.
    expect(alto).toContain(
      '<String ID="p2_b1_l1_w1" CONTENT="Born" HPOS="50" VPOS="60" WIDTH="70" HEIGHT="30"/>',
    );
  });

  it('is the same bytes every time for the same pages (no dates)', () => {
    expect(buildAlto(structuredClone(doc))).toBe(alto);
    expect(alto).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });
});

describe('hOCR', () => {
  const hocr = buildHocr(doc);

  it('is well-formed XHTML', () => {
    const file = join(work, 'doc.hocr');
    writeFileSync(file, hocr);
    expect(xmllint('--noout', '--nonet', file).status).toBe(0);
  });

  it('gives each page its image, size and resolution, each word its box and confidence', () => {
    expect(hocr).toContain(
      '<div class="ocr_page" id="page_1" title="image &quot;Minutes &amp; _notes_ &lt;2024&gt;.pdf&quot;; bbox 0 0 2550 3300; ppageno 0; scan_res 300 300">',
    );
    expect(hocr).toContain(
      'title="image &quot;Minutes &amp; _notes_ &lt;2024&gt;.pdf&quot;; bbox 0 0 1700 2200; ppageno 1; scan_res 200 200"',
    );
    expect(hocr).toContain(
      '<span class="ocrx_word" id="word_1_1_1_1" title="bbox 100 100 180 140; x_wconf 97">Fish</span> ',
    );
    expect(hocr).toContain('>&lt;cheap&gt;</span>');
    expect(hocr).toContain('<span class="ocrx_word" id="word_2_1_1_1" title="bbox 50 60 120 90">Born</span>');
    expect(hocr).toMatch(
      /<div class="ocr_carea" id="block_1_2" title="bbox 100 200 680 240">\s*<p class="ocr_par"/,
    );
    expect(hocr).toContain('<meta name="ocr-number-of-pages" content="3"/>');
    expect(buildHocr(structuredClone(doc))).toBe(hocr);
  });
});

describe("word boxes of a PDF's own text layer", () => {
  it('splits text items into words at whitespace and line ends, boxes mapped into page pixels', () => {
    // A 612 × 792 pt page at 300 dpi: pdf.js's viewport transform flips y.
    const k = 300 / 72;
    const viewport = [k, 0, 0, -k, 0, 792 * k];
    const items = [
      { str: 'Hello wor', transform: [12, 0, 0, 12, 72, 700], width: 54, height: 12 },
      { str: 'ld', transform: [12, 0, 0, 12, 126, 700], width: 12, height: 12, hasEOL: true },
      { str: 'Next', transform: [12, 0, 0, 12, 72, 680], width: 24, height: 12 },
    ];
    const words = wordsFromContent(items, viewport);
    expect(words.map((w) => w.text)).toEqual(['Hello', 'world', 'Next']);
    // "Hello" starts at the item's origin; "world" ends at the second item's end; both span
    // 0.2 em below the baseline to 0.8 em above it.
    expect(words[0].x0).toBe(Math.round(72 * k));
    expect(words[1].x1).toBe(Math.round(138 * k));
    expect(words[0].y0).toBe(Math.round((792 - 700 - 0.8 * 12) * k));
    expect(words[0].y1).toBe(Math.round((792 - 700 + 0.2 * 12) * k));
    expect(words[2].y0).toBeGreaterThan(words[0].y1);
  });
});
