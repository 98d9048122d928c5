/**
 * The native anchors, run over the same pages as our engine:
 *
 * - `tesseract`: N processes at a time (one process per page, as `xargs -P N` would run them),
 *   over pages rasterised beforehand: PDF pages with `pdftoppm -r 300 -gray` (PGM), PNG and JPEG
 *   inputs as they are (our pipeline hands Leptonica the same bytes), TIFF pages decoded by our own
 *   worker code into the PGM our pipeline feeds. Same model file as ours (the gunzipped
 *   @tesseract.js-data best_int eng model), `--oem 1 --psm 3`, `OMP_THREAD_LIMIT=1`, `--dpi`
 *   as our recogniser passes it. Only recognition is timed; rasterisation is timed on its own.
 * - `ocrmypdf -j N --force-ocr --output-type pdf`: the inputs as one PDF (images wrapped with
 *   img2pdf, then all files joined page for page with pdf-lib, which copies the image streams as
 *   they are), so ocrmypdf gets one start-up and all N jobs busy — its best case. Timed wall clock.
 */
import {
  cpSync,
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import path from 'node:path';
import { PDFDocument } from '@cantoo/pdf-lib';
import { DEFAULT_MODEL_VARIANT, trainedDataPath } from '../../src/main/worker/languages.ts';
import { decodeImagePage, sniffImage } from '../../src/main/worker/images.ts';
import { toPgm } from '../../src/main/worker/rasterize.ts';
import type { BenchFile } from './pageset.ts';
import { exec, execOk, freshDir, naturalCompare, pool } from './util.ts';

export interface NativePage {
  file: BenchFile;
  pageNo: number;
  imagePath: string;
  dpi: number;
  how: 'pdftoppm -r 300 -gray (PGM)' | 'input file as is' | 'our TIFF decoder → PGM';
}

export interface RasteriseResult {
  pages: NativePage[];
  /** Wall time to rasterise the PDF pages with pdftoppm (N at a time). */
  wallMs: number;
}

export async function rasteriseForNative(
  files: readonly BenchFile[],
  dir: string,
  jobs: number,
): Promise<RasteriseResult> {
  freshDir(dir);
  const t0 = performance.now();
  const perFile = await pool(files, jobs, async (file): Promise<NativePage[]> => {
    if (file.kind === 'pdf') {
      const prefix = path.join(dir, file.name);
      await execOk('pdftoppm', ['-r', '300', '-gray', file.path, prefix]);
      const made = readdirSync(dir)
        .filter((f) => f.startsWith(`${file.name}-`) && f.endsWith('.pgm'))
        .sort(naturalCompare);
      if (made.length !== file.pages)
        throw new Error(`pdftoppm made ${made.length} pages for ${file.name}, expected ${file.pages}`);
      return made.map((f, i) => ({
        file,
        pageNo: i + 1,
        imagePath: path.join(dir, f),
        dpi: 300,
        how: 'pdftoppm -r 300 -gray (PGM)',
      }));
    }
    const bytes = new Uint8Array(readFileSync(file.path));
    const info = sniffImage(bytes);
    if (!info) throw new Error(`not an image: ${file.path}`);
    const dpi = Math.round(info.dpiX ?? 300);
    if (info.format === 'png' || info.format === 'jpeg')
      return [{ file, pageNo: 1, imagePath: file.path, dpi, how: 'input file as is' }];
    const pages: NativePage[] = [];
    for (let i = 0; i < info.pages; i++) {
      const img = await decodeImagePage(bytes, i);
      const out = path.join(dir, `${file.name}-${i + 1}.pgm`);
      writeFileSync(out, toPgm(img.width, img.height, img.channels, img.data));
      pages.push({
        file,
        pageNo: i + 1,
        imagePath: out,
        dpi: Math.round(img.dpiX || 300),
        how: 'our TIFF decoder → PGM',
      });
    }
    return pages;
  });
  return { pages: perFile.flat(), wallMs: performance.now() - t0 };
}

/** Debian's tessdata: its configs and glyphless font are what ocrmypdf's renderers ask Tesseract for. */
export const SYSTEM_TESSDATA = '/usr/share/tesseract-ocr/5/tessdata';

/**
 * A folder with `eng.traineddata` gunzipped from the package we load (same model file as ours),
 * plus Debian's `configs/` and `pdf.ttf` so ocrmypdf can run on it too (TESSDATA_PREFIX).
 */
export async function prepareTessdata(dir: string): Promise<{ dir: string; source: string }> {
  freshDir(dir);
  const source = trainedDataPath('eng', DEFAULT_MODEL_VARIANT);
  await pipeline(
    createReadStream(source),
    createGunzip(),
    createWriteStream(path.join(dir, 'eng.traineddata')),
  );
  if (existsSync(SYSTEM_TESSDATA)) {
    cpSync(path.join(SYSTEM_TESSDATA, 'configs'), path.join(dir, 'configs'), { recursive: true });
    cpSync(path.join(SYSTEM_TESSDATA, 'pdf.ttf'), path.join(dir, 'pdf.ttf'));
  }
  return { dir, source };
}

export interface TesseractRun {
  wallMs: number;
  pages: number;
  failed: number;
  perPageMs: number[];
  /** The file each entry of perPageMs belongs to. */
  pageFiles: string[];
  /** Per file: the pages' text joined with form feeds, as our .txt export writes it. */
  texts: Map<string, string>;
  version: string;
  command: string;
}

export async function runNativeTesseract(
  pages: readonly NativePage[],
  tessdataDir: string,
  jobs: number,
): Promise<TesseractRun> {
  const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
  const version = (await exec('tesseract', ['--version'], { env })).stdout.split('\n')[0] ?? 'tesseract ?';
  const argsFor = (p: NativePage): string[] => [
    p.imagePath,
    'stdout',
    '--tessdata-dir',
    tessdataDir,
    '-l',
    'eng',
    '--oem',
    '1',
    '--psm',
    '3',
    '--dpi',
    String(p.dpi),
  ];
  const t0 = performance.now();
  const results = await pool(pages, jobs, (p) => exec('tesseract', argsFor(p), { env }));
  const wallMs = performance.now() - t0;
  const texts = new Map<string, string[]>();
  let failed = 0;
  results.forEach((r, i) => {
    const p = pages[i];
    if (r.code !== 0) failed++;
    const list = texts.get(p.file.name) ?? [];
    list[p.pageNo - 1] = r.code === 0 ? r.stdout.replace(/\f/g, '').replace(/\s+$/, '') : '';
    texts.set(p.file.name, list);
  });
  return {
    wallMs,
    pages: pages.length,
    failed,
    perPageMs: results.map((r) => r.ms),
    pageFiles: pages.map((p) => p.file.name),
    texts: new Map([...texts].map(([k, v]) => [k, v.join('\f')])),
    version,
    command: `OMP_THREAD_LIMIT=1 tesseract PAGE stdout --tessdata-dir DIR -l eng --oem 1 --psm 3 --dpi 300  (${jobs} at a time, one process per page)`,
  };
}

export interface OcrmypdfRun {
  wallMs: number;
  pages: number;
  ok: boolean;
  error: string | null;
  version: string;
  command: string;
  /** Per file, from `pdftotext` of ocrmypdf's output, split at page boundaries. */
  texts: Map<string, string>;
  inputNote: string;
}

/** Images → PDF with img2pdf (Debian's python3 module, as ocrmypdf itself uses); then one PDF of all pages. */
export async function prepareOcrmypdfInput(files: readonly BenchFile[], dir: string): Promise<string> {
  freshDir(dir);
  const merged = await PDFDocument.create();
  for (const f of files) {
    let pdfPath = f.path;
    if (f.kind === 'image') {
      pdfPath = path.join(dir, `${f.name}.pdf`);
      await execOk('/usr/bin/python3', ['-m', 'img2pdf', '-o', pdfPath, f.path]);
    }
    const src = await PDFDocument.load(readFileSync(pdfPath));
    const copied = await merged.copyPages(src, src.getPageIndices());
    if (copied.length !== f.pages)
      throw new Error(`${f.name}: ${copied.length} pages in its PDF, expected ${f.pages}`);
    for (const p of copied) merged.addPage(p);
  }
  const out = path.join(dir, 'all-pages.pdf');
  writeFileSync(out, await merged.save({ useObjectStreams: false }));
  return out;
}

/**
 * Runs ocrmypdf over the joined PDF. `tessdataDir` null: Debian's own model (stock ocrmypdf);
 * else that folder through TESSDATA_PREFIX (our model file).
 */
export async function runOcrmypdf(
  input: string,
  files: readonly BenchFile[],
  dir: string,
  jobs: number,
  tessdataDir: string | null,
): Promise<OcrmypdfRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_THREAD_LIMIT: '1' };
  if (tessdataDir) env.TESSDATA_PREFIX = tessdataDir;
  else delete env.TESSDATA_PREFIX;
  const version = (await exec('ocrmypdf', ['--version'], { env })).stdout.trim();
  const output = path.join(dir, tessdataDir ? 'all-pages.ocrmypdf-our-model.pdf' : 'all-pages.ocrmypdf.pdf');
  const args = ['-j', String(jobs), '--force-ocr', '--output-type', 'pdf', '-l', 'eng', input, output];
  const r = await exec('ocrmypdf', args, { env });
  const texts = new Map<string, string>();
  if (r.code === 0) {
    const txt = (await execOk('pdftotext', ['-raw', output, '-'])).stdout.split('\f');
    let i = 0;
    for (const f of files) {
      texts.set(f.name, txt.slice(i, i + f.pages).join('\f'));
      i += f.pages;
    }
  }
  return {
    wallMs: r.ms,
    pages: files.reduce((n, f) => n + f.pages, 0),
    ok: r.code === 0,
    error: r.code === 0 ? null : r.stderr.trim().split('\n').slice(-3).join(' | '),
    version: `ocrmypdf ${version}`,
    command: `${tessdataDir ? 'TESSDATA_PREFIX=<our model dir> ' : ''}OMP_THREAD_LIMIT=1 ocrmypdf ${args.slice(0, -2).join(' ')} all-pages.pdf out.pdf`,
    texts,
    inputNote:
      'PDF inputs as they are, image inputs wrapped with img2pdf, all joined into one PDF (pdf-lib copyPages; image streams unchanged)',
  };
}
