import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONVERT, PAGE_TEXT, writeRealWorldFiles, type RealWorldFile } from '../helpers/realWorldFiles.ts';
import { norm, pageCount, pageSizes, tempDir } from '../helpers/export-fixtures.ts';

/**
 * Kinds of files other readers open, made at test time (helpers/realWorldFiles.ts), through
 * `bulk-ocr run` as a user runs it: PDF/A of every part, owner-password encryption, EXIF
 * orientation, Netpbm, incremental updates, damaged page trees, a dynamic XFA form, a named pipe.
 * What is readable is read (text, page count) and written clean (qpdf --check); what is not says
 * why, in words.
 */
const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
const work = tempDir('real-world-');
const input = join(work, 'in');
const out = join(work, 'out');

interface Summary {
  failures: { path: string; code: string; message: string }[];
  skipped: { path: string; reason: string }[];
  outputs: string[];
}

function runCli(args: string[]): { status: number | null; summary: Summary; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'run', ...args, '--json', '--jobs', '2'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (!r.stdout) throw new Error(`bulk-ocr run printed no summary (status ${r.status}):\n${r.stderr}`);
  return { status: r.status, summary: JSON.parse(r.stdout) as Summary, stderr: r.stderr };
}

let files: RealWorldFile[];
let result: ReturnType<typeof runCli>;
const stem = (name: string): string => join(out, name.replace(/\.\w+$/, ''));

beforeAll(() => {
  files = writeRealWorldFiles(input);
  result = runCli([input, '--out', out, '--db', join(work, 'queue.db')]);
}, 900_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('real-world inputs through bulk-ocr run', () => {
  it('every readable file is read: its text, page by page', () => {
    for (const f of files) {
      if (!('done' in f.expect)) continue;
      const txt = `${stem(f.name)}.txt`;
      expect(existsSync(txt), `${f.name} (${f.what}): ${JSON.stringify(result.summary.failures)}`).toBe(true);
      const pages = readFileSync(txt, 'utf8').split('\f');
      expect(pages, f.name).toHaveLength(f.expect.done.length);
      f.expect.done.forEach((text, i) =>
        expect(norm(pages[i]).toLowerCase(), f.name).toContain(norm(text).toLowerCase()),
      );
    }
  });

  it('every searchable PDF passes qpdf --check and has the pages that were read', () => {
    for (const f of files) {
      if (!('done' in f.expect)) continue;
      const pdf = `${stem(f.name)}.pdf`;
      const check = spawnSync('qpdf', ['--check', pdf], { encoding: 'utf8' });
      expect(check.status, `${f.name}: ${check.stdout}${check.stderr}`).toBe(0);
      expect(pageCount(pdf), f.name).toBe(f.expect.done.length);
    }
  });

  it('pictures stored turned are written as they are shown (landscape here), and read upright', () => {
    for (const name of ['phone-turned-90.jpg', 'phone-upside-down.jpg', 'scan-turned-270.tif']) {
      const [page] = pageSizes(`${stem(name)}.pdf`);
      expect(page.width / page.height, name).toBeCloseTo(2.5, 1);
      expect(page.rot, name).toBe(0);
    }
  });

  it('PDF/A-1 stays PDF 1.4 without object streams, and keeps its PDF/A claim', () => {
    const bytes = readFileSync(`${stem('pdfa-1b.pdf')}.pdf`).toString('latin1');
    expect(bytes.startsWith('%PDF-1.4')).toBe(true);
    expect(bytes).not.toMatch(/\/Type\s*\/ObjStm/);
    expect(bytes).toMatch(/pdfaid:part[>="']+1/);
  });

  it('what cannot be read says why, in words, and the run says it did not all succeed', () => {
    for (const f of files) {
      const path = join(input, f.name);
      if ('failed' in f.expect) {
        const failure = result.summary.failures.find((x) => x.path === path);
        expect(failure, f.name).toMatchObject({
          code: f.expect.code,
          message: expect.stringMatching(f.expect.failed) as unknown,
        });
        expect(existsSync(`${stem(f.name)}.pdf`), f.name).toBe(false);
      }
      if ('skipped' in f.expect)
        expect(result.summary.skipped, f.name).toContainEqual({
          path,
          reason: expect.stringMatching(f.expect.skipped) as unknown,
        });
    }
    expect(result.summary.failures.map((x) => x.path).sort()).toEqual(
      files
        .filter((f) => 'failed' in f.expect)
        .map((f) => join(input, f.name))
        .sort(),
    );
    expect(result.status).toBe(1);
  });
});

describe('--max-image-mpixels', () => {
  it('an image over the limit is refused with its size and the option; raised, it is read', () => {
    const dir = join(work, 'big');
    const image = join(dir, 'plan.png');
    spawnSync('mkdir', ['-p', dir]);
    const made = spawnSync(CONVERT, [
      ...['-size', '2400x1300', 'xc:white', '-font', 'Helvetica', '-pointsize', '60', '-fill', 'black'],
      ...['-annotate', '+100+300', PAGE_TEXT[0], '-density', '300', '-units', 'PixelsPerInch', image],
    ]);
    expect(made.status, made.stderr?.toString()).toBe(0);
    const db = join(work, 'big.db');
    const refused = runCli([image, '--out', join(work, 'big-out'), '--db', db, '--max-image-mpixels', '2']);
    expect(refused.status).toBe(1);
    expect(refused.summary.failures).toEqual([
      {
        path: image,
        code: 'TOO_LARGE',
        message: expect.stringMatching(
          /the image is 2400 × 1300 pixels \(3.1 megapixels\); the limit is 2 megapixels; .*--max-image-mpixels 4 .*"Largest image" in Settings/,
        ) as unknown,
      },
    ]);
    const read = runCli([image, '--out', join(work, 'big-out'), '--db', db, '--max-image-mpixels', '4']);
    expect(read.summary.failures).toEqual([]);
    expect(read.status).toBe(0);
    expect(norm(readFileSync(join(work, 'big-out', 'plan.txt'), 'utf8')).toLowerCase()).toContain(
      'quick brown fox',
    );
  });
});
