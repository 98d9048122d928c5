/**
 * The page view on a busy queue: how long the window waits for a page's picture while every OCR
 * worker is recognising. The picture is asked for the way the window asks (api/previews.ts, a
 * fresh cache each time), once with the engine's light helper process (no Tesseract; it draws
 * pages and opens files) and once without it, as before the helper existed: then the picture
 * waits for the next OCR worker to finish its page.
 *
 *   npm run bench -- --page-view-only     this section alone (bench/out/RESULTS.page-view.md)
 */
import path from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import { Previews } from '../../src/main/api/previews.ts';
import type { Target } from './report.ts';
import { freshDir, median, OUT_DIR } from './util.ts';

export interface PageViewSample {
  ms: number;
  /** OCR workers busy when the picture was asked for. */
  busy: number;
}

export interface PageViewRun {
  helper: boolean;
  samples: PageViewSample[];
  error: string | null;
}

export interface PageViewResults {
  jobs: number;
  pages: number;
  withHelper: PageViewRun;
  withoutHelper: PageViewRun;
}

/** The window's target: the picture within a second while the queue is busy. */
export const PAGE_VIEW_TARGET_MS = 1_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function measure(
  files: readonly string[],
  jobs: number,
  helper: boolean,
  samples: number,
): Promise<PageViewRun> {
  const dir = freshDir(path.join(OUT_DIR, `page-view-${helper ? 'helper' : 'no-helper'}`));
  const engine = new Engine({ dbPath: path.join(dir, 'queue.db'), spawn: forkSpawner(), jobs, helper });
  const run: PageViewRun = { helper, samples: [], error: null };
  try {
    engine.start();
    const summary = await engine.ingest({
      paths: [...files],
      source: 'cli',
      options: { languages: ['eng'], dpi: 300, mode: 'force' },
      outDir: path.join(dir, 'output'),
      formats: ['txt'],
      overwrite: true,
    });
    const ids = [...new Set(summary.outcomes.map((o) => o.id))];
    const deadline = performance.now() + 120_000;
    let k = 0;
    while (run.samples.length < samples && performance.now() < deadline) {
      // Only while every OCR worker is recognising: that is the wait being measured.
      if (engine.workers.busy < jobs) {
        await sleep(50);
        continue;
      }
      const opened = engine.read.documents(ids).filter((d) => d.pageCount !== null);
      if (opened.length === 0) {
        await sleep(50);
        continue;
      }
      const doc = opened[k % opened.length];
      const pageNo = 1 + (Math.floor(k / opened.length) % doc.pageCount!);
      k++;
      const busy = engine.workers.busy;
      const t0 = performance.now();
      await new Previews(engine).picture(doc.id, pageNo);
      run.samples.push({ ms: performance.now() - t0, busy });
      await sleep(1_500);
    }
    if (run.samples.length < samples)
      run.error = `only ${run.samples.length} of ${samples} pictures while the workers were busy`;
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
  } finally {
    await engine.stop();
  }
  return run;
}

export async function runPageViewBench(
  files: readonly string[],
  pages: number,
  jobs: number,
  quick: boolean,
): Promise<PageViewResults> {
  const n = quick ? 3 : 8;
  return {
    jobs,
    pages,
    withHelper: await measure(files, jobs, true, n),
    withoutHelper: await measure(files, jobs, false, n),
  };
}

const ms = (xs: number[]): string => (xs.length === 0 ? '–' : `${Math.round(median(xs))} ms`);
const max = (xs: number[]): string => (xs.length === 0 ? '–' : `${Math.round(Math.max(...xs))} ms`);

export function pageViewTargets(r: PageViewResults): Target[] {
  const times = r.withHelper.samples.map((s) => s.ms);
  if (times.length === 0)
    return [{ name: 'page view picture, busy queue', target: '≤ 1 s', measured: '–', status: 'n/a' }];
  const worst = Math.max(...times);
  return [
    {
      name: 'page view picture, busy queue (slowest of the samples)',
      target: `≤ ${PAGE_VIEW_TARGET_MS / 1000} s`,
      measured: `${Math.round(worst)} ms (median ${Math.round(median(times))} ms)`,
      status: worst <= PAGE_VIEW_TARGET_MS ? 'PASS' : 'MISS',
    },
  ];
}

export function renderPageView(r: PageViewResults): string {
  const row = (label: string, run: PageViewRun): string => {
    const xs = run.samples.map((s) => s.ms);
    const all = xs.map((x) => Math.round(x)).join(', ');
    return `| ${label} | ${xs.length} | ${ms(xs)} | ${max(xs)} | ${all || run.error || '–'} |`;
  };
  return [
    '## Page view on a busy queue',
    '',
    `The window asks for a page's picture (api/previews.ts, nothing cached) while all ${r.jobs} OCR workers`,
    `are recognising (${r.pages} pages queued). With the light helper process the picture is drawn`,
    'there; without it (as before the helper), it waits for the next OCR worker to finish its page.',
    '',
    '| | pictures | median | slowest | each (ms) |',
    '| --- | --- | --- | --- | --- |',
    row('with the helper (ours)', r.withHelper),
    row('without the helper', r.withoutHelper),
    '',
  ].join('\n');
}
