/**
 * The hard-capture rows of the accuracy section (issue 16): photo/ read by ours, by the same
 * engine with every step off, by plain `tesseract` and by `ocrmypdf --clean`, against the issue's
 * goals; and what the photo and speck checks cost on the pages they leave alone.
 */
import { readFileSync } from 'node:fs';
import { cer, groundTruthPage } from '../../test/helpers/cer.ts';
import type { QualityResults } from './qualityReport.ts';
import { PHOTO_GOALS } from './qualityReport.ts';
import type { Target } from './report.ts';
import { OCRMYPDF_COMMAND, PLAIN_TESSERACT_COMMAND } from './captureAnchors.ts';
import { fmt, median, sum } from './util.ts';

const pct = (v: number | null | undefined): string =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : `${(v * 100).toFixed(2)}%`;

interface CaptureRow {
  name: string;
  pages: number;
  ours: number;
  stepsOff: number;
  plain: number | null;
  ocrmypdf: number | null;
  ocrmypdfError?: string;
  goal: number | undefined;
  /** Largest page-by-page excess of ours over plain `tesseract`, CER points (fraction). */
  worstVsPlain: { page: number; delta: number } | null;
}

function rows(q: QualityResults): CaptureRow[] {
  return q.files
    .filter((f) => f.name.startsWith('photo/'))
    .map((f) => {
      const gt = readFileSync(f.gtPath, 'utf8');
      const stem = f.name.slice('photo/'.length);
      const a = q.anchors.get(f.name);
      const pages = q.ours.pages.get(f.name) ?? [];
      let worst: CaptureRow['worstVsPlain'] = null;
      if (a?.plain != null) {
        const plainPages = a.plain.split('\f');
        for (const p of pages) {
          const delta = p.cer - cer(groundTruthPage(gt, p.pageNo), plainPages[p.pageNo - 1] ?? '').rate;
          if (!worst || delta > worst.delta) worst = { page: p.pageNo, delta };
        }
      }
      return {
        name: stem,
        pages: pages.length,
        ours: cer(gt, q.ours.texts.get(f.name) ?? '').rate,
        stepsOff: cer(gt, q.plain.texts.get(f.name) ?? '').rate,
        plain: a?.plain == null ? null : cer(gt, a.plain).rate,
        ocrmypdf: a?.ocrmypdf == null ? null : cer(gt, a.ocrmypdf).rate,
        ocrmypdfError: a?.ocrmypdfError,
        goal: PHOTO_GOALS[stem],
        worstVsPlain: worst,
      };
    });
}

/** CPU of the photo and speck checks on pages they left alone, against the whole page's. */
function checkCost(q: QualityResults): { pages: number; checksMs: number; pageMs: number } {
  const pages = [...q.ours.pages.values()]
    .flat()
    .filter((p) => p.preprocess && !p.preprocess.photo?.applied && !(p.preprocess.specks?.removed ?? 0));
  return {
    pages: pages.length,
    checksMs: median(pages.map((p) => p.preprocess!.stepCpuMs.photo + p.preprocess!.stepCpuMs.specks)),
    pageMs: sum(pages.map((p) => p.cpuMs)) / Math.max(1, pages.length),
  };
}

export function captureTargets(q: QualityResults): Target[] {
  const t: Target[] = [];
  const all = rows(q);
  for (const r of all)
    if (r.goal !== undefined)
      t.push({
        name: `photo/${r.name} CER`,
        target: `≤ ${pct(r.goal)}`,
        measured: pct(r.ours),
        status: r.ours <= r.goal ? 'PASS' : 'MISS',
      });
  const worst = all
    .filter((r) => r.worstVsPlain)
    .reduce<CaptureRow | null>((w, r) => (!w || r.worstVsPlain!.delta > w.worstVsPlain!.delta ? r : w), null);
  if (worst)
    t.push({
      name: 'photo/ worst page vs plain tesseract',
      target: '≤ +0.2 points',
      measured: `${(worst.worstVsPlain!.delta * 100).toFixed(2)} (${worst.name} p${worst.worstVsPlain!.page})`,
      status: worst.worstVsPlain!.delta <= 0.002 ? 'PASS' : 'MISS',
    });
  const c = checkCost(q);
  if (c.pages > 0) {
    const share = c.checksMs / c.pageMs;
    t.push({
      name: 'photo and speck checks on pages left alone, CPU',
      target: '≤ 5% of a page',
      measured: `${(share * 100).toFixed(1)}% (${fmt(c.checksMs, 1)} of ${fmt(c.pageMs, 0)} ms, median over ${c.pages} p)`,
      status: share <= 0.05 ? 'PASS' : 'MISS',
    });
  }
  return t;
}

export function renderCaptures(q: QualityResults): string {
  const all = rows(q);
  if (all.length === 0) return '';
  const L: string[] = [];
  L.push('### Hard captures: phone photos and speckled scans (issue 16)');
  L.push('');
  L.push(
    'photo/ (corpus tools/make-photo.sh). **ours** and **steps off** as above; **plain tesseract**: ' +
      `\`${PLAIN_TESSERACT_COMMAND}\`; **ocrmypdf --clean**: \`${OCRMYPDF_COMMAND}\` (unpaper cleans what it OCRs). ` +
      'Both anchors with Debian’s own `eng` model; the last column is ours minus plain `tesseract` on the worst page.',
  );
  L.push('');
  L.push(
    '| file | pages | ours | steps off | plain tesseract | ocrmypdf --clean | goal | worst page vs plain (points) |',
  );
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of all)
    L.push(
      `| ${r.name} | ${r.pages} | ${pct(r.ours)} | ${pct(r.stepsOff)} | ${pct(r.plain)} | ` +
        `${r.ocrmypdfError ? `failed: ${r.ocrmypdfError}` : pct(r.ocrmypdf)} | ${r.goal === undefined ? '' : `≤ ${pct(r.goal)}`} | ` +
        `${r.worstVsPlain ? `${r.worstVsPlain.delta >= 0 ? '+' : ''}${(r.worstVsPlain.delta * 100).toFixed(2)} (p${r.worstVsPlain.page})` : '–'} |`,
    );
  L.push('');
  const photoPages = [...q.ours.pages.values()].flat().filter((p) => p.preprocess?.photo?.applied);
  const speckPages = [...q.ours.pages.values()]
    .flat()
    .filter((p) => (p.preprocess?.specks?.removed ?? 0) > 0);
  const c = checkCost(q);
  L.push(
    `Photo path taken on ${photoPages.length} pages (median CPU ${fmt(median(photoPages.map((p) => p.preprocess!.stepCpuMs.photo)), 0)} ms: ` +
      `outline, light map, one resampling), speck removal on ${speckPages.length} pages (median ${fmt(median(speckPages.map((p) => p.preprocess!.stepCpuMs.specks)), 0)} ms). ` +
      `On the ${c.pages} pages both left alone, the two checks cost ${fmt(c.checksMs, 1)} ms of CPU (median) against ${fmt(c.pageMs, 0)} ms for the whole page (mean).`,
  );
  L.push('');
  return L.join('\n');
}
