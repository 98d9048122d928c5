/**
 * `npm run bench` — throughput, stage times, memory, accuracy and queue speed of the engine, next
 * to native `tesseract` and `ocrmypdf` over the same pages in the same run. Not a test: it writes
 * bench/RESULTS.md (a full run) or bench/out/RESULTS.quick.md (`--quick`) and prints PASS/MISS
 * per target.
 *
 *   npm run bench                      full run (~45 min on 2 cores; with --search ~20 more)
 *   npm run bench -- --quick           a few pages, small queue: a smoke run
 *   npm run bench -- --jobs 4          workers / parallel anchors (default 2)
 *   npm run bench -- --skip-native     no tesseract / ocrmypdf anchors
 *   npm run bench -- --quality-only    only the accuracy tables with their anchors (bench/out/RESULTS.quality.md)
 *   npm run bench -- --skip-quality    without them
 *   npm run bench -- --rounds 5        ours and native tesseract back to back 5 times (default 3)
 *   npm run bench -- --page-view-only  only the page view's picture time on a busy queue (bench/out/RESULTS.page-view.md)
 *   npm run bench -- --search          also the search section: 1,000,000 pages indexed, queries,
 *                                      claim + complete while indexing (~20 min more; 100,000 with --quick)
 *   npm run bench -- --search-only     only that section (bench/out/RESULTS.search.md)
 *   npm run bench -- --search-pages N  pages for the search section
 *   npm run bench -- --search-results F  that section from an earlier --search-only run's results.search.json
 *   npm run bench -- --cluster-only    only the cluster section: coordinator + node vs alone, scaling
 *                                      with simulated nodes, Redis memory at 1M pages (~8 min;
 *                                      bench/out/RESULTS.cluster.md); --cluster adds it to a quick run,
 *                                      --skip-cluster leaves it out of a full one
 *
 * Outputs (databases, texts, rasters, generated PDFs) go to bench/out/ (git-ignored).
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { groundTruthDir, scoreCer, writeTexts, type CerResult } from './lib/cer.ts';
import { runEngine, summariseStages, type EngineRunResult } from './lib/engineRun.ts';
import { machineInfo } from './lib/machine.ts';
import {
  prepareOcrmypdfInput,
  prepareTessdata,
  rasteriseForNative,
  runNativeTesseract,
  runOcrmypdf,
  type OcrmypdfRun,
  type TesseractRun,
} from './lib/native.ts';
import { pageSet, SYNTHETIC_DIR, totalPages, type BenchFile } from './lib/pageset.ts';
import { makeBornDigitalPdf } from './lib/bornDigital.ts';
import {
  renderReport,
  evaluateTargets,
  type BenchResults,
  type Target,
  type ThroughputPair,
} from './lib/report.ts';
import { qualityFiles, runQuality } from './lib/quality.ts';
import { qualityTargets, renderQuality, scoreQuality, type QualityResults } from './lib/qualityReport.ts';
import { captureTargets, renderCaptures } from './lib/captureReport.ts';
import { captureAnchors, type CaptureAnchors } from './lib/captureAnchors.ts';
import { createRecognizer, type TesseractBackend } from '../src/main/worker/recognize.ts';
import type { OcrOptions } from '../src/shared/model.ts';
import { probeFile } from '../src/main/worker/probe.ts';
import { BENCH_DIR, freshDir, have, log, OUT_DIR } from './lib/util.ts';
import { runQueueChild } from './lib/queueRun.ts';
import { pageViewTargets, renderPageView, runPageViewBench } from './lib/pageView.ts';
import {
  readSearchResults,
  renderSearch,
  runSearchChild,
  searchTargets,
  type SearchBenchResult,
} from './lib/searchReport.ts';
import { runClusterBench } from './lib/clusterBench.ts';
import { clusterTargets, renderCluster } from './lib/clusterReport.ts';
import {
  BORN_DIGITAL_PAGES,
  clusterOnly,
  jobs,
  pageViewOnly,
  qualityOnly,
  QUEUE_DOCS,
  QUEUE_PAGES,
  quick,
  rounds,
  SEARCH_PAGES,
  searchOnly,
  searchResultsFile,
  skipNative,
  skipQuality,
  withCluster,
  withSearch,
} from './lib/options.ts';

/** Preprocessing on vs off over the corpus files with ground truth (bench/lib/quality.ts). */
async function qualityRun(): Promise<QualityResults> {
  const files = qualityFiles(quick ? ['s05-table', 'real/skew', 'real/cardinal'] : undefined);
  const recognizer = await createRecognizer();
  try {
    const base: OcrOptions = { languages: ['eng'], dpi: 300, mode: 'force' };
    const pages = files.length;
    log(`preprocessing accuracy: ${pages} files, steps off (plain)…`);
    const plain = await runQuality(
      'plain',
      files,
      {
        ...base,
        rotate: false,
        deskew: false,
        removeRules: false,
        estimateDpi: false,
        correctPhotos: false,
        despeckle: false,
      },
      recognizer,
    );
    log('preprocessing accuracy: steps on (ours)…');
    const ours = await runQuality('ours', files, base, recognizer);
    const dir = path.join(OUT_DIR, 'quality');
    freshDir(dir);
    // Every file against plain `tesseract`, the hard captures also `ocrmypdf --clean` (cached by content).
    const anchors = new Map<string, CaptureAnchors>();
    for (const f of files)
      anchors.set(f.name, await captureAnchors(f.path, false, f.name.startsWith('photo/')));
    return {
      files,
      ours,
      plain,
      oursCer: await scoreQuality(ours, files, dir),
      plainCer: await scoreQuality(plain, files, dir),
      anchors,
    };
  } finally {
    await recognizer.terminate();
  }
}

/** The search section (bench/lib/searchChild.ts): no OCR, its own process and database. */
async function searchRun(): Promise<SearchBenchResult> {
  if (searchResultsFile) return readSearchResults(searchResultsFile);
  log(
    `search: ${SEARCH_PAGES.toLocaleString('en')} pages generated, indexed and queried (separate process)…`,
  );
  const r = await runSearchChild(SEARCH_PAGES, path.join(OUT_DIR, 'search', 'queue.db'));
  log(
    `search: query p95 ${r.queryAll.p95.toFixed(1)} ms, claim + complete p99 ${r.hotPath.claimComplete.p99.toFixed(3)} ms`,
  );
  return r;
}

async function main(): Promise<void> {
  const started = performance.now();
  if (searchOnly) {
    const search = await searchRun();
    const targets = searchTargets(search);
    const reportPath = path.join(OUT_DIR, 'RESULTS.search.md');
    writeFileSync(reportPath, `# Search (bench --search-only)\n\n${renderSearch(search)}`);
    writeFileSync(path.join(OUT_DIR, 'results.search.json'), JSON.stringify(search, null, 1));
    printTargets(targets, reportPath, started);
    return;
  }
  if (clusterOnly) {
    const cluster = await runClusterBench(await pageSet(quick), jobs, quick);
    const reportPath = path.join(OUT_DIR, 'RESULTS.cluster.md');
    writeFileSync(reportPath, `# Several machines (bench --cluster-only)\n\n${renderCluster(cluster)}`);
    writeFileSync(path.join(OUT_DIR, 'results.cluster.json'), JSON.stringify(cluster, null, 1));
    printTargets(clusterTargets(cluster), reportPath, started);
    return;
  }
  if (qualityOnly) {
    const quality = await qualityRun();
    const targets = [...qualityTargets(quality), ...captureTargets(quality)];
    const reportPath = path.join(OUT_DIR, 'RESULTS.quality.md');
    writeFileSync(
      reportPath,
      `# Preprocessing accuracy (bench --quality-only)\n\n${renderQuality(quality)}\n${renderCaptures(quality)}`,
    );
    printTargets(targets, reportPath, started);
    return;
  }
  if (pageViewOnly) {
    const set = await pageSet(quick);
    log(`page view on a busy queue: ${jobs} workers, ${totalPages(set)} pages…`);
    const pv = await runPageViewBench(
      set.map((f) => f.path),
      totalPages(set),
      jobs,
      quick,
    );
    const reportPath = path.join(OUT_DIR, 'RESULTS.page-view.md');
    writeFileSync(reportPath, `# Page view (bench --page-view-only)\n\n${renderPageView(pv)}`);
    printTargets(pageViewTargets(pv), reportPath, started);
    return;
  }
  const machine = await machineInfo();
  log(
    `load average at start: ${machine.loadAvgStart.map((l) => l.toFixed(2)).join(' ')}; ${quick ? 'quick' : 'full'} run, jobs ${jobs}`,
  );
  freshDir(path.join(OUT_DIR, 'cer'));

  // ── Page set ──────────────────────────────────────────────────────────────
  const files = await pageSet(quick);
  const pages = totalPages(files);
  log(`page set: ${files.length} files, ${pages} pages (${files.map((f) => f.name).join(', ')})`);

  // ── Ours ──────────────────────────────────────────────────────────────────
  const loadAt: Record<string, number> = {};
  loadAt.ours = os.loadavg()[0];
  /** The page set through the engine, txt + searchable PDF, into bench/out/<name>/. */
  const throughputRun = (name: string, tesseract?: TesseractBackend): Promise<EngineRunResult> =>
    runEngine({
      paths: files.map((f) => f.path),
      jobs,
      dbPath: path.join(OUT_DIR, name, 'queue.db'),
      outDir: path.join(OUT_DIR, name, 'output'),
      mode: 'auto',
      formats: ['txt', 'pdf'],
      timeoutMs: 30 * 60_000,
      ...(tesseract ? { tesseract } : {}),
    });
  log('our engine: throughput run…');
  const ours = await throughputRun('ours');
  const oursStages = summariseStages(ours);
  log(
    `our engine: ${ours.pagesDone} pages in ${(ours.wallMs / 1000).toFixed(1)} s = ${ppm(ours.pagesDone, ours.wallMs).toFixed(1)} pages/min`,
  );

  // The same pages on the WASM build, when `auto` chose the native one: what a machine without
  // libtesseract gets (the packaged app on Windows and macOS, an AppImage).
  let oursWasm: EngineRunResult | null = null;
  if (!ours.ocrEngines.some((e) => e.includes('WASM'))) {
    loadAt.oursWasm = os.loadavg()[0];
    log('our engine on the WASM build: throughput run…');
    oursWasm = await throughputRun('ours-wasm', 'wasm');
    log(
      `our engine (WASM): ${oursWasm.pagesDone} pages in ${(oursWasm.wallMs / 1000).toFixed(1)} s = ${ppm(oursWasm.pagesDone, oursWasm.wallMs).toFixed(1)} pages/min`,
    );
  }

  // Accuracy extra: s11 (mixed born-digital/scan) so the CER total covers all of synthetic/.
  const s11 = quick ? null : await extraFile('s11-mixed-3p');
  let oursS11: EngineRunResult | null = null;
  if (s11) {
    log('our engine: s11 (accuracy only)…');
    oursS11 = await runEngine({
      paths: [s11.path],
      jobs,
      dbPath: path.join(OUT_DIR, 'ours-s11', 'queue.db'),
      outDir: path.join(OUT_DIR, 'ours-s11', 'output'),
      mode: 'auto',
      formats: ['txt'],
      timeoutMs: 10 * 60_000,
    });
  }
  const accuracyFiles = s11 ? [...files, s11] : files;
  const gtDir = groundTruthDir(
    path.join(OUT_DIR, 'cer', 'gt'),
    accuracyFiles.map((f) => f.gtPath),
  );
  const oursCerDir = freshDir(path.join(OUT_DIR, 'cer', 'ours'));
  for (const f of files)
    copyFileSync(
      path.join(OUT_DIR, 'ours', 'output', `${f.name}.txt`),
      path.join(oursCerDir, `${f.name}.txt`),
    );
  if (s11)
    copyFileSync(
      path.join(OUT_DIR, 'ours-s11', 'output', `${s11.name}.txt`),
      path.join(oursCerDir, `${s11.name}.txt`),
    );
  const oursCer = await scoreCer(gtDir, oursCerDir);

  // ── Native anchors ────────────────────────────────────────────────────────
  let native: TesseractRun | null = null;
  /** Wall times of ours and the native anchor per round (the first round is `ours` and `native`). */
  const pairs: ThroughputPair[] = [];
  let nativeCer: CerResult | null = null;
  let rasterMs: number | null = null;
  let rasterHow: string[] = [];
  let ocrmypdfStock: OcrmypdfRun | null = null;
  let ocrmypdfOurModel: OcrmypdfRun | null = null;
  let ocrmypdfCer: CerResult | null = null;
  const haveTesseract = !skipNative && (await have('tesseract')) && (await have('pdftoppm'));
  const haveOcrmypdf = !skipNative && (await have('ocrmypdf'));
  let tessdataSource = '';
  if (haveTesseract) {
    const tessdata = await prepareTessdata(path.join(OUT_DIR, 'tessdata'));
    tessdataSource = path.relative(path.dirname(BENCH_DIR), tessdata.source);
    log('native: rasterising pages for tesseract…');
    const raster = await rasteriseForNative(files, path.join(OUT_DIR, 'native', 'pages'), jobs);
    rasterMs = raster.wallMs;
    rasterHow = [...new Set(raster.pages.map((p) => `${p.file.ext.slice(1)}: ${p.how}`))];
    log(`native: ${jobs} parallel tesseract processes over ${raster.pages.length} pages…`);
    loadAt.native = os.loadavg()[0];
    native = await runNativeTesseract(raster.pages, tessdata.dir, jobs);
    log(
      `native tesseract: ${native.pages} pages in ${(native.wallMs / 1000).toFixed(1)} s = ${ppm(native.pages, native.wallMs).toFixed(1)} pages/min`,
    );
    pairs.push({ oursMs: ours.wallMs, nativeMs: native.wallMs });
    for (let round = 2; round <= rounds; round++) {
      log(`round ${round} of ${rounds}: our engine, then native tesseract, back to back…`);
      const again = await throughputRun(`ours-round-${round}`);
      const nativeAgain = await runNativeTesseract(raster.pages, tessdata.dir, jobs);
      pairs.push({ oursMs: again.wallMs, nativeMs: nativeAgain.wallMs });
      log(
        `round ${round}: ours ${(again.wallMs / 1000).toFixed(1)} s, native ${(nativeAgain.wallMs / 1000).toFixed(1)} s = ${(nativeAgain.wallMs / again.wallMs).toFixed(2)}×`,
      );
    }
    const texts = new Map(native.texts);
    if (s11) {
      const r11 = await rasteriseForNative([s11], path.join(OUT_DIR, 'native', 'pages-s11'), jobs);
      const n11 = await runNativeTesseract(r11.pages, tessdata.dir, jobs);
      for (const [k, v] of n11.texts) texts.set(k, v);
    }
    nativeCer = await scoreCer(gtDir, writeTexts(path.join(OUT_DIR, 'cer', 'native'), texts));

    if (haveOcrmypdf) {
      const input = await prepareOcrmypdfInput(files, path.join(OUT_DIR, 'ocrmypdf'));
      log(`ocrmypdf -j ${jobs} (Debian's model)…`);
      loadAt.ocrmypdfStock = os.loadavg()[0];
      ocrmypdfStock = await runOcrmypdf(input, files, path.join(OUT_DIR, 'ocrmypdf'), jobs, null);
      log(
        `ocrmypdf: ${ocrmypdfStock.ok ? `${(ocrmypdfStock.wallMs / 1000).toFixed(1)} s = ${ppm(pages, ocrmypdfStock.wallMs).toFixed(1)} pages/min` : `failed: ${ocrmypdfStock.error}`}`,
      );
      log(`ocrmypdf -j ${jobs} (our model file)…`);
      loadAt.ocrmypdfOurModel = os.loadavg()[0];
      ocrmypdfOurModel = await runOcrmypdf(input, files, path.join(OUT_DIR, 'ocrmypdf'), jobs, tessdata.dir);
      log(
        `ocrmypdf (our model): ${ocrmypdfOurModel.ok ? `${(ocrmypdfOurModel.wallMs / 1000).toFixed(1)} s` : `failed: ${ocrmypdfOurModel.error}`}`,
      );
      if (ocrmypdfStock.ok) {
        const gtPageSet = groundTruthDir(
          path.join(OUT_DIR, 'cer', 'gt-pageset'),
          files.map((f) => f.gtPath),
        );
        ocrmypdfCer = await scoreCer(
          gtPageSet,
          writeTexts(path.join(OUT_DIR, 'cer', 'ocrmypdf'), ocrmypdfStock.texts),
        );
      }
    }
  }

  // ── Born-digital ──────────────────────────────────────────────────────────
  const bdPath = await makeBornDigitalPdf(
    path.join(OUT_DIR, `born-digital-${BORN_DIGITAL_PAGES}p.pdf`),
    BORN_DIGITAL_PAGES,
  );
  log(`born-digital: ${BORN_DIGITAL_PAGES} pages in auto mode…`);
  const bornDigital = await runEngine({
    paths: [bdPath],
    jobs,
    dbPath: path.join(OUT_DIR, 'born-digital', 'queue.db'),
    outDir: path.join(OUT_DIR, 'born-digital', 'output'),
    mode: 'auto',
    formats: ['txt', 'pdf'],
    timeoutMs: 20 * 60_000,
  });
  const bornDigitalStages = summariseStages(bornDigital);
  log(`born-digital: ${bornDigital.pagesDone} pages in ${(bornDigital.wallMs / 1000).toFixed(1)} s`);

  // ── Queue ─────────────────────────────────────────────────────────────────
  log(`queue: ${QUEUE_DOCS} documents, claim/complete ${QUEUE_PAGES} pages (separate process)…`);
  const queue = await runQueueChild(QUEUE_DOCS, QUEUE_PAGES, path.join(OUT_DIR, 'queue', 'queue.db'));
  log(
    `queue: ingest ${(queue.ingestMs / 1000).toFixed(2)} s, claim+complete median ${queue.mixed.pageTotal.median.toFixed(3)} ms`,
  );

  machine.loadAvgEnd = os.loadavg();
  const results: BenchResults = {
    quick,
    jobs,
    machine,
    totalSeconds: (performance.now() - started) / 1000,
    loadAt,
    files,
    accuracyFiles,
    ours,
    oursStages,
    oursWasm,
    oursS11,
    oursCer,
    native,
    pairs,
    nativeCer,
    rasterMs,
    rasterHow,
    tessdataSource,
    ocrmypdfStock,
    ocrmypdfOurModel,
    ocrmypdfCer,
    bornDigital,
    bornDigitalStages,
    bornDigitalPages: BORN_DIGITAL_PAGES,
    queue,
  };
  const quality = skipQuality ? null : await qualityRun();
  const search = withSearch ? await searchRun() : null;
  const cluster = withCluster ? await runClusterBench(files, jobs, quick) : null;
  log('page view on a busy queue…');
  const pageView = await runPageViewBench(
    files.map((f) => f.path),
    pages,
    jobs,
    quick,
  );
  // The whole run, every section in it (the report's first line says how long it took).
  results.totalSeconds = (performance.now() - started) / 1000;
  machine.loadAvgEnd = os.loadavg();
  const targets = [
    ...evaluateTargets(results),
    ...(quality ? [...qualityTargets(quality), ...captureTargets(quality)] : []),
    ...pageViewTargets(pageView),
    ...(search ? searchTargets(search) : []),
    ...(cluster ? clusterTargets(cluster) : []),
  ];
  const md =
    renderReport(results, targets) +
    (quality ? `\n${renderQuality(quality)}\n${renderCaptures(quality)}` : '') +
    `\n${renderPageView(pageView)}` +
    (search ? `\n${renderSearch(search)}` : '') +
    (cluster ? `\n${renderCluster(cluster)}` : '');
  const reportPath = quick ? path.join(OUT_DIR, 'RESULTS.quick.md') : path.join(BENCH_DIR, 'RESULTS.md');
  writeFileSync(reportPath, md);
  writeFileSync(
    path.join(OUT_DIR, quick ? 'results.quick.json' : 'results.json'),
    JSON.stringify(serialisable(results), null, 1),
  );

  printTargets(targets, reportPath, started);
}

function printTargets(targets: readonly Target[], reportPath: string, started: number): void {
  process.stdout.write('\nTargets\n');
  for (const t of targets)
    process.stdout.write(`  ${t.status.padEnd(4)}  ${t.name}: ${t.measured} (target ${t.target})\n`);
  process.stdout.write(
    `\nReport: ${path.relative(process.cwd(), reportPath)} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
  );
}

function ppm(pages: number, ms: number): number {
  return (pages / ms) * 60_000;
}

async function extraFile(name: string): Promise<BenchFile | null> {
  const p = path.join(SYNTHETIC_DIR, `${name}.pdf`);
  if (!existsSync(p)) return null;
  const probe = await probeFile(p);
  return {
    name,
    path: p,
    kind: probe.kind,
    ext: '.pdf',
    pages: probe.pageCount,
    gtPath: path.join(SYNTHETIC_DIR, `${name}.gt.txt`),
  };
}

/** The results without the bulky per-page rows (kept in the databases under bench/out). */
function serialisable(r: BenchResults): unknown {
  const slim = (e: EngineRunResult | null): unknown =>
    e && {
      ...e,
      pages: undefined,
      transport: {
        readyMs: e.transport.readyMs,
        tasks: e.transport.tasks.length,
        gaps: e.transport.gapsMs.length,
      },
    };
  return {
    ...r,
    ours: slim(r.ours),
    oursS11: slim(r.oursS11),
    bornDigital: slim(r.bornDigital),
    native: r.native && { ...r.native, texts: undefined },
    ocrmypdfStock: r.ocrmypdfStock && { ...r.ocrmypdfStock, texts: undefined },
    ocrmypdfOurModel: r.ocrmypdfOurModel && { ...r.ocrmypdfOurModel, texts: undefined },
  };
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
