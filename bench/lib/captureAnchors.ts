/**
 * The two anchors of the hard-capture rows (issue 16), one file at a time, as a user would run them:
 *
 * - **plain `tesseract`**: the Debian command with its own model, `-l eng`, nothing else. Image
 *   files as they are (a multi-page TIFF in one call); PDF pages rasterised by `pdftoppm -gray` at
 *   the resolution of the page's image (`pdfimages -list`; 300 DPI when a page has none), since
 *   rendering a 200-DPI scan at 300 blows its specks up (c03: 4.2% at 200, 33% at 300).
 * - **`ocrmypdf --clean --deskew --rotate-pages --force-ocr`** (unpaper cleans the page images it
 *   OCRs): image files wrapped with img2pdf first, which keeps the file's DPI claim (ocrmypdf
 *   refuses a bare JPEG that says 72 DPI); the text from `--sidecar`.
 *
 * Both with `OMP_THREAD_LIMIT=1` (Tesseract's threads only slow a 2-core machine down).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exec, execOk, freshDir, log, naturalCompare, OUT_DIR } from './util.ts';

const ENV = { ...process.env, OMP_THREAD_LIMIT: '1' };

/** Pixels per inch of each page's largest image, from `pdfimages -list` (page number → ppi). */
async function imageResolutions(pdf: string): Promise<Map<number, number>> {
  const out = (await execOk('pdfimages', ['-list', pdf])).stdout.split('\n').slice(2);
  const best = new Map<number, { pixels: number; ppi: number }>();
  for (const line of out) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14 || f[2] !== 'image') continue;
    const [page, width, height, xppi] = [Number(f[0]), Number(f[3]), Number(f[4]), Number(f[12])];
    const pixels = width * height;
    if ((best.get(page)?.pixels ?? 0) < pixels) best.set(page, { pixels, ppi: xppi });
  }
  return new Map([...best].map(([page, b]) => [page, Math.round(b.ppi)]));
}

async function pageCount(pdf: string): Promise<number> {
  const m = /Pages:\s+(\d+)/.exec((await execOk('pdfinfo', [pdf])).stdout);
  return m ? Number(m[1]) : 0;
}

/** Plain `tesseract` over a file; pages joined with form feeds. `scratch` is emptied first. */
export async function plainTesseract(file: string, scratch: string): Promise<string> {
  freshDir(scratch);
  if (!file.toLowerCase().endsWith('.pdf'))
    return (await execOk('tesseract', [file, '-', '-l', 'eng'], { env: ENV })).stdout.replace(/\f$/, '');
  const resolutions = await imageResolutions(file);
  const pages: string[] = [];
  for (let p = 1, n = await pageCount(file); p <= n; p++) {
    const dpi = resolutions.get(p) ?? 300;
    const prefix = path.join(scratch, `p${p}`);
    await execOk('pdftoppm', ['-r', String(dpi), '-gray', '-f', String(p), '-l', String(p), file, prefix]);
    const made = readdirSync(scratch).filter((f) => f.startsWith(`p${p}-`) && f.endsWith('.pgm'));
    made.sort(naturalCompare);
    const image = path.join(scratch, made[0]);
    const args = [image, '-', '-l', 'eng', '--dpi', String(dpi), '-c', 'page_separator='];
    pages.push((await execOk('tesseract', args, { env: ENV })).stdout);
  }
  return pages.join('\f');
}

/** `ocrmypdf --clean --deskew --rotate-pages` over a file: its sidecar text, or the error. */
export async function ocrmypdfClean(
  file: string,
  scratch: string,
): Promise<{ text: string } | { error: string }> {
  freshDir(scratch);
  let pdf = file;
  if (!file.toLowerCase().endsWith('.pdf')) {
    pdf = path.join(scratch, 'input.pdf');
    await execOk('/usr/bin/python3', ['-m', 'img2pdf', '-o', pdf, file]);
  }
  const sidecar = path.join(scratch, 'sidecar.txt');
  const args = ['-q', '-j', '1', '--clean', '--deskew', '--rotate-pages', '--force-ocr', '-l', 'eng'];
  const r = await exec('ocrmypdf', [...args, '--sidecar', sidecar, pdf, path.join(scratch, 'out.pdf')], {
    env: ENV,
  });
  if (r.code !== 0) return { error: r.stderr.trim().split('\n').slice(-1)[0] ?? `exit ${r.code}` };
  return { text: readFileSync(sidecar, 'utf8').replace(/\f$/, '') };
}

export const PLAIN_TESSERACT_COMMAND =
  'tesseract FILE - -l eng (PDF pages: pdftoppm -gray at the image resolution)';
export const OCRMYPDF_COMMAND =
  'ocrmypdf -j 1 --clean --deskew --rotate-pages --force-ocr -l eng (images via img2pdf)';

/** What the two anchors read from one file (null: not run; `ocrmypdfError`: it refused the file). */
export interface CaptureAnchors {
  plain: string | null;
  ocrmypdf: string | null;
  ocrmypdfError?: string;
}

/**
 * The anchors over one file, cached by the file's content in bench/out/anchors/ (they do not
 * change with our code, and ocrmypdf takes ~30 s a file here); `fresh` runs them again. Plain
 * `tesseract` always (every corpus page is held to "never worse than plain"); `ocrmypdf` only
 * when `withOcrmypdf` (the hard captures' table). `scratch`: a folder of this run's own (emptied).
 */
export async function captureAnchors(
  file: string,
  fresh = false,
  withOcrmypdf = true,
  scratch = path.join(OUT_DIR, 'anchors-scratch'),
): Promise<CaptureAnchors> {
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 24);
  const cacheDir = path.join(OUT_DIR, 'anchors');
  const cached = path.join(cacheDir, `${hash}${withOcrmypdf ? '' : '.plain'}.json`);
  // Plain's text alone is also in the file's cache with both anchors.
  const withBoth = path.join(cacheDir, `${hash}.json`);
  for (const c of withOcrmypdf ? [cached] : [cached, withBoth])
    if (!fresh && existsSync(c)) return JSON.parse(readFileSync(c, 'utf8')) as CaptureAnchors;
  log(`anchors: ${path.basename(file)} (plain tesseract${withOcrmypdf ? ', ocrmypdf --clean' : ''})…`);
  const plain = await plainTesseract(file, scratch);
  let result: CaptureAnchors = { plain, ocrmypdf: null };
  if (withOcrmypdf) {
    const o = await ocrmypdfClean(file, scratch);
    result = 'text' in o ? { plain, ocrmypdf: o.text } : { plain, ocrmypdf: null, ocrmypdfError: o.error };
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cached, JSON.stringify(result));
  return result;
}
