import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { DocumentRow, OcrOptions, OutputFormat } from '../../shared/model.ts';
import { Engine } from '../engine/engine.ts';
import type { ClusterSettings } from '../engine/clusterControl.ts';
import { appVersion } from './diagnostics.ts';
import { forkSpawner } from '../engine/spawnNode.ts';
import { limitsOf } from '../engine/settings.ts';
import { createProgressView } from './progress.ts';
import { formatDuration } from './progress.ts';
import { RunTracker } from './runTracker.ts';
import { UsageError } from './options.ts';
import { LoopMonitor, type EventLoopReport } from './loopMonitor.ts';
import { displayPath, outputsLine } from './display.ts';
import { alreadyDoneLines, rebuiltLines } from './outputReviewLines.ts';
import { count, pagesNote, verb } from '../../shared/words.ts';

export interface RunArgs {
  paths: string[];
  outDir: string | null;
  dbPath: string;
  jobs: number;
  /** `--redis` and friends: coordinate worker nodes too. */
  cluster?: ClusterSettings;
  options: OcrOptions;
  formats: OutputFormat[];
  overwrite: boolean;
  priority?: number;
  json: boolean;
  /** `--max-pages`: documents with more pages are refused (default: the stored setting, 10,000 unless changed). */
  maxPages?: number;
  /** `--max-image-mpixels`: larger images are refused (default: the stored setting, 150 unless changed). */
  maxImageMpixels?: number;
}

export interface RunSummary {
  ok: boolean;
  interrupted: boolean;
  seconds: number;
  pagesPerMinute: number | null;
  documents: { total: number; done: number; failed: number; alreadyDone: number };
  pages: { done: number; failed: number; thisRun: number };
  failures: { path: string; code: string; message: string }[];
  /** Recognised pages of this run worth a look (low confidence), lowest first. */
  lowConfidence: { path: string; page: number; confidence: number; documentMean: number }[];
  outputs: string[];
  /**
   * Of the files already done: outputs written again because they were missing (`rebuilt`) or,
   * with --overwrite, changed (`replaced`), and changed outputs left as they are (`kept`).
   */
  rewritten: { rebuilt: string[]; replaced: string[]; kept: string[] };
  skipped: { path: string; reason: string }[];
  /** Event-loop delay of the engine over the run (see loopMonitor.ts). */
  eventLoop: EventLoopReport;
  /** Highest resident memory seen of each OCR worker slot, in MB. */
  workerPeakRssMb: number[];
  /** What recognised: `native libtesseract 5.3.0` or `tesseract.js (WASM, simd-lstm)`. */
  ocrEngines: string[];
}

/** Exit codes: 0 all succeeded, 1 some input failed, 2 usage error, 130 interrupted. */
export async function runCommand(args: RunArgs): Promise<number> {
  for (const p of args.paths) {
    if (!existsSync(p)) throw new UsageError(`no such file or folder: ${p}`);
  }
  const err = process.stderr;
  const view = createProgressView(err, false);
  const engine = new Engine({
    dbPath: args.dbPath,
    spawn: forkSpawner(),
    jobs: args.jobs,
    ...(args.cluster ? { cluster: args.cluster, version: appVersion() } : {}),
  });
  const stored = limitsOf(engine.read.settings());
  engine.setLimits({
    maxPages: args.maxPages ?? stored.maxPages,
    maxImagePixels: args.maxImageMpixels !== undefined ? args.maxImageMpixels * 1e6 : stored.maxImagePixels,
  });
  const show = (p: string): string => displayPath(p);
  const loop = new LoopMonitor();

  let interrupted = false;
  // Set from an event handler; an object so the type checker does not narrow it to null.
  const fatal: { message: string | null } = { message: null };
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const stopIngest = new AbortController();
  const onSignal = (): void => {
    if (interrupted) process.exit(130); // second Ctrl-C: leave now; the queue recovers at next start
    interrupted = true;
    stopIngest.abort(); // a folder walk still going stops; what it found stays queued
    view.log('Stopping… (press Ctrl-C again to quit at once)');
    finish();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    view.log(outputsLine(args.outDir, args.formats));
    const { recovered } = engine.start();
    if (recovered > 0)
      view.log(
        `Resuming: ${count(recovered, 'unfinished task')} from an earlier run ${verb(recovered, 'is', 'are')} queued again.`,
      );
    if (engine.paused)
      view.log(
        'Note: the queue is paused (desktop app or `bulk-ocr resume`); nothing runs until it is resumed.',
      );
    const summary = await engine.ingest({
      paths: args.paths,
      source: 'cli',
      options: args.options,
      outDir: args.outDir,
      formats: args.formats,
      overwrite: args.overwrite,
      priority: args.priority,
      signal: stopIngest.signal,
    });
    for (const s of summary.skipped) view.log(`skipped ${show(s.path)}: ${s.reason}`);
    const ids = [...new Set(summary.outcomes.map((o) => o.id))];
    const rows = engine.read.documents(ids);
    const alreadyDone = summary.outcomes.filter(
      (o) => !o.created && (o.previousState === 'done' || o.previousState === 'done-with-errors'),
    ).length;
    // Done before and exporting now: their outputs are being written again (no OCR).
    const doneBefore = new Set(
      summary.outcomes
        .filter((o) => !o.created && (o.previousState === 'done' || o.previousState === 'done-with-errors'))
        .map((o) => o.id),
    );
    const rebuilding = new Set(
      rows.filter((r) => doneBefore.has(r.id) && r.state === 'exporting').map((r) => r.id),
    );
    if (ids.length === 0) view.log('No PDF or image files found.');
    else if (alreadyDone > 0)
      for (const line of alreadyDoneLines(alreadyDone, ids.length, show(args.dbPath), summary.outputs))
        view.log(line);
    const others = engine.read.counts().documents;
    const waitingElsewhere =
      others.total -
      others.done -
      others['done-with-errors'] -
      others.failed -
      others.cancelled -
      rows.filter((r) => !['done', 'done-with-errors', 'failed', 'cancelled'].includes(r.state)).length;
    if (waitingElsewhere > 0)
      view.log(
        `Note: ${count(waitingElsewhere, 'other file')} ${verb(waitingElsewhere, 'is', 'are')} waiting in this queue and ${verb(waitingElsewhere, 'is', 'are')} worked through in priority order too (use --db for a separate queue).`,
      );

    const tracker = new RunTracker(rows);
    const tick = (): void => view.update(tracker.snapshot(engine.workers.busy, engine.paused));
    engine.events.on('page', (e) => {
      if (!tracker.has(e.docId)) return;
      if (e.ok) tracker.onPageDone(e.docId);
      else if (!e.retrying) {
        tracker.onPageFailed(e.docId);
        view.log(
          `page ${e.pageNo} of ${show(pathOf(rows, e.docId))} failed: ${e.error?.message ?? 'unknown reason'}`,
        );
      }
      tick();
    });
    engine.events.on('document', (e) => {
      if (!tracker.onDocument(e.id, e.state, e.pageCount)) {
        tick();
        return;
      }
      const path = show(pathOf(rows, e.id));
      if (e.state === 'failed') view.log(`failed  ${path}: ${e.error?.message ?? 'unknown reason'}`);
      else if (e.state === 'cancelled') view.log(`cancelled ${path}`);
      else {
        // Done with some pages failed is done (its outputs are written): the count says the rest.
        const failedPages =
          e.state === 'done-with-errors' ? (engine.read.document(e.id)?.pagesFailed ?? 0) : 0;
        view.log(
          `${rebuilding.has(e.id) ? 'rebuilt' : 'done   '} ${path}${pagesNote(e.pageCount, failedPages)}`,
        );
      }
      tick();
      if (tracker.finished) finish();
    });
    engine.events.on('fatal', (e) => {
      fatal.message = e.message;
      finish();
    });
    const ticker = setInterval(tick, 1_000);
    tick();
    if (tracker.finished) finish();
    await finished;
    clearInterval(ticker);
    view.finish();

    const final = engine.read.documents(ids);
    const result = summarize(final, tracker, summary.skipped, alreadyDone, interrupted);
    result.rewritten = {
      rebuilt: summary.outputs.missing.filter((p) => existsSync(p)),
      replaced: summary.outputs.replacing.filter((p) => existsSync(p)),
      kept: summary.outputs.kept,
    };
    result.eventLoop = loop.stop();
    result.workerPeakRssMb = engine.workers.peakRssBytes.map((b) => Math.round(b / 2 ** 20));
    result.ocrEngines = engine.workers.ocrEngines;
    const ofThisRun = new Set(ids);
    result.lowConfidence = engine.read
      .lowConfidence(1_000)
      .filter((p) => ofThisRun.has(p.docId))
      .slice(0, 20)
      .map((p) => ({
        path: p.path,
        page: p.pageNo,
        confidence: Math.round(p.confidence),
        documentMean: Math.round(p.documentMean),
      }));
    await engine.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (fatal.message) {
      err.write(`bulk-ocr: cannot run OCR: ${fatal.message}\n`);
      return 1;
    }
    if (args.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else printSummary(result, args.outDir);
    if (interrupted) return 130;
    return result.ok ? 0 : 1;
  } catch (error) {
    view.finish();
    await engine.stop().catch(() => undefined);
    throw error;
  }
}

function pathOf(rows: DocumentRow[], id: number): string {
  return rows.find((r) => r.id === id)?.path ?? `document ${id}`;
}

function summarize(
  rows: DocumentRow[],
  tracker: RunTracker,
  skipped: RunSummary['skipped'],
  alreadyDone: number,
  interrupted: boolean,
): RunSummary {
  const seconds = (Date.now() - tracker.startedAt) / 1000;
  const failed = rows.filter((r) => r.state === 'failed' || r.state === 'cancelled');
  const done = rows.filter((r) => r.state === 'done' || r.state === 'done-with-errors');
  const failures = rows
    .filter((r) => r.state === 'failed' || r.state === 'done-with-errors')
    .map((r) => ({
      path: r.path,
      code: r.error?.code ?? 'PAGES_FAILED',
      message:
        r.state === 'done-with-errors'
          ? `${r.pagesFailed} of ${r.pageCount ?? '?'} pages failed${r.error ? `: ${r.error.message}` : ''}`
          : (r.error?.message ?? 'unknown reason'),
    }));
  return {
    ok: !interrupted && failures.length === 0 && skipped.length === 0 && done.length === rows.length,
    interrupted,
    seconds: Math.round(seconds * 10) / 10,
    pagesPerMinute:
      seconds > 0 && tracker.pagesDoneThisRun > 0
        ? Math.round((tracker.pagesDoneThisRun / seconds) * 600) / 10
        : null,
    documents: { total: rows.length, done: done.length, failed: failed.length, alreadyDone },
    pages: {
      done: rows.reduce((n, r) => n + r.pagesDone, 0),
      failed: rows.reduce((n, r) => n + r.pagesFailed, 0),
      thisRun: tracker.pagesDoneThisRun,
    },
    failures,
    lowConfidence: [],
    outputs: rows.flatMap((r) => r.outputs),
    rewritten: { rebuilt: [], replaced: [], kept: [] },
    skipped,
    eventLoop: { maxMs: 0, p99Ms: 0, meanMs: 0, perMinuteMaxMs: [] },
    workerPeakRssMb: [],
    ocrEngines: [],
  };
}

/** Problems listed in the text summary; the JSON summary has them all. */
const MAX_LISTED = 50;

function printSummary(s: RunSummary, outDir: string | null): void {
  const out = process.stdout;
  const rate = s.pagesPerMinute === null ? '' : `, ${s.pagesPerMinute} pages/min`;
  const by = s.ocrEngines.length > 0 ? ` (OCR: ${s.ocrEngines.join(', ')})` : '';
  // After a resume the rate is of this run's pages; say how many those were.
  const thisRun =
    s.pages.thisRun !== s.pages.done ? ` (${count(s.pages.thisRun, 'page')} this run${rate})` : rate;
  out.write(
    `\n${s.interrupted ? 'Interrupted' : 'Finished'} in ${formatDuration(s.seconds)}: ${s.documents.done} of ${count(s.documents.total, 'file')} done, ${count(s.pages.done, 'page')}${thisRun}${by}.\n`,
  );
  if (s.failures.length > 0) {
    out.write(`\n${count(s.failures.length, 'file')} with problems:\n`);
    const shown = s.failures.slice(0, MAX_LISTED);
    for (const f of shown) out.write(`  ${displayPath(f.path)}: ${f.message}\n`);
    if (s.failures.length > shown.length) {
      out.write(
        `  … and ${s.failures.length - shown.length} more (all of them: --json, or bulk-ocr status)\n`,
      );
    }
  }
  if (s.lowConfidence.length > 0) {
    out.write(`\nPages read with low confidence (worth a look):\n`);
    for (const p of s.lowConfidence) {
      out.write(`  ${displayPath(p.path)} page ${p.page}: ${p.confidence}% (document ${p.documentMean}%)\n`);
    }
  }
  if (s.skipped.length > 0) {
    out.write(`\n${count(s.skipped.length, 'path')} skipped:\n`);
    for (const f of s.skipped) out.write(`  ${displayPath(f.path)}: ${f.reason}\n`);
  }
  const rewritten = rebuiltLines(s.rewritten.rebuilt, s.rewritten.replaced, s.rewritten.kept);
  if (rewritten.length > 0) out.write(`\n${rewritten.join('\n')}\n`);
  if (s.interrupted)
    out.write('\nWhat is done is kept. Run the same command again to continue where it stopped.\n');
  else if (s.documents.done > 0)
    out.write(
      `\nOutputs: ${outDir ? displayPath(resolve(outDir)) : 'next to each input (NAME.ocr.pdf, NAME.ocr.txt)'}\n`,
    );
}
