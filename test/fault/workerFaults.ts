/**
 * Promise 2 of issue 6, "workers die, the run goes on": a run of many pages through the real
 * engine and real worker processes, during which the harness SIGKILLs random workers, SIGSTOPs
 * one (a hang) and feeds one page that makes its worker allocate until the memory limit stops it
 * (faultyWorker.entry.ts, injected through the pool's `spawn` parameter). Afterwards every page is
 * done or failed with a reason after its attempts, the pool is back to full strength, throughput
 * before and after the faults is reported, and no process is left over.
 *
 * Used by test/fault/worker-faults.test.ts (short) and runnable by hand:
 *   node test/fault/workerFaults.ts [--pages 500] [--kills 20] [--seed N] [--keep]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import { buildFaultCorpus } from './corpus.ts';
import { generatedName, imagePage } from './generate.ts';
import { descendants, isHelper, isWorker, waitUntilGone, type ProcInfo } from './processes.ts';
import { seededRandom } from '../helpers/seededRandom.ts';
import { parseOrExplain } from '../helpers/scriptArgs.ts';

const USAGE = `
Usage: node test/fault/workerFaults.ts [--pages 500] [--kills 20] [--seed N] [--keep]

Kills, hangs and starves OCR workers during a run and checks that every page ends done or failed
with a reason, the pool recovers and no process is left; reports pages per minute before, during
and after the faults.
`;

export interface WorkerFaultOptions {
  /** Pages to run, roughly (generated documents, a third of them OCR'd images). */
  pages: number;
  /** Random worker SIGKILLs. */
  kills: number;
  jobs: number;
  dpi: number;
  /** A task running longer than this kills its worker (the hang is found this way). */
  pageTimeoutMs: number;
  seed: number;
  keep: boolean;
  log: (line: string) => void;
}

export const defaultWorkerFaultOptions: WorkerFaultOptions = {
  pages: 150,
  kills: 8,
  jobs: 2,
  dpi: 100,
  pageTimeoutMs: 30_000,
  seed: Date.now() % 1_000_000,
  keep: false,
  log: () => {},
};

export interface WorkerFaultReport {
  seed: number;
  pages: { total: number; done: number; failed: number };
  faults: { sigkill: number; sigstop: number; outOfMemory: number };
  /** Pages that failed, with their reasons (the out-of-memory page, pages killed on every attempt). */
  failures: { doc: string; page: number; code: string; message: string }[];
  /** Pages done after the last SIGKILL or SIGSTOP was sent. */
  pagesAfterLastFault: number;
  pagesPerMinute: { beforeFaults: number; duringFaults: number; afterFaults: number };
  /** Workers alive once the faults were over (should be `jobs`), and how long the pool took to be whole. */
  workersAfterFaults: number;
  recoverySeconds: number;
  leakedProcesses: number;
  wallSeconds: number;
  problems: string[];
  workDir: string;
}

const WORKER_ENTRY = fileURLToPath(new URL('./faultyWorker.entry.ts', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** This process's live OCR workers (not stopped ones: a SIGSTOPped worker is as good as gone). */
function myWorkers(): ProcInfo[] {
  return descendants(process.pid).filter(isWorker);
}

export async function runWorkerFaults(partial: Partial<WorkerFaultOptions> = {}): Promise<WorkerFaultReport> {
  const o = { ...defaultWorkerFaultOptions, ...partial };
  const rand = seededRandom(o.seed);
  const work = mkdtempSync(join(tmpdir(), 'bulk-ocr-workerfaults-'));
  const input = join(work, 'in');
  const out = join(work, 'out');
  const problems: string[] = [];
  // About 1.35 pages per generated document with every third an image page.
  const { goodPages } = await buildFaultCorpus(input, {
    generated: Math.ceil(o.pages / 1.35),
    imageEvery: 3,
    scanned: ['s01-letter.pdf', 's11-mixed-3p.pdf'],
    bad: false,
  });
  // The page that eats memory sits in the middle of the queue, so it lands among the other faults.
  const oomName = `${generatedName(Math.floor(o.pages / 3), 'png').slice(0, -4)}-OOM.png`;
  writeFileSync(join(input, oomName), imagePage(999_999)); // its own content: not a duplicate of another page
  const totalPages = [...goodPages.values()].reduce((a, b) => a + b, 0) + 1;

  const hogPids = join(work, 'hog-pids');
  process.env.FAULT_HOG_PIDS = hogPids; // read by faultyWorker.entry.ts in the forked workers
  const t0 = Date.now();
  const engine = new Engine({
    dbPath: join(work, 'queue.db'),
    spawn: forkSpawner(WORKER_ENTRY),
    jobs: o.jobs,
    // The hang may hit a probe or an export as well as a page (their defaults are 1 and 5 minutes).
    timeouts: { page: o.pageTimeoutMs, probe: o.pageTimeoutMs, export: o.pageTimeoutMs },
    // A worker stopped while it loads Tesseract is found by the start-up time-out instead.
    workerStartTimeoutMs: 20_000,
    // Normal workers stay well under this; the hoarding one passes 1.5× it within seconds.
    maxWorkerRssBytes: 700 * 2 ** 20,
    // Quick retries, so a run with many faults does not spend its time waiting on backoff.
    policy: { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 5_000 },
  });
  engine.start();
  const { outcomes } = await engine.ingest({
    paths: [input],
    source: 'cli',
    options: { languages: ['eng'], dpi: o.dpi, mode: 'auto' },
    outDir: out,
    formats: ['txt', 'pdf'],
    overwrite: false,
  });
  const ids = outcomes.map((x) => x.id);
  const pagesDone = (): number =>
    engine.db.prepare(`SELECT count(*) FROM pages WHERE state = 'done'`).pluck().get() as number;
  const finished = (): boolean =>
    engine.read
      .documents(ids)
      .every((d) => ['done', 'done-with-errors', 'failed', 'cancelled'].includes(d.state));

  // Phase 1: no faults until a fifth of the pages are done.
  while (pagesDone() < totalPages / 5 && !finished()) await sleep(200);
  const faultStart = Date.now();
  const faults = { sigkill: 0, sigstop: 0, outOfMemory: 0 };
  let lastFaultAt = faultStart;
  // Phase 2: random SIGKILLs, one SIGSTOP after the first, spread over the run's progress from a
  // fifth to three fifths of the pages (and at least 0.5–1.5 s apart), so every fault happens
  // whatever the machine's speed and two fifths of the run are left to show the recovery.
  while (faults.sigkill < o.kills && !finished()) {
    const n = faults.sigkill + faults.sigstop;
    await sleep(500 + rand() * 1_000);
    while (pagesDone() < totalPages * (0.2 + (0.4 * n) / (o.kills + 1)) && !finished()) await sleep(100);
    if (finished()) break;
    // Not the worker hoarding memory: the pool's own limit is what must stop that one.
    const hogs = existsSync(hogPids) ? readFileSync(hogPids, 'utf8').split('\n').map(Number) : [];
    const live = myWorkers().filter((w) => w.state !== 'T' && !hogs.includes(w.pid));
    if (live.length === 0) continue;
    const victim = live[Math.floor(rand() * live.length)];
    // The hang comes early, while there is work left to hand the stopped worker (an idle stopped
    // worker harms nothing until it is given a task; then the task's time-out finds it).
    if (faults.sigkill === 1 && faults.sigstop === 0) {
      process.kill(victim.pid, 'SIGSTOP');
      faults.sigstop++;
      lastFaultAt = Date.now();
      o.log(`SIGSTOP worker ${victim.pid}`);
      continue;
    }
    process.kill(victim.pid, 'SIGKILL');
    faults.sigkill++;
    lastFaultAt = Date.now();
    o.log(`SIGKILL worker ${victim.pid} (${pagesDone()} pages done)`);
  }
  // The hang ends when the page time-out kills the stopped worker; the memory hog when the pool sees it.
  const stoppedGone = Date.now() + Math.max(o.pageTimeoutMs, 20_000) + 10_000;
  while (myWorkers().some((w) => w.state === 'T') && Date.now() < stoppedGone) await sleep(200);
  if (myWorkers().some((w) => w.state === 'T')) problems.push('the stopped (hung) worker was never replaced');
  const faultEnd = Date.now();
  // Replacements come at once for a worker that was working, after a back-off (up to 10 s) for one
  // killed while it was still starting: wait for the pool to be whole again.
  const alive = (): number => myWorkers().filter((w) => w.state !== 'T' && w.state !== 'Z').length;
  while (alive() < o.jobs && Date.now() - faultEnd < 30_000 && !finished()) await sleep(200);
  const workersAfterFaults = alive();
  const recoverySeconds = Math.round((Date.now() - faultEnd) / 100) / 10;
  if (workersAfterFaults !== o.jobs && !finished())
    problems.push(`${workersAfterFaults} worker(s) alive 30 s after the faults, expected ${o.jobs}`);

  // Phase 3: the rest of the run, no faults.
  const deadline = Date.now() + 30 * 60_000;
  while (!finished() && Date.now() < deadline) await sleep(250);
  if (!finished()) problems.push('the run did not finish within 30 minutes');
  const end = Date.now();

  const pages = engine.db
    .prepare(
      `SELECT d.path, p.page_no, p.state, p.attempts, p.error_code, p.error_message, p.finished_at
       FROM pages p JOIN documents d ON d.id = p.doc_id`,
    )
    .all() as {
    path: string;
    page_no: number;
    state: string;
    attempts: number;
    error_code: string | null;
    error_message: string | null;
    finished_at: number | null;
  }[];
  const docs = engine.read.documents(ids);
  await engine.stop();
  delete process.env.FAULT_HOG_PIDS;

  const leftovers = await waitUntilGone(
    () => descendants(process.pid).filter((p) => isWorker(p) || isHelper(p)),
    10_000,
  );
  if (leftovers.length > 0)
    problems.push(
      `${leftovers.length} worker process(es) left after stop: ${leftovers.map((l) => l.pid).join(', ')}`,
    );

  // ── Checks ───────────────────────────────────────────────────────────────────
  const failures = pages
    .filter((p) => p.state === 'failed')
    .map((p) => ({
      doc: basename(p.path),
      page: p.page_no,
      code: p.error_code ?? '',
      message: p.error_message ?? '',
    }));
  for (const p of pages) {
    if (p.state !== 'done' && p.state !== 'failed')
      problems.push(`${basename(p.path)} page ${p.page_no} is left ${p.state}`);
  }
  for (const f of failures) {
    if (!f.message) problems.push(`${f.doc} page ${f.page} failed without a reason`);
    if (f.doc === oomName) {
      faults.outOfMemory++;
      if (f.code !== 'TOO_LARGE' || !/memory/.test(f.message))
        problems.push(`the out-of-memory page failed as ${f.code}: ${f.message}`);
    } else if (!/tried 3 times/.test(f.message)) {
      // A page may be unlucky and be killed on every attempt; anything else is a bug.
      problems.push(`${f.doc} page ${f.page} failed before its attempts were used: ${f.code} ${f.message}`);
    }
  }
  if (faults.outOfMemory !== 1) problems.push('the out-of-memory page did not fail with its reason');
  for (const d of docs) {
    if (!['done', 'done-with-errors', 'failed'].includes(d.state))
      problems.push(`${basename(d.path)} ended ${d.state}`);
    for (const f of d.outputs)
      if (!existsSync(f)) problems.push(`${basename(d.path)}: output ${f} is missing`);
  }
  const rate = (from: number, to: number): number => {
    const n = pages.filter(
      (p) => p.state === 'done' && p.finished_at !== null && p.finished_at >= from && p.finished_at < to,
    ).length;
    return to > from ? Math.round((n / ((to - from) / 60_000)) * 10) / 10 : 0;
  };
  const report: WorkerFaultReport = {
    seed: o.seed,
    pages: {
      total: pages.length,
      done: pages.filter((p) => p.state === 'done').length,
      failed: failures.length,
    },
    faults,
    failures,
    pagesPerMinute: {
      beforeFaults: rate(t0, faultStart),
      duringFaults: rate(faultStart, faultEnd),
      afterFaults: rate(faultEnd, end),
    },
    // Pages finished after the last kill or stop. Not `afterFaults`: that window opens only once a
    // hung worker is gone, which can be after the last page when the stop caught a worker still
    // starting (its start time-out, 60 s, outlasts a fast run).
    pagesAfterLastFault: pages.filter((p) => p.state === 'done' && (p.finished_at ?? 0) >= lastFaultAt)
      .length,
    workersAfterFaults,
    recoverySeconds,
    leakedProcesses: leftovers.length,
    wallSeconds: Math.round((end - t0) / 100) / 10,
    problems,
    workDir: work,
  };
  if (!o.keep && problems.length === 0) rmSync(work, { recursive: true, force: true });
  else writeFileSync(join(work, 'worker-faults-report.json'), JSON.stringify(report, null, 2));
  return report;
}

export function formatWorkerFaultReport(r: WorkerFaultReport): string {
  return [
    `worker faults (seed ${r.seed}): ${r.faults.sigkill} SIGKILL, ${r.faults.sigstop} SIGSTOP (hang), ${r.faults.outOfMemory} out of memory; wall ${r.wallSeconds} s`,
    `  pages: ${r.pages.total} (${r.pages.done} done, ${r.pages.failed} failed with a reason)`,
    ...r.failures.map((f) => `    ${f.doc} p${f.page}: ${f.code} ${f.message}`),
    `  pages/min: ${r.pagesPerMinute.beforeFaults} before the faults, ${r.pagesPerMinute.duringFaults} during, ${r.pagesPerMinute.afterFaults} after; ${r.pagesAfterLastFault} pages done after the last fault was sent`,
    `  workers after the faults: ${r.workersAfterFaults} (whole again ${r.recoverySeconds} s after the last); processes left at exit: ${r.leakedProcesses}`,
    r.problems.length === 0
      ? '  all checks passed'
      : `  PROBLEMS:\n${r.problems.map((p) => `    - ${p}`).join('\n')}\n  work folder: ${r.workDir}`,
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseOrExplain(USAGE, () =>
    parseArgs({
      options: {
        pages: { type: 'string', default: '500' },
        kills: { type: 'string', default: '20' },
        seed: { type: 'string' },
        keep: { type: 'boolean', default: false },
      },
    }),
  );
  const report = await runWorkerFaults({
    pages: Number(values.pages),
    kills: Number(values.kills),
    keep: values.keep,
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stdout.write(formatWorkerFaultReport(report) + '\n');
  process.exitCode = report.problems.length === 0 ? 0 : 1;
}
