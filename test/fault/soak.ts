/**
 * Promise 8 of issue 6, the soak: thousands of small documents mixed with bad ones through
 * `bulk-ocr run` with 2 workers. Samples the engine's and the workers' resident memory from /proc
 * while it runs; the run's --json summary gives the event-loop delay (max, p99, worst per minute).
 * At the end every document is accounted for: done + failed = total, each bad file failed with a
 * reason, each good one done.
 *
 *   npm run test:soak -- [--docs 5000] [--minutes 60] [--image-every 10] [--bad-every 50]
 *                        [--engine-heap-mb 96] [--keep]
 *
 * Bounded: at --minutes the run is interrupted (Ctrl-C, as a user would) and the report says so.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generatedName, imagePage, textPdf } from './generate.ts';
import { descendants, isWorker, procInfo } from './processes.ts';
import { readDocuments } from './queueDb.ts';
import type { RunSummary } from '../../src/main/cli/run.ts';
import { parseOrExplain } from '../helpers/scriptArgs.ts';

const USAGE = `
Usage: npm run test:soak -- [--docs 5000] [--minutes 60] [--image-every 10] [--bad-every 50] [--jobs 2] [--engine-heap-mb N] [--keep]

Thousands of small documents mixed with bad ones through bulk-ocr run; samples engine and worker
memory and the event-loop delay, and accounts for every document at the end.
`;

const REPO = resolve(import.meta.dirname, '../..');
const MB = 2 ** 20;

interface Sample {
  seconds: number;
  /** The machine's 1-minute load average: event-loop delay means little on a machine run at 5× its cores. */
  load: number;
  engineMb: number;
  workersMb: number[];
}

export interface SoakReport {
  documents: { total: number; good: number; bad: number; done: number; failed: number; waiting: number };
  pages: number;
  interrupted: boolean;
  wallMinutes: number;
  pagesPerMinute: number | null;
  memoryMb: {
    engineMax: number;
    /** Mean of the samples in the first and the last tenth of the run (after the first minute). */
    engineFirstTenth: number;
    engineLastTenth: number;
    workerMax: number;
    workerFirstTenth: number;
    workerLastTenth: number;
  };
  eventLoopMs: RunSummary['eventLoop'];
  /** Mean and max 1-minute load average during the run, and the cores it was shared by. */
  machine: { meanLoad: number; maxLoad: number; cores: number };
  problems: string[];
  workDir: string;
}

/** Bad file `i`: four kinds, each with its own bytes. */
async function badFile(dir: string, i: number): Promise<string> {
  const kind = i % 4;
  const name = `${generatedName(i, 'pdf').slice(0, -4)}-bad${kind === 3 ? '.jpg' : '.pdf'}`;
  let bytes: Uint8Array;
  if (kind === 0)
    bytes = new Uint8Array(0); // empty
  else if (kind === 1)
    bytes = Uint8Array.from({ length: 4096 }, (_, k) => (k * 31 + i * 17) & 0xff); // noise
  else if (kind === 2) {
    const whole = await textPdf(i, 2);
    bytes = whole.slice(0, Math.floor(whole.length / 2)); // truncated
  } else bytes = new TextEncoder().encode(`not an image ${i}\n`);
  writeFileSync(join(dir, name), bytes);
  return name;
}

export async function runSoak(o: {
  docs: number;
  minutes: number;
  imageEvery: number;
  badEvery: number;
  jobs: number;
  /** Caps the engine's V8 heap (--max-old-space-size): a leak then ends the run, lazy collection does not. */
  engineHeapMb?: number;
  keep: boolean;
  log: (l: string) => void;
}): Promise<SoakReport> {
  const work = mkdtempSync(join(tmpdir(), 'bulk-ocr-soak-'));
  const input = join(work, 'in');
  mkdirSync(input);
  const bad = new Set<string>();
  const good = new Set<string>();
  for (let i = 0; i < o.docs; i++) {
    if (o.badEvery > 0 && i % o.badEvery === o.badEvery - 1) bad.add(await badFile(input, i));
    else if (o.imageEvery > 0 && i % o.imageEvery === o.imageEvery - 1) {
      const name = generatedName(i, 'png');
      writeFileSync(join(input, name), imagePage(i));
      good.add(name);
    } else {
      const name = generatedName(i, 'pdf');
      writeFileSync(join(input, name), await textPdf(i, 1 + (i % 3)));
      good.add(name);
    }
  }
  o.log(`generated ${good.size} good and ${bad.size} bad documents in ${input}`);

  const db = join(work, 'queue.db');
  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    [
      ...(o.engineHeapMb ? [`--max-old-space-size=${o.engineHeapMb}`] : []),
      join(REPO, 'bin/bulk-ocr.js'),
      'run',
      input,
      '--out',
      join(work, 'out'),
      '--db',
      db,
      '--dpi',
      '100',
      '--jobs',
      String(o.jobs),
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO },
  );
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.resume(); // progress lines: not needed
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

  const samples: Sample[] = [];
  const sampler = setInterval(() => {
    const engine = procInfo(child.pid!);
    if (!engine) return;
    samples.push({
      seconds: (Date.now() - t0) / 1000,
      load: loadavg()[0],
      engineMb: engine.rssBytes / MB,
      workersMb: descendants(child.pid!)
        .filter(isWorker)
        .map((w) => w.rssBytes / MB),
    });
    if (samples.length % 30 === 0) {
      const s = samples.at(-1)!;
      o.log(
        `${Math.round(s.seconds)} s: engine ${Math.round(s.engineMb)} MB, workers ${s.workersMb.map(Math.round).join(' / ')} MB`,
      );
    }
  }, 2_000);
  let interrupted = false;
  const limit = setTimeout(() => {
    interrupted = true;
    child.kill('SIGINT'); // a user's Ctrl-C: finished work is kept, the summary is printed
  }, o.minutes * 60_000);
  const code = await exited;
  clearInterval(sampler);
  clearTimeout(limit);
  const wallMinutes = (Date.now() - t0) / 60_000;

  const problems: string[] = [];
  let summary: RunSummary | null = null;
  try {
    summary = JSON.parse(stdout) as RunSummary;
  } catch {
    problems.push(`no JSON summary (exit code ${code}): ${stdout.slice(0, 300)}`);
  }
  const docs = readDocuments(db);
  const byName = new Map(docs.map((d) => [basename(d.path), d]));
  let done = 0;
  let failed = 0;
  let waiting = 0;
  for (const name of [...good, ...bad]) {
    const d = byName.get(name);
    if (!d) {
      problems.push(`${name} was never queued`);
      continue;
    }
    if (d.state === 'done') done++;
    else if (d.state === 'failed') failed++;
    else waiting++;
    if (bad.has(name) && d.state !== 'failed' && !interrupted)
      problems.push(`bad file ${name} ended ${d.state}`);
    if (bad.has(name) && d.state === 'failed' && !d.errorMessage)
      problems.push(`bad file ${name} failed without a reason`);
    if (good.has(name) && d.state !== 'done' && !(interrupted && d.state !== 'failed'))
      problems.push(`${name} ended ${d.state}: ${d.errorMessage ?? ''}`);
  }
  if (!interrupted && done + failed !== docs.length)
    problems.push(`done ${done} + failed ${failed} != ${docs.length} documents`);

  const settled = samples.filter((s) => s.seconds > 60);
  const tenth = Math.max(1, Math.floor(settled.length / 10));
  const mean = (xs: number[]): number =>
    xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0;
  const workerMax = (s: Sample): number => Math.max(0, ...s.workersMb);
  const report: SoakReport = {
    documents: { total: docs.length, good: good.size, bad: bad.size, done, failed, waiting },
    pages: summary?.pages.done ?? 0,
    interrupted,
    wallMinutes: Math.round(wallMinutes * 10) / 10,
    pagesPerMinute: summary?.pagesPerMinute ?? null,
    memoryMb: {
      engineMax: Math.round(Math.max(0, ...samples.map((s) => s.engineMb))),
      engineFirstTenth: mean(settled.slice(0, tenth).map((s) => s.engineMb)),
      engineLastTenth: mean(settled.slice(-tenth).map((s) => s.engineMb)),
      workerMax: Math.round(Math.max(0, ...samples.map(workerMax))),
      workerFirstTenth: mean(settled.slice(0, tenth).map(workerMax)),
      workerLastTenth: mean(settled.slice(-tenth).map(workerMax)),
    },
    eventLoopMs: summary?.eventLoop ?? { maxMs: 0, p99Ms: 0, meanMs: 0, perMinuteMaxMs: [] },
    machine: {
      meanLoad: Math.round((samples.reduce((a, x) => a + x.load, 0) / Math.max(1, samples.length)) * 10) / 10,
      maxLoad: Math.round(Math.max(0, ...samples.map((x) => x.load)) * 10) / 10,
      cores: availableParallelism(),
    },
    problems,
    workDir: work,
  };
  writeFileSync(join(work, 'soak-samples.json'), JSON.stringify(samples));
  writeFileSync(join(work, 'soak-report.json'), JSON.stringify(report, null, 2));
  if (!o.keep && problems.length === 0) rmSync(work, { recursive: true, force: true });
  return report;
}

export function formatSoakReport(r: SoakReport): string {
  const m = r.memoryMb;
  const l = r.eventLoopMs;
  return [
    `soak: ${r.documents.total} documents (${r.documents.good} good, ${r.documents.bad} bad), ${r.pages} pages in ${r.wallMinutes} min (${r.pagesPerMinute ?? '?'} pages/min)${r.interrupted ? ', STOPPED at the time limit' : ''}`,
    `  accounted for: ${r.documents.done} done + ${r.documents.failed} failed${r.documents.waiting ? ` + ${r.documents.waiting} waiting` : ''} = ${r.documents.total}`,
    `  engine RSS: max ${m.engineMax} MB; first tenth ${m.engineFirstTenth} MB → last tenth ${m.engineLastTenth} MB`,
    `  worker RSS: max ${m.workerMax} MB; first tenth ${m.workerFirstTenth} MB → last tenth ${m.workerLastTenth} MB`,
    `  event-loop delay: max ${l.maxMs} ms, p99 ${l.p99Ms} ms, mean ${l.meanMs} ms; worst per minute: ${l.perMinuteMaxMs.join(' ')}`,
    `  machine: load average ${r.machine.meanLoad} mean, ${r.machine.maxLoad} max, on ${r.machine.cores} cores`,
    r.problems.length === 0
      ? '  all accounted for'
      : `  PROBLEMS:\n${r.problems
          .slice(0, 30)
          .map((p) => `    - ${p}`)
          .join('\n')}\n  work folder: ${r.workDir}`,
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseOrExplain(USAGE, () =>
    parseArgs({
      options: {
        docs: { type: 'string', default: '5000' },
        minutes: { type: 'string', default: '60' },
        'image-every': { type: 'string', default: '10' },
        'bad-every': { type: 'string', default: '50' },
        jobs: { type: 'string', default: '2' },
        'engine-heap-mb': { type: 'string' },
        keep: { type: 'boolean', default: false },
      },
    }),
  );
  const report = await runSoak({
    docs: Number(values.docs),
    minutes: Number(values.minutes),
    imageEvery: Number(values['image-every']),
    badEvery: Number(values['bad-every']),
    jobs: Number(values.jobs),
    ...(values['engine-heap-mb'] ? { engineHeapMb: Number(values['engine-heap-mb']) } : {}),
    keep: values.keep,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stdout.write(formatSoakReport(report) + '\n');
  process.exitCode = report.problems.length === 0 ? 0 : 1;
}
