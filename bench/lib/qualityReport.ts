/**
 * The preprocessing section of RESULTS.md: per-file CER with the steps on ("ours") and off
 * ("plain"), the targets of issue 3, and what each step costs per page.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CerResult, CerRow } from './cer.ts';
import { execOk, freshDir, fmt, median, sum } from './util.ts';
import { CORPUS_DIR } from './util.ts';
import type { QualityFile, QualityRun } from './quality.ts';
import type { Target } from './report.ts';
import type { CaptureAnchors } from './captureAnchors.ts';

/** Issue 16's goals for the hard captures of photo/ (CER per file). */
export const PHOTO_GOALS: Record<string, number> = {
  'c01-phone-letter': 0.01,
  'c02-phone-report': 0.002,
  'c03-specks-twocol-2p': 0.003,
  'c04-fax-specks-2p': 0.002,
};

export interface QualityResults {
  files: QualityFile[];
  ours: QualityRun;
  plain: QualityRun;
  /** cer.py per subfolder (`synthetic`, `real` — the latter `--loose` — and `photo`). */
  oursCer: Record<string, CerResult>;
  plainCer: Record<string, CerResult>;
  /** photo/ files read by plain `tesseract` and `ocrmypdf --clean` (captureAnchors.ts), by name. */
  anchors: Map<string, CaptureAnchors>;
}

/** Scores a run with cer.py, one batch per corpus subfolder. */
export async function scoreQuality(
  run: QualityRun,
  files: readonly QualityFile[],
  dir: string,
): Promise<Record<string, CerResult>> {
  const out: Record<string, CerResult> = {};
  for (const sub of ['synthetic', 'real', 'photo']) {
    const subset = files.filter((f) => f.name.startsWith(`${sub}/`));
    if (subset.length === 0) continue;
    const gtDir = freshDir(path.join(dir, 'gt', sub));
    const ocrDir = freshDir(path.join(dir, run.label, sub));
    mkdirSync(ocrDir, { recursive: true });
    for (const f of subset) {
      const stem = path.basename(f.name);
      symlinkSync(f.gtPath, path.join(gtDir, `${stem}.gt.txt`));
      writeFileSync(path.join(ocrDir, `${stem}.txt`), run.texts.get(f.name) ?? '');
    }
    const args = [
      path.join(CORPUS_DIR, 'cer.py'),
      '--batch',
      '--json',
      ...(sub === 'real' ? ['--loose'] : []),
      gtDir,
      ocrDir,
    ];
    out[sub] = JSON.parse((await execOk('python3', args)).stdout) as CerResult;
  }
  return out;
}

const pct = (v: number | undefined): string =>
  v === undefined || Number.isNaN(v) ? '–' : `${(v * 100).toFixed(2)}%`;

function row(cer: Record<string, CerResult>, name: string): CerRow | undefined {
  const [sub, stem] = name.split('/');
  return cer[sub]?.files.find((f) => f.file.replace(/\.gt\.txt$|\.txt$/, '') === stem);
}

/** Worst page regression of ours against plain, in CER points. */
function worstPage(q: QualityResults): { name: string; page: number; delta: number } {
  let worst = { name: '', page: 0, delta: -Infinity };
  for (const f of q.files) {
    const ours = q.ours.pages.get(f.name) ?? [];
    const plain = q.plain.pages.get(f.name) ?? [];
    ours.forEach((p, i) => {
      const delta = p.cer - (plain[i]?.cer ?? p.cer);
      if (delta > worst.delta) worst = { name: f.name, page: p.pageNo, delta };
    });
  }
  return worst;
}

interface Cost {
  pages: number;
  /** Median CPU ms per page of each step (grey: image inputs only, transform: pages resampled). */
  grey: number;
  analyse: number;
  transform: number;
  rules: number;
  turned: number;
  decoded: number;
  preprocessCpu: number;
  oursCpu: number;
  plainCpu: number;
}

function cost(q: QualityResults): Cost {
  const oursPages = [...q.ours.pages.values()].flat();
  const plainPages = [...q.plain.pages.values()].flat();
  const reports = oursPages.map((p) => p.preprocess).filter((r) => r !== null);
  return {
    pages: oursPages.length,
    grey: median(reports.map((r) => r.stepCpuMs.grey).filter((v) => v > 1)),
    analyse: median(reports.map((r) => r.stepCpuMs.analyse)),
    transform: median(reports.map((r) => r.stepCpuMs.transform).filter((v) => v > 0)),
    rules: median(reports.map((r) => r.stepCpuMs.rules)),
    turned: reports.filter((r) => r.transformMs > 0).length,
    decoded: reports.filter((r) => r.stepCpuMs.grey > 1).length,
    preprocessCpu: sum(reports.map((r) => r.cpuMs)) / Math.max(1, reports.length),
    oursCpu: sum(oursPages.map((p) => p.cpuMs)) / Math.max(1, oursPages.length),
    plainCpu: sum(plainPages.map((p) => p.cpuMs)) / Math.max(1, plainPages.length),
  };
}

export function qualityTargets(q: QualityResults): Target[] {
  const t: Target[] = [];
  for (const name of ['real/cardinal', 'real/skew', 'real/rotated_skew']) {
    const r = row(q.oursCer, name);
    if (r)
      t.push({
        name: `${name} CER`,
        target: '≤ 3%',
        measured: pct(r.cer),
        status: r.cer <= 0.03 ? 'PASS' : 'MISS',
      });
  }
  const synth = q.oursCer.synthetic;
  if (synth && synth.total.files >= 11)
    t.push({
      name: 'synthetic/ total CER',
      target: '≤ 0.25%',
      measured: pct(synth.total.cer),
      status: synth.total.cer <= 0.0025 ? 'PASS' : 'MISS',
    });
  const s05 = row(q.oursCer, 'synthetic/s05-table');
  if (s05)
    t.push({
      name: 's05-table CER',
      target: '≤ 2%',
      measured: pct(s05.cer),
      status: s05.cer <= 0.02 ? 'PASS' : 'MISS',
    });
  const worst = worstPage(q);
  t.push({
    name: 'worst page vs plain',
    target: '≤ +0.2 points',
    measured: `${worst.delta >= 0 ? '+' : ''}${(worst.delta * 100).toFixed(2)} (${worst.name} p${worst.page})`,
    status: worst.delta <= 0.002 ? 'PASS' : 'MISS',
  });
  const c = cost(q);
  const slower = c.oursCpu / c.plainCpu - 1;
  t.push({
    name: 'CPU per page with preprocessing',
    target: '≤ +15%',
    measured: `${slower >= 0 ? '+' : ''}${(slower * 100).toFixed(1)}% (${fmt(c.oursCpu, 0)} vs ${fmt(c.plainCpu, 0)} ms)`,
    status: slower <= 0.15 ? 'PASS' : 'MISS',
  });
  return t;
}

export function renderQuality(q: QualityResults): string {
  const L: string[] = [];
  L.push('## Preprocessing: orientation, deskew, rule removal, photos, specks (issues 3 and 16)');
  L.push('');
  L.push(
    "Every corpus file with ground truth (synthetic/, real/ and photo/, except the 30-inch `enormous`), every page OCR'd " +
      "(`force`), in process through the worker's `ocrPage` with one warm recogniser. **ours**: preprocessing on " +
      '(the default). **plain**: every step off (`rotate`, `deskew`, `removeRules`, `estimateDpi`, `correctPhotos`, `despeckle`) — the same tesseract.js, core, model ' +
      '(best_int `eng`) and page segmentation (3), so the difference is the preprocessing alone. CER by `cer.py` ' +
      '(real/ with `--loose`: its ground truth keeps printed typography).',
  );
  L.push('');
  L.push(
    '| file | pages | ours CER | plain CER | ours WER | plain WER | turned | deskewed (°) | rules painted | photo / specks |',
  );
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- |');
  for (const f of q.files) {
    const o = row(q.oursCer, f.name);
    const p = row(q.plainCer, f.name);
    const pages = q.ours.pages.get(f.name) ?? [];
    const reports = pages.map((x) => x.preprocess).filter((r) => r !== null);
    const turned = [...new Set(reports.map((r) => r.orientation))].map((d) => `${d}°`).join(', ');
    const skews = reports.map((r) => r.deskewDegrees).filter((d) => d !== 0);
    const skew =
      skews.length === 0 ? '–' : `${Math.min(...skews)} … ${Math.max(...skews)} (${skews.length} p)`;
    const rules = reports.filter((r) => r.rulePixels > 0).length;
    const photos = reports.filter((r) => r.photo?.applied).length;
    const speckled = reports.filter((r) => (r.specks?.removed ?? 0) > 0).length;
    const hard = [photos ? `photo ${photos} p` : '', speckled ? `specks ${speckled} p` : ''].filter(Boolean);
    L.push(
      `| ${f.name} | ${pages.length} | ${pct(o?.cer)} | ${pct(p?.cer)} | ${pct(o?.wer)} | ${pct(p?.wer)} | ${turned} | ${skew} | ${rules ? `${rules} p` : '–'} | ${hard.join(', ') || '–'} |`,
    );
  }
  for (const sub of ['synthetic', 'real', 'photo']) {
    const o = q.oursCer[sub];
    const p = q.plainCer[sub];
    if (o && p)
      L.push(
        `| **${sub}/ total** | | **${pct(o.total.cer)}** | **${pct(p.total.cer)}** | ${pct(o.total.wer)} | ${pct(p.total.wer)} | | | | |`,
      );
  }
  L.push('');
  const worst = worstPage(q);
  L.push(
    `Largest per-page regression against plain: ${(worst.delta * 100).toFixed(2)} CER points (${worst.name} page ${worst.page}).`,
  );
  L.push('');
  const c = cost(q);
  L.push('### What the steps cost');
  L.push('');
  L.push(
    `Over ${c.pages} pages. CPU time per step, median per page (\`process.cpuUsage\`, so waiting on a shared machine is not counted): ` +
      `decoding a PNG/JPEG input to grey (the ${c.decoded} pages that needed it) ${fmt(c.grey, 0)} ms, ` +
      `estimate (skew + orientation + text size) ${fmt(c.analyse, 0)} ms, resampling (the ${c.turned} pages that needed it) ${fmt(c.transform, 0)} ms, ` +
      `rule search and painting ${fmt(c.rules, 0)} ms. CPU time, mean per page: preprocessing ${fmt(c.preprocessCpu, 0)} ms; ` +
      `the whole page (render + preprocess + recognise) ${fmt(c.oursCpu, 0)} ms with the steps, ${fmt(c.plainCpu, 0)} ms without ` +
      `(${((c.oursCpu / c.plainCpu - 1) * 100).toFixed(1)}%; recognition of a straightened, rule-free page can itself be faster or slower).`,
  );
  L.push('');
  return L.join('\n');
}
