/**
 * `node bench/hardCaptures.ts [DIR ...]` — the hard-capture table of issue 16 for any folder of
 * inputs with ground truth (`NAME.ext` + `NAME.gt.txt`): our pipeline (in process, every page
 * recognised, defaults) beside plain `tesseract` and `ocrmypdf --clean --deskew --rotate-pages`
 * (bench/lib/captureAnchors.ts), per file and per page. Default folder: the corpus's photo/.
 * Use it on a held-out set made with the corpus's tools (a scratch folder outside the repo).
 *
 *   node bench/hardCaptures.ts                          photo/
 *   node bench/hardCaptures.ts /tmp/heldout --no-anchors  ours only
 *   node bench/hardCaptures.ts /tmp/heldout --no-ocrmypdf plain tesseract beside ours, no ocrmypdf (~30 s a file less)
 *   node bench/hardCaptures.ts DIR --out table.md         also write the table to a file
 *
 * Anchor texts are cached by file content in bench/out/anchors/ (they do not change with our
 * code); `--fresh-anchors` runs them again.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRecognizer } from '../src/main/worker/recognize.ts';
import { describeSteps } from '../src/main/worker/preparedPicture.ts';
import type { PreprocessReport } from '../src/main/worker/preprocess/preprocess.ts';
import { cer, groundTruthPage } from '../test/helpers/cer.ts';
import { captureAnchors, type CaptureAnchors } from './lib/captureAnchors.ts';
import { runQuality, type QualityFile } from './lib/quality.ts';
import { PHOTO_GOALS } from './lib/qualityReport.ts';
import { CORPUS_DIR, log } from './lib/util.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'no-anchors': { type: 'boolean', default: false },
    'fresh-anchors': { type: 'boolean', default: false },
    'no-ocrmypdf': { type: 'boolean', default: false },
    scratch: { type: 'string' },
    out: { type: 'string' },
  },
});
const dirs = positionals.length > 0 ? positionals : [path.join(CORPUS_DIR, 'photo')];

function filesIn(dir: string): QualityFile[] {
  const out: QualityFile[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith('.txt') || f.endsWith('.md') || f.endsWith('.json')) continue;
    const stem = f.replace(/\.[^.]+$/, '');
    const gtPath = path.join(dir, `${stem}.gt.txt`);
    if (existsSync(gtPath)) out.push({ name: stem, path: path.join(dir, f), gtPath, loose: false });
  }
  return out;
}

/** The photo and speck steps that ran on a page, as the page view lists them. */
const stepsOf = (r: PreprocessReport): string =>
  describeSteps(r, true, r.dpi * r.scale)
    .filter((s) => s.startsWith('Photo') || s.includes('specks'))
    .join('; ');

const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : `${(v * 100).toFixed(2)}%`;

async function main(): Promise<void> {
  const files = dirs.flatMap(filesIn);
  if (files.length === 0) throw new Error(`no NAME.ext with NAME.gt.txt in ${dirs.join(', ')}`);
  const recognizer = await createRecognizer();
  const L: string[] = [
    '| file | pages | ours | plain tesseract | ocrmypdf --clean | goal | worst page vs plain (points) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const P: string[] = [
    '| file | page | ours | plain | ours − plain | turned | skew | x-height | scale | steps |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  try {
    for (const file of files) {
      const run = await runQuality(
        'ours',
        [file],
        { languages: ['eng'], dpi: 300, mode: 'force' },
        recognizer,
      );
      const gt = readFileSync(file.gtPath, 'utf8');
      const ours = run.texts.get(file.name) ?? '';
      const a: CaptureAnchors = values['no-anchors']
        ? { plain: null, ocrmypdf: null }
        : await captureAnchors(file.path, values['fresh-anchors'], !values['no-ocrmypdf'], values.scratch);
      const pages = run.pages.get(file.name) ?? [];
      let worst = -Infinity;
      for (const page of pages) {
        const plainPage =
          a.plain === null
            ? null
            : cer(groundTruthPage(gt, page.pageNo), a.plain.split('\f')[page.pageNo - 1] ?? '').rate;
        const delta = plainPage === null ? null : page.cer - plainPage;
        if (delta !== null) worst = Math.max(worst, delta);
        const r = page.preprocess;
        P.push(
          `| ${file.name} | ${page.pageNo} | ${pct(page.cer)} | ${pct(plainPage)} | ${delta === null ? '–' : (delta * 100).toFixed(2)} | ` +
            `${r?.orientation ?? 0}° | ${r?.deskewDegrees ?? 0}° | ${r?.xHeight ?? 0} | ${r?.scale ?? 1} | ${r ? stepsOf(r) : ''} |`,
        );
      }
      const goal = PHOTO_GOALS[file.name];
      L.push(
        `| ${file.name} | ${pages.length} | ${pct(cer(gt, ours).rate)} | ${a.plain === null ? '–' : pct(cer(gt, a.plain).rate)} | ` +
          `${a.ocrmypdf === null ? ('ocrmypdfError' in a ? `failed: ${a.ocrmypdfError}` : '–') : pct(cer(gt, a.ocrmypdf).rate)} | ` +
          `${goal === undefined ? '' : `≤ ${pct(goal)}`} | ${worst === -Infinity ? '–' : (worst * 100).toFixed(2)} |`,
      );
      log(L[L.length - 1]);
    }
  } finally {
    await recognizer.terminate();
  }
  const table = `${L.join('\n')}\n\nPer page:\n\n${P.join('\n')}\n`;
  process.stdout.write(table);
  if (values.out) writeFileSync(values.out, table);
}

await main();
