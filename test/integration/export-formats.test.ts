/**
 * Issue 17, parts 2 and 3, on real OCR of the whole synthetic corpus (one run, shared): every
 * document exported as .txt, .pdf, .alto.xml and .hocr, then read back the way users' tools read
 * them. ALTO validates against the ALTO 4.4 schema; the hOCR goes through OCRmyPDF's own hOCR
 * reader and gives back our text; the searchable PDF's invisible text reads like the .txt under
 * pdftotext (default and -raw) and pdf.js, and pdf.js's find finds phrases across line ends.
 * Accuracy figures come from the corpus scorer (../shared/corpus/cer.py).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import { CORPUS, ingestRequest, tempDir, waitForDocuments } from '../helpers/engineRun.ts';
import { pdfjsFind, pdfjsPageTexts } from '../helpers/pdfjsText.ts';

const SYNTHETIC = join(CORPUS, 'synthetic');
const SCHEMA = join(CORPUS, '../schemas/alto-4-4.xsd');
const NAMES = readdirSync(SYNTHETIC)
  .filter((f) => f.endsWith('.gt.txt'))
  .map((f) => f.slice(0, -'.gt.txt'.length))
  .sort();
/** Each document's input file name (NAME.pdf, .png, .jpg, .tif). */
const SOURCES = new Map(
  readdirSync(SYNTHETIC)
    .filter((f) => !f.endsWith('.txt'))
    .map((f) => [f.replace(/\.[^.]+$/, ''), f]),
);
/** The Python that Debian's `ocrmypdf` runs with (a python3 elsewhere on PATH may not see the module). */
const OCRMYPDF_PYTHON = readFileSync(
  spawnSync('sh', ['-c', 'command -v ocrmypdf'], { encoding: 'utf8' }).stdout.trim(),
  'utf8',
)
  .split('\n')[0]
  .replace(/^#!\s*/, '')
  .trim();

const work = tempDir('formats');
const out = join(work, 'out');
let engine: Engine | null = null;

beforeAll(async () => {
  engine = new Engine({ dbPath: join(work, 'queue.db'), spawn: forkSpawner(), jobs: 2 });
  engine.start();
  const request = ingestRequest([SYNTHETIC], out, { formats: ['txt', 'pdf', 'alto', 'hocr'] });
  const { outcomes } = await engine.ingest(request);
  // 39 pages: about 1.5 minutes on two quiet cores; a machine shared with other work takes longer.
  const rows = await waitForDocuments(
    engine,
    outcomes.map((o) => o.id),
    1_100_000,
  );
  expect(rows.map((r) => r.state)).toEqual(NAMES.map(() => 'done'));
}, 1_200_000);

afterAll(async () => {
  await engine?.stop();
  rmSync(work, { recursive: true, force: true });
});

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface Scores {
  total: number;
  files: Record<string, number>;
}

/** CER of every `DIR/NAME.txt` against the ground truth (cer.py --batch). */
function scores(dir: string): Scores {
  const report = JSON.parse(
    run('python3', [join(CORPUS, 'cer.py'), '--batch', '--json', SYNTHETIC, dir]),
  ) as {
    files: { file: string; cer: number; missing: boolean }[];
    total: { cer: number };
  };
  expect(report.files.filter((f) => f.missing)).toEqual([]);
  return { total: report.total.cer, files: Object.fromEntries(report.files.map((f) => [f.file, f.cer])) };
}

/** Writes each document's text as `DIR/NAME.txt`, from `read(NAME)`. */
async function textsInto(dir: string, read: (name: string) => string | Promise<string>): Promise<string> {
  mkdirSync(dir, { recursive: true });
  for (const name of NAMES) writeFileSync(join(dir, `${name}.txt`), await read(name));
  return dir;
}

/** The non-empty lines of a text, spaces collapsed. */
const linesOf = (text: string): string[] =>
  text
    .split(/[\n\f]/)
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean);

/** How many lines of `a` appear in `b` in the same order (longest common subsequence). */
function commonLines(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const line of a) {
    const cur = [0];
    for (let j = 1; j <= b.length; j++)
      cur[j] = line === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    prev = cur;
  }
  return prev[b.length];
}

/** Our .txt's lines found, in order and whole, in another reading of the same document. */
function sameLines(read: (name: string) => string): { share: number; worst: string } {
  let total = 0;
  let kept = 0;
  let worst = { name: '', share: 1 };
  for (const name of NAMES) {
    const ours = linesOf(readFileSync(join(out, `${name}.txt`), 'utf8'));
    const common = commonLines(ours, linesOf(read(name)));
    total += ours.length;
    kept += common;
    if (common / ours.length < worst.share) worst = { name, share: common / ours.length };
  }
  return { share: kept / total, worst: `${worst.name} ${(worst.share * 100).toFixed(1)}%` };
}

describe('ALTO 4.4', () => {
  it('one file per document, every page, valid against the ALTO 4.4 schema (xmllint, offline)', () => {
    for (const name of NAMES) {
      const file = join(out, `${name}.alto.xml`);
      const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', SCHEMA, file], { encoding: 'utf8' });
      expect(r.stderr, name).toContain('validates');
      expect(r.status, name).toBe(0);
      const alto = readFileSync(file, 'utf8');
      const pages = readFileSync(join(out, `${name}.txt`), 'utf8').split('\f');
      expect(alto.match(/<Page /g), name).toHaveLength(pages.length);
      // Every word of the .txt, in order, as a String with a box.
      const strings = [...alto.matchAll(/<String [^>]*CONTENT="([^"]*)" HPOS="\d+"/g)].map((m) =>
        m[1]
          .replace(/&quot;/g, '"')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&'),
      );
      expect(strings.join(' '), name).toBe(pages.join(' ').replace(/\s+/g, ' ').trim());
      // The source image by name, the unit, and each page's resolution through its processing step.
      expect(alto, name).toContain(`<MeasurementUnit>pixel</MeasurementUnit>`);
      expect(alto, name).toContain(`<fileName>${SOURCES.get(name)}</fileName>`);
      const steps = new Map(
        [...alto.matchAll(/<Processing ID="([^"]+)">[\s\S]*?resolution: (\d+) dpi/g)].map((m) => [
          m[1],
          m[2],
        ]),
      );
      const refs = [...alto.matchAll(/<Page [^>]*WIDTH="(\d+)" HEIGHT="(\d+)" PROCESSINGREFS="([^"]+)"/g)];
      expect(refs, name).toHaveLength(pages.length);
      for (const [, width, height, ref] of refs) {
        expect(Number(width) * Number(height), name).toBeGreaterThan(0);
        expect(Number(steps.get(ref)), `${name} ${ref}`).toBe(300); // every synthetic scan is 300 dpi
      }
    }
  });
});

describe('hOCR', () => {
  it('names the source image, with every page its size and resolution', () => {
    for (const name of NAMES) {
      const hocr = readFileSync(join(out, `${name}.hocr`), 'utf8');
      const pages = readFileSync(join(out, `${name}.txt`), 'utf8').split('\f');
      const titles = [...hocr.matchAll(/<div class="ocr_page" id="page_\d+" title="([^"]*)"/g)].map(
        (m) => m[1],
      );
      expect(titles, name).toHaveLength(pages.length);
      for (const title of titles)
        expect(title, name).toMatch(
          new RegExp(
            `^image &quot;${SOURCES.get(name)!.replace('.', '\\.')}&quot;; bbox 0 0 [1-9]\\d+ [1-9]\\d+; ppageno \\d+; scan_res 300 300$`,
          ),
        );
    }
  });

  it("gives back our text through OCRmyPDF's own hOCR reader (hocrtransform)", async () => {
    const dir = await textsInto(join(work, 'hocr-text'), (name) => {
      const pages = join(work, 'hocr-pages', name);
      mkdirSync(pages, { recursive: true });
      // Each page through hocrtransform, read back in content order (pdftotext -raw).
      return run(OCRMYPDF_PYTHON, [
        join(import.meta.dirname, '../helpers/hocrRoundTrip.py'),
        join(out, `${name}.hocr`),
        pages,
        '-raw',
      ]);
    });
    const hocr = scores(dir);
    const txt = scores(out);
    console.log(
      `hOCR round trip: CER ${(hocr.total * 100).toFixed(2)}% against ${(txt.total * 100).toFixed(2)}% for the .txt`,
    );
    expect(Math.abs(hocr.total - txt.total)).toBeLessThanOrEqual(0.001);
    // Per file the skewed and photographed pages lose a few spaces, not words: hocrtransform sizes
    // its font from the line's box, which on a skewed line includes the drift, and poppler's raw
    // order puts a space only past 0.15 em (s09, the photo, ~0.5 points).
    for (const name of NAMES) expect(hocr.files[name] - txt.files[name], name).toBeLessThan(0.01);
  });
});

describe("the searchable PDF's invisible text", () => {
  it('pdftotext (default layout mode and -raw): the .txt accuracy, and its lines in its order', async () => {
    const txt = scores(out);
    for (const mode of [[], ['-raw']]) {
      const dir = await textsInto(join(work, `pdftotext${mode.join('')}`), (name) =>
        run('pdftotext', [...mode, join(out, `${name}.pdf`), '-']),
      );
      const got = scores(dir);
      console.log(`pdftotext ${mode.join(' ') || '(default)'}: CER ${(got.total * 100).toFixed(2)}%`);
      expect(got.total).toBeLessThanOrEqual(0.005);
      for (const name of NAMES) expect(got.files[name], name).toBeLessThanOrEqual(0.01);
      expect(got.total - txt.total).toBeLessThan(0.0005);
      const lines = sameLines((name) => readFileSync(join(dir, `${name}.txt`), 'utf8'));
      expect(lines.share, lines.worst).toBeGreaterThan(0.995);
    }
  });

  it('pdf.js reads the same lines, and its find finds a phrase that runs across a line end', async () => {
    const texts = new Map<string, string>();
    for (const name of NAMES) texts.set(name, (await pdfjsPageTexts(join(out, `${name}.pdf`))).join('\f'));
    const lines = sameLines((name) => texts.get(name)!);
    expect(lines.share, lines.worst).toBeGreaterThan(0.995);

    // From each document, the first two lines of a paragraph: the last two words of one and the
    // first two of the next make a phrase that only exists across the line end.
    let phrases = 0;
    for (const name of NAMES) {
      const pages = readFileSync(join(out, `${name}.txt`), 'utf8').split('\f');
      const queries: { query: string; page: number }[] = [];
      pages.forEach((page, p) => {
        const rows = page.split('\n');
        for (let i = 0; i + 1 < rows.length && queries.length < 2; i++) {
          const a = rows[i].trim().split(/\s+/);
          const b = rows[i + 1].trim().split(/\s+/);
          if (a.length >= 6 && b.length >= 6)
            queries.push({ query: `${a.slice(-2).join(' ')} ${b.slice(0, 2).join(' ')}`, page: p });
        }
      });
      const found = await pdfjsFind(join(out, `${name}.pdf`), [
        ...queries.map((q) => q.query),
        'zebra quantum lighthouse',
      ]);
      queries.forEach((q, k) => expect(found[k][q.page], `${name}: "${q.query}"`).toBeGreaterThan(0));
      expect(found.at(-1)!.every((n) => n === 0)).toBe(true); // a phrase that is not there is not found
      phrases += queries.length;
    }
    expect(phrases).toBeGreaterThan(10);
  });
});
