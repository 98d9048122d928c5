import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OcrOptions, OutputFormat, WatchFolderOptions, WatchFolderRow } from '../../shared/model.ts';
import { ProgressMeter } from '../../shared/progress.ts';
import { count, pagesNote, verb } from '../../shared/words.ts';
import { displayPath } from './display.ts';
import { eta } from './progress.ts';
import { Engine } from '../engine/engine.ts';
import type { ClusterSettings } from '../engine/clusterControl.ts';
import { appVersion } from './diagnostics.ts';
import { forkSpawner } from '../engine/spawnNode.ts';
import { limitsOf } from '../engine/settings.ts';
import { DEFAULT_WATCH_TIMINGS } from '../engine/watch/folderWatcher.ts';
import { UsageError } from './options.ts';
import { createStatusLine } from './statusLine.ts';

export interface WatchArgs {
  /** Folders named on the command line (stored, then watched); empty = every stored folder. */
  dirs: string[];
  dbPath: string;
  jobs: number;
  /** `--redis` and friends: coordinate worker nodes too. */
  cluster?: ClusterSettings;
  /** Options for the named folders. */
  folder: WatchFolderOptions;
  settleMs: number;
  /** `--max-pages`; default: the stored setting. */
  maxPages?: number;
  /** `--max-image-mpixels`: larger images are refused (default: the stored setting, 150 unless changed). */
  maxImageMpixels?: number;
}

/** Parses --settle (seconds, decimals allowed). */
export function parseSettle(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WATCH_TIMINGS.settleMs;
  const s = Number(value);
  if (!Number.isFinite(s) || s < 0.1 || s > 3600)
    throw new UsageError(`--settle must be a number of seconds from 0.1 to 3600, not "${value}"`);
  return Math.round(s * 1000);
}

export function folderOptions(o: {
  recursive: boolean;
  ocr: OcrOptions;
  formats: OutputFormat[];
  outDir: string | null;
  priority: number | undefined;
  move: boolean;
  poll: boolean | undefined;
}): WatchFolderOptions {
  return {
    recursive: o.recursive,
    ocr: o.ocr,
    formats: o.formats,
    outDir: o.outDir ? resolve(o.outDir) : null,
    priority: o.priority ?? null,
    after: o.move ? 'move' : 'leave',
    detection: o.poll === true ? 'polling' : o.poll === false ? 'events' : 'auto',
  };
}

/**
 * `bulk-ocr watch`: stores the named folders as watched folders (the desktop app and `bulk-ocr
 * serve` pick them up too), then watches them — or, with no folder named, every stored one — and
 * OCRs what arrives until Ctrl-C. Returns the exit code.
 */
export async function watchCommand(args: WatchArgs): Promise<number> {
  for (const d of args.dirs) {
    let isDir: boolean;
    try {
      isDir = statSync(d).isDirectory();
    } catch {
      throw new UsageError(`no such folder: ${d}`);
    }
    if (!isDir)
      throw new UsageError(`not a folder: ${d} (watch takes folders; to OCR files once, use bulk-ocr run)`);
  }
  const engine = new Engine({
    dbPath: args.dbPath,
    spawn: forkSpawner(),
    jobs: args.jobs,
    ...(args.cluster ? { cluster: args.cluster, version: appVersion() } : {}),
    watchTimings: { settleMs: args.settleMs },
  });
  const stored = limitsOf(engine.read.settings());
  engine.setLimits({
    maxPages: args.maxPages ?? stored.maxPages,
    maxImagePixels: args.maxImageMpixels !== undefined ? args.maxImageMpixels * 1e6 : stored.maxImagePixels,
  });
  const line = createStatusLine(process.stderr);
  const show = (p: string): string => displayPath(p);
  try {
    const ids = args.dirs.map((d) => engine.watch.add(d, args.folder).id);
    if (ids.length === 0 && engine.watch.list().length === 0) {
      throw new UsageError(
        'no folders to watch: name one (bulk-ocr watch DIR) — it is remembered, so later a plain "bulk-ocr watch" resumes it',
      );
    }
    const { recovered } = engine.start();
    if (recovered > 0)
      line.log(
        `Resuming: ${count(recovered, 'unfinished task')} from an earlier run ${verb(recovered, 'is', 'are')} queued again.`,
      );
    if (engine.paused)
      line.log(
        'Note: the queue is paused (desktop app); files are queued but nothing runs until it is resumed.',
      );

    // Each batch that arrives is a run of its own: its bar, its rate (src/shared/progress.ts).
    const meter = new ProgressMeter({ scope: 'sinceStart' });
    const session = { queued: 0, done: 0, failed: 0 };
    const folders = new Map<number, WatchFolderRow>();
    const refresh = (): void => {
      if (!engine.isOpen) return;
      for (const f of engine.watch.list()) if (ids.length === 0 || ids.includes(f.id)) folders.set(f.id, f);
      const rows = [...folders.values()];
      const counts = engine.read.counts();
      const states = rows.map((f) => f.state);
      const label =
        rows.length === 1
          ? `${states[0]} ${show(rows[0].path)}`
          : `${rows.length} folders (${summarizeStates(states)})`;
      const settling = rows.reduce((n, f) => n + f.stats.settling, 0);
      const waiting =
        counts.documents.new +
        counts.documents.queued +
        counts.documents.running +
        counts.documents.exporting;
      const p = counts.pages;
      const run = meter.update({
        now: Date.now(),
        filesUncounted: counts.documents.new,
        pagesSettled: p.done + p.failed,
        pagesOutstanding: p.queued + p.running,
        busy: counts.documents.exporting > 0,
        paused: engine.paused,
      });
      const progress: string[] = [];
      if (!run.idle) {
        if (run.counting || run.fraction === null || run.pagesTotal === null)
          progress.push('counting pages…');
        else progress.push(`${Math.floor(run.fraction * 100)}% of ${count(run.pagesTotal, 'page')}`);
        if (run.pagesPerMinute !== null) progress.push(`${run.pagesPerMinute.toFixed(1)} pages/min`);
        if (run.etaSeconds !== null) progress.push(`ETA ${eta(run.etaSeconds)}`);
      }
      line.update(
        [
          label,
          `${settling} settling`,
          `${waiting} in queue`,
          `${session.done} done`,
          `${session.failed} failed`,
          ...progress,
        ].join(' · '),
      );
    };
    // The status line is redrawn by the ticker below (once a second): the folders' counts
    // aggregate their files, too much work to redo on every event of a big folder.
    engine.events.on('watchReport', (r) => {
      if (ids.length > 0 && !ids.includes(r.folderId)) return;
      if (r.message === 'queued') session.queued++;
      line.log(
        r.path
          ? `${r.message === 'queued' ? 'queued ' : ''}${show(r.path)}${r.message === 'queued' ? '' : `: ${r.message}`}`
          : `${show(folders.get(r.folderId)?.path ?? '')}: ${r.message}`,
      );
    });
    engine.events.on('document', (e) => {
      if (!['done', 'done-with-errors', 'failed'].includes(e.state)) return;
      const d = engine.read.document(e.id);
      if (!d || d.source !== 'watch') return;
      if (e.state === 'failed') {
        session.failed++;
        line.log(`failed  ${show(d.path)}: ${e.error?.message ?? 'unknown reason'}`);
      } else {
        session.done++;
        line.log(
          `done    ${show(d.path)}${pagesNote(d.pageCount, d.pagesFailed)} → ${d.outputs.map(show).join(', ')}`,
        );
      }
    });
    engine.events.on('fatal', (e) => line.log(`bulk-ocr: the OCR workers cannot run: ${e.message}`));

    engine.watch.start(ids.length > 0 ? ids : undefined);
    for (const f of engine.watch.list())
      if (ids.length === 0 || ids.includes(f.id))
        line.log(
          `Watching ${show(f.path)} → ${f.options.outDir ? show(f.options.outDir) : 'next to each file (NAME.ocr.pdf, NAME.ocr.txt)'}` +
            `${f.options.after === 'move' ? '; originals move to processed/ or failed/' : ''}`,
        );
    line.log('Press Ctrl-C to stop (files already queued stay queued and resume next time).');
    refresh();
    const ticker = setInterval(refresh, 1_000);

    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        // A second Ctrl-C while stopping leaves at once; the queue recovers at the next start.
        process.once('SIGINT', () => process.exit(130));
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    clearInterval(ticker);
    line.log('Stopping…');
    line.finish();
    await engine.stop();
    process.stdout.write(
      `Stopped. This session: ${count(session.queued, 'file')} queued, ${session.done} done, ${session.failed} failed.\n`,
    );
    return 0;
  } catch (error) {
    line.finish();
    await engine.stop().catch(() => undefined);
    throw error;
  }
}

function summarizeStates(states: string[]): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
}

/** `bulk-ocr watch --list`: the stored folders, their options and what they have ingested. */
export function listWatchedFolders(engine: Engine, json: boolean): string {
  const rows = engine.watch.list();
  if (json) return JSON.stringify(rows, null, 2) + '\n';
  if (rows.length === 0) return 'No watched folders. Add one with: bulk-ocr watch DIR [--out DIR]\n';
  return (
    rows
      .map((f) => {
        const o = f.options;
        return [
          f.path,
          `  output: ${o.outDir ?? 'next to each file'} · ${o.formats.join('+')} · ${o.ocr.languages.join('+')}` +
            ` · ${o.recursive ? 'with subfolders' : 'this folder only'} · originals: ${o.after === 'move' ? 'moved to processed/ failed/' : 'left in place'}` +
            ` · detection: ${o.detection}`,
          `  ingested ${f.stats.ingested} (${f.stats.done} done, ${f.stats.failed} failed, ${f.stats.inQueue} in queue), ${count(f.stats.duplicates, 'duplicate')} skipped`,
        ].join('\n');
      })
      .join('\n') + '\n'
  );
}
