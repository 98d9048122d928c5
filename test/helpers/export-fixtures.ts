import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Word } from '../../src/shared/model.ts';
import type { ExportPage } from '../../src/main/worker/export/exportDocument.ts';

/** Helpers shared by the export tests: synthetic word layouts and poppler-utils wrappers. */

export const CORPUS = '/work/shared/corpus';

export function tempDir(prefix = 'bulk-ocr-export-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Ground-truth pages of a corpus file (`NAME.gt.txt` next to it). */
export function groundTruthPages(file: string): string[] {
  return readFileSync(file.replace(/\.[a-z]+$/i, '.gt.txt'), 'utf8').split('\f');
}

/**
 * Lays the text out on a grid in a raster of `width` × `height` pixels: one text line per grid
 * row, words 12 px per character wide with a one-character gap, rows 30 px apart, boxes 20 px
 * high. Not where the words are in the scan; only where the layer must put them.
 */
export function gridPage(text: string, width: number, height: number): ExportPage {
  const words: Word[] = [];
  const lines = text.split('\n');
  const charW = Math.min(12, (width - 40) / Math.max(1, ...lines.map((l) => l.length + 1)));
  const rowH = Math.min(30, (height - 40) / Math.max(1, lines.length));
  lines.forEach((line, row) => {
    let x = 20;
    for (const t of line.split(/\s+/).filter(Boolean)) {
      const w = [...t].length * charW;
      const y0 = 20 + row * rowH;
      words.push({ text: t, x0: x, y0, x1: x + w, y1: y0 + rowH * 0.66, confidence: 95 });
      x += w + charW;
    }
  });
  return { text, words, width, height, source: 'ocr' };
}

/** Runs a poppler-utils tool and returns its stdout. */
export function poppler(tool: 'pdftotext' | 'pdfinfo' | 'pdfimages', ...args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Whitespace-normalised text, as the corpus scorer compares it. */
export function norm(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/** Page sizes in points as `pdfinfo` reports them: the CropBox size before /Rotate, and the rotation. */
export function pageSizes(pdf: string): { width: number; height: number; rot: number }[] {
  const info = poppler('pdfinfo', '-f', '1', '-l', '9999', pdf);
  const sizes: { width: number; height: number; rot: number }[] = [];
  for (const m of info.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/gm))
    sizes[Number(m[1]) - 1] = { width: Number(m[2]), height: Number(m[3]), rot: 0 };
  for (const m of info.matchAll(/^Page\s+(\d+) rot:\s+(\d+)/gm)) sizes[Number(m[1]) - 1].rot = Number(m[2]);
  return sizes;
}

export function pageCount(pdf: string): number {
  return Number(/^Pages:\s+(\d+)/m.exec(poppler('pdfinfo', pdf))?.[1]);
}

export interface BboxWord {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** Words with their boxes from `pdftotext -bbox -cropbox`: points, top-left of the displayed page. */
export function bboxWords(pdf: string): BboxWord[] {
  const html = poppler('pdftotext', '-bbox', '-cropbox', pdf, '-');
  const out: BboxWord[] = [];
  let page = 0;
  for (const line of html.split('\n')) {
    if (line.includes('<page ')) page++;
    const m = /<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*)<\/word>/.exec(
      line,
    );
    if (m)
      out.push({
        page,
        xMin: +m[1],
        yMin: +m[2],
        xMax: +m[3],
        yMax: +m[4],
        text: m[5]
          .replace(/&amp;/g, '&')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&apos;/g, "'"),
      });
  }
  return out;
}
