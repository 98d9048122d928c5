/**
 * The two Tesseract builds a worker can use: the system libtesseract through our addon (`native`)
 * and tesseract.js (`wasm`). Both must read the same pages the same way; the native one must fail
 * as cleanly as the WASM one, switch languages, and keep its model cache whole; the CLI must say
 * which one ran and refuse an unknown choice in one line.
 *
 * The native half needs the addon, which `npm ci` builds where libtesseract-dev is installed
 * (.ci/run installs it and fails if the build fails). On a machine without it those tests are
 * skipped, and say why.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, statSync, truncateSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDocument } from '../../src/main/worker/pdfDocument.ts';
import { ocrPage } from '../../src/main/worker/ocrPage.ts';
import { createRecognizer, type Recognizer } from '../../src/main/worker/recognize.ts';
import { ensureModels, loadNativeAddon, openNativeTesseract } from '../../src/main/worker/nativeTesseract.ts';
import { DEFAULT_MODEL_VARIANT } from '../../src/main/worker/languages.ts';
import { InputError } from '../../src/main/common/errors.ts';
import type { OcrOptions, PageResult } from '../../src/shared/model.ts';
import { cer } from '../helpers/cer.ts';
import { expectSaneWords } from '../helpers/words.ts';
import { CORPUS, tempDir } from '../helpers/engineRun.ts';

const native = loadNativeAddon();
const place = ({ text, x0, y0, x1, y1 }: PageResult['words'][number]) => ({ text, x0, y0, x1, y1 });
const commandExists = (command: string): boolean => spawnSync(command, ['-v']).error === undefined;

/** Words from the `tesseract` command's TSV: level-5 rows, `… left top width height conf text`. */
function wordsOfTsv(tsv: string): PageResult['words'] {
  return tsv
    .split('\n')
    .filter((line) => line.startsWith('5\t'))
    .map((line) => line.split('\t'))
    .filter((cells) => cells[11]?.trim())
    .map((cells) => {
      const [left, top, width, height, confidence] = cells.slice(6, 11).map(Number);
      return { text: cells[11].trim(), x0: left, y0: top, x1: left + width, y1: top + height, confidence };
    });
}
const nativeMissing = 'reason' in native ? native.reason : null;
const force: OcrOptions = { languages: ['eng'], dpi: 300, mode: 'force' };
const SYNTHETIC = path.join(CORPUS, 'synthetic');
const gt = (name: string): string => readFileSync(path.join(SYNTHETIC, `${name}.gt.txt`), 'utf8');

async function ocr(recognizer: Recognizer, file: string, page = 1, options = force): Promise<PageResult> {
  const doc = await openDocument(path.join(SYNTHETIC, file));
  try {
    return await ocrPage(doc, page, options, recognizer);
  } finally {
    await doc.close();
  }
}

describe.skipIf(nativeMissing !== null)(`native libtesseract (${nativeMissing ?? 'addon built'})`, () => {
  let nativeRecognizer: Recognizer;
  let wasmRecognizer: Recognizer;
  beforeAll(async () => {
    nativeRecognizer = await createRecognizer({ backend: 'native' });
    wasmRecognizer = await createRecognizer({ backend: 'wasm' });
  });
  afterAll(async () => {
    await nativeRecognizer?.terminate();
    await wasmRecognizer?.terminate();
  });

  it('is what `auto` picks, and names itself', async () => {
    expect(nativeRecognizer.engine).toMatch(/^native libtesseract 5\.\d+/);
    expect(wasmRecognizer.engine).toMatch(/^tesseract\.js \(WASM/);
    const auto = await createRecognizer({ backend: 'auto' });
    try {
      expect(auto.engine).toBe(nativeRecognizer.engine);
    } finally {
      await auto.terminate();
    }
  });

  it('reads a scanned page like the WASM build: same accuracy, the same words in the same places', async () => {
    const [n, w] = [
      await ocr(nativeRecognizer, 's04-two-column.pdf'),
      await ocr(wasmRecognizer, 's04-two-column.pdf'),
    ];
    const truth = gt('s04-two-column').split('\f')[0];
    expect(cer(truth, n.text).rate).toBeLessThan(0.01);
    expect(cer(truth, n.text).rate).toBeLessThanOrEqual(cer(truth, w.text).rate + 0.002);
    expect(Math.abs(n.words.length - w.words.length)).toBeLessThanOrEqual(w.words.length * 0.02);
    // Word boxes: a word that occurs once on the page in both readings lies in (nearly) the same place.
    const once = (words: PageResult['words']) => {
      const counts = new Map<string, number>();
      for (const word of words) counts.set(word.text, (counts.get(word.text) ?? 0) + 1);
      return new Map(words.filter((word) => counts.get(word.text) === 1).map((word) => [word.text, word]));
    };
    const wasmOnce = once(w.words);
    const offsets = [...once(n.words).values()].flatMap((word) => {
      const other = wasmOnce.get(word.text);
      return other ? [Math.max(Math.abs(word.x0 - other.x0), Math.abs(word.y0 - other.y0))] : [];
    });
    expect(offsets.length).toBeGreaterThan(100);
    offsets.sort((a, b) => a - b);
    expect(offsets[Math.floor(offsets.length / 2)]).toBeLessThanOrEqual(2);
    expectSaneWords(n);
    expect(n.meanConfidence).toBeGreaterThan(80);
  });

  // The addon reads results in its own walk and keeps Tesseract's line images unpacked (both for
  // speed); neither may change a letter or a box. The `tesseract` command is the reference: the same
  // library, model file, image and settings.
  const run = (command: string, args: string[]) => {
    const result = spawnSync(command, args, { env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
    expect(result.status, `${command}: ${String(result.stderr)}`).toBe(0);
  };
  /** Reads `image` (a file Leptonica decodes) with the addon and with the command: the same text and words. */
  async function expectSameAsCommand(
    image: string,
    languages: string[],
    minimumWords: number,
  ): Promise<void> {
    const engine = openNativeTesseract(languages, DEFAULT_MODEL_VARIANT, { tessedit_pageseg_mode: '3' });
    try {
      const models = ensureModels(languages, DEFAULT_MODEL_VARIANT);
      const base = `${image}-command`;
      const settings = `-l ${languages.join('+')} --psm 3 --dpi 300 -c tessedit_create_txt=1 -c tessedit_create_tsv=1`;
      run('tesseract', [image, base, '--tessdata-dir', models, ...settings.split(' ')]);
      const bytes = new Uint8Array(readFileSync(image));
      const ours = await engine.recognize({ kind: 'encoded', width: 0, height: 0, bytes, dpi: 300 });
      expect(ours.text).toBe(readFileSync(`${base}.txt`, 'utf8').replace(/\s+$/, ''));
      const theirs = wordsOfTsv(readFileSync(`${base}.tsv`, 'utf8'));
      expect(theirs.length).toBeGreaterThanOrEqual(minimumWords);
      expect(ours.words.map(place)).toEqual(theirs.map(place));
      ours.words.forEach((word, i) => expect(word.confidence).toBeCloseTo(theirs[i].confidence, 0));
    } finally {
      engine.close();
    }
  }

  it.skipIf(!commandExists('tesseract') || !commandExists('pdftoppm'))(
    'reads a page exactly as the `tesseract` command does: the same text, the same words in the same boxes',
    async () => {
      const work = tempDir('cli-reference');
      try {
        for (const [file, page] of [
          ['s04-two-column.pdf', 1],
          ['s05-table.pdf', 1],
        ] as const) {
          const base = path.join(work, `${file}-${page}`);
          const pageArgs = ['-f', String(page), '-l', String(page)];
          run('pdftoppm', [
            ...'-r 300 -gray -singlefile'.split(' '),
            ...pageArgs,
            path.join(SYNTHETIC, file),
            base,
          ]);
          await expectSameAsCommand(`${base}.pgm`, ['eng'], 150);
        }
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );

  // A page with right-to-left words is read in Tesseract's reading order, not the fast walk: each
  // Hebrew word in reading order and spelt right, like the command (the Hebrew model is a
  // devDependency for this test; the fixture is two Hebrew lines and one English line).
  it.skipIf(!commandExists('tesseract'))(
    'reads right-to-left text as the `tesseract` command does',
    async () => {
      const work = tempDir('cli-reference-rtl');
      try {
        const image = path.join(work, 'hebrew-and-english.png');
        copyFileSync(path.join(import.meta.dirname, '../fixtures/hebrew-and-english.png'), image);
        await expectSameAsCommand(image, ['heb', 'eng'], 15);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );

  it('reads image inputs from their own bytes (PNG) and from decoded pixels (TIFF)', async () => {
    const png = await ocr(nativeRecognizer, 's08-image-png.png');
    expect(cer(gt('s08-image-png'), png.text).rate).toBeLessThan(0.01);
    const tiff = await ocr(nativeRecognizer, 's10-tiff-3p.tif', 2);
    expect(cer(gt('s10-tiff-3p').split('\f')[1], tiff.text).rate).toBeLessThan(0.01);
  });

  it('switches languages between pages and back', async () => {
    const both = await ocr(nativeRecognizer, 's01-letter.pdf', 1, { ...force, languages: ['eng', 'fra'] });
    const eng = await ocr(nativeRecognizer, 's01-letter.pdf', 1, force);
    expect(cer(gt('s01-letter'), both.text).rate).toBeLessThan(0.02);
    expect(cer(gt('s01-letter'), eng.text).rate).toBeLessThan(0.01);
    await expect(
      ocr(nativeRecognizer, 's01-letter.pdf', 1, { ...force, languages: ['xxx'] }),
    ).rejects.toThrow(/"xxx" is not installed/);
  });

  it('fails an undecodable image with a reason, and keeps working', async () => {
    const garbage = new TextEncoder().encode('this is not an image at all, just text pretending');
    const error: unknown = await nativeRecognizer
      .recognize({ kind: 'encoded', width: 10, height: 10, bytes: garbage, dpi: 300 }, ['eng'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('OCR_FAILED');
    expect((error as Error).message).toMatch(/Tesseract failed on this page/);
    const after = await ocr(nativeRecognizer, 's08-image-png.png');
    expect(cer(gt('s08-image-png'), after.text).rate).toBeLessThan(0.01);
  });

  it('unpacks models once into its cache and replaces a torn one', () => {
    const cache = tempDir('models');
    try {
      ensureModels(['eng', 'fra'], '4.0.0_best_int', cache);
      const eng = path.join(cache, 'eng.traineddata');
      const size = statSync(eng).size;
      expect(size).toBeGreaterThan(1_000_000);
      expect(existsSync(path.join(cache, 'fra.traineddata'))).toBe(true);
      const mtime = statSync(eng).mtimeMs;
      ensureModels(['eng'], '4.0.0_best_int', cache);
      expect(statSync(eng).mtimeMs).toBe(mtime); // whole: not written again
      truncateSync(eng, 1000); // a copy cut short (disk full, killed mid-write by an older version)
      ensureModels(['eng'], '4.0.0_best_int', cache);
      expect(statSync(eng).size).toBe(size);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('bulk-ocr run --tesseract', () => {
  const BIN = path.resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
  const work = tempDir('backend-cli');
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  let runs = 0;
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, 'run', ...args, '--db', path.join(work, `run-${++runs}.db`)], {
      encoding: 'utf8',
      timeout: 300_000,
    });

  it('refuses an unknown build in one line, exit 2', () => {
    const r = run([
      path.join(SYNTHETIC, 's08-image-png.png'),
      '--out',
      path.join(work, 'bad'),
      '--tesseract',
      'gpu',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/--tesseract must be auto, native or wasm, not "gpu"/);
  });

  it('runs on the WASM build when asked, and says so', () => {
    const out = path.join(work, 'wasm');
    const r = run([path.join(SYNTHETIC, 's08-image-png.png'), '--out', out, '--tesseract', 'wasm', '--json']);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as { ocrEngines: string[] };
    expect(summary.ocrEngines).toEqual(['tesseract.js (WASM, simd-lstm)']);
    const text = readFileSync(path.join(out, 's08-image-png.txt'), 'utf8');
    expect(cer(gt('s08-image-png'), text).rate).toBeLessThan(0.01);
  });

  it.skipIf(nativeMissing !== null)('uses the native build by default where it is installed', () => {
    const out = path.join(work, 'auto');
    const r = run([path.join(SYNTHETIC, 's08-image-png.png'), '--out', out, '--json']);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as { ocrEngines: string[] };
    expect(summary.ocrEngines).toHaveLength(1);
    expect(summary.ocrEngines[0]).toMatch(/^native libtesseract 5\./);
  });
});
