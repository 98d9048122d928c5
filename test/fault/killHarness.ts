/**
 * Promise 1 of issue 6, "kill at any moment, lose nothing": runs `bulk-ocr run` (or `bulk-ocr
 * serve`, fed through its WebSocket API) over a corpus, SIGKILLs the whole process group (engine
 * and workers) at random moments, restarts it, and at the end checks what a user would check:
 *
 * - every good document is done, every bad one failed with a reason, none is left `running`;
 * - no page finished before a kill was recognised again (its row is unchanged: same result, same
 *   finish time, same attempt count), so pages lost = 0;
 * - every output is complete (byte-identical to a clean run's, PDFs have the right page count) and
 *   there once (no temporary or extra file in the output folder);
 * - no worker outlives a kill; the database passes `PRAGMA integrity_check`.
 *
 * Used by test/fault/kill.test.ts (short) and runnable by hand:
 *   node test/fault/killHarness.ts [--mode cli|serve] [--kills 20] [--docs 140] [--seed N] [--keep]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { buildFaultCorpus, type FaultCorpusSpec } from './corpus.ts';
import { groupMembers, killGroup, waitUntilGone } from './processes.ts';
import {
  integrityCheck,
  readDocuments,
  readPages,
  unfinished,
  workInFlight,
  type PageSnapshot,
} from './queueDb.ts';
import { seededRandom } from '../helpers/seededRandom.ts';
import { parseOrExplain } from '../helpers/scriptArgs.ts';

const USAGE = `
Usage: node test/fault/killHarness.ts [--mode cli|serve] [--kills 20] [--docs 140] [--seed N] [--dpi 100] [--keep]

SIGKILLs bulk-ocr run (or serve) at random moments, restarts it, and checks that every document is
done once, no page is lost, no output is partial or doubled and the database is intact. --keep
leaves the work folder; --seed replays a run.
`;

const REPO = resolve(import.meta.dirname, '../..');
const BIN = join(REPO, 'bin/bulk-ocr.js');
/** Every output format: each must come out complete and byte-identical to the clean run's. */
const FORMATS = ['txt', 'pdf', 'alto', 'hocr'] as const;

export interface KillHarnessOptions {
  mode: 'cli' | 'serve';
  /** Kills to make; the corpus must be big enough that the run is not over before. */
  kills: number;
  /** A kill comes a random time after each start, between these (ms). */
  minGapMs: number;
  maxGapMs: number;
  /** What to run over: generated born-digital and image pages, a few scans, the bad files. */
  corpus: FaultCorpusSpec;
  dpi: number;
  jobs: number;
  seed: number;
  /** Keep the work folder (its path is in the report). */
  keep: boolean;
  log: (line: string) => void;
}

export interface KillReport {
  mode: 'cli' | 'serve';
  seed: number;
  kills: number;
  /** Kills that landed while workers were up (the rest hit a process still starting). */
  killsWithWorkers: number;
  documents: { total: number; done: number; failed: number };
  /**
   * lost: pages done before a kill and not done (or changed) after; redone: recognitions a kill cut
   * short (pages found `running` in the database right after a kill), which run again.
   */
  pages: { total: number; lost: number; redone: number };
  wallSeconds: number;
  cleanRunSeconds: number;
  /** Empty when every promise held; otherwise what broke, in words. */
  problems: string[];
  workDir: string;
}

export const defaultKillOptions: KillHarnessOptions = {
  mode: 'cli',
  kills: 20,
  minGapMs: 300,
  maxGapMs: 3_000,
  corpus: {
    scanned: ['s01-letter.pdf', 's08-image-png.png', 's11-mixed-3p.pdf'],
    generated: 140,
    imageEvery: 8,
  },
  dpi: 100,
  jobs: 2,
  seed: Date.now() % 1_000_000,
  keep: false,
  log: () => {},
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A started engine process of either mode. */
interface Started {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  /** Resolves when the whole queue is finished (serve mode asks over the API; cli mode exits). */
  finished: Promise<void>;
}

function startCli(input: string, out: string, db: string, o: KillHarnessOptions): Started {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      input,
      '--out',
      out,
      '--db',
      db,
      '--dpi',
      String(o.dpi),
      '--jobs',
      String(o.jobs),
      '--format',
      FORMATS.join(','),
    ],
    // Its own process group: one kill(-pgid) takes the engine and every worker it forked.
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  return { child, exited, output: () => output, finished: exited.then(() => undefined) };
}

/** Calls one API method over the served WebSocket. */
function wsCall(ws: WebSocket, id: number, method: string, args: unknown[]): Promise<unknown> {
  return new Promise((ok, fail) => {
    const onMessage = (data: Buffer): void => {
      const frame = JSON.parse(data.toString('utf8')) as {
        id?: number;
        result?: { ok: boolean; value?: unknown; error?: unknown };
      };
      if (frame.id !== id) return;
      ws.off('message', onMessage);
      if (frame.result?.ok) ok(frame.result.value);
      else fail(new Error(`${method}: ${JSON.stringify(frame.result?.error)}`));
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, args }));
  });
}

const TOKEN = 'kill-harness-token';

function startServe(input: string, out: string, db: string, o: KillHarnessOptions): Started {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--jobs', String(o.jobs)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: REPO,
    env: { ...process.env, BULK_OCR_TOKEN: TOKEN, BULK_OCR_DATA_DIR: join(db, '..') },
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  const finished = new Promise<void>((done, fail) => {
    child.stdout?.on('data', (d: Buffer) => {
      const before = output;
      output += d.toString();
      const m = /http:\/\/([\d.]+:\d+)\//.exec(output);
      if (!m || /http:\/\/([\d.]+:\d+)\//.test(before)) return;
      void drive(m[1]).then(done, fail);
    });
    void exited.then(() => fail(new Error('serve exited')));
  });
  // Not every start gets far enough to be driven: a kill ends it first. That is the point.
  finished.catch(() => undefined);

  /** Sets the output settings, adds the folder (again: adding is idempotent) and waits for the queue to drain. */
  async function drive(hostPort: string): Promise<void> {
    const ws = new WebSocket(`ws://${hostPort}/api?token=${TOKEN}`);
    await new Promise((ok, fail) => {
      ws.once('open', ok);
      ws.once('error', fail);
    });
    try {
      let id = 1;
      await wsCall(ws, id++, 'settings.set', [{ outDir: out, dpi: o.dpi, formats: [...FORMATS] }]);
      await wsCall(ws, id++, 'queue.add', [{ paths: [input] }]);
      for (;;) {
        const counts = (await wsCall(ws, id++, 'queue.counts', [])) as {
          documents: Record<string, number> & { total: number };
        };
        const d = counts.documents;
        const terminal = d.done + d['done-with-errors'] + d.failed + d.cancelled;
        if (d.total > 0 && terminal === d.total) return;
        await sleep(250);
      }
    } finally {
      ws.terminate();
    }
  }
  return { child, exited, output: () => output, finished };
}

/** Output files by name, with their bytes. */
function outputsOf(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  if (!existsSync(dir)) return files;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile())
      files.set(join(e.parentPath, e.name).slice(dir.length + 1), readFileSync(join(e.parentPath, e.name)));
  }
  return files;
}

function pdfPageCount(file: string): number | null {
  const r = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  const m = /^Pages:\s+(\d+)/m.exec(r.stdout);
  return r.status === 0 && m ? Number(m[1]) : null;
}

/** Runs one uninterrupted `bulk-ocr run` of the same corpus: the reference outputs. */
function cleanRun(input: string, work: string, o: KillHarnessOptions): { out: string; seconds: number } {
  const out = join(work, 'clean-out');
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'run',
      input,
      '--out',
      out,
      '--db',
      join(work, 'clean.db'),
      '--dpi',
      String(o.dpi),
      '--jobs',
      String(o.jobs),
      '--format',
      FORMATS.join(','),
    ],
    { encoding: 'utf8', cwd: REPO, timeout: 600_000 },
  );
  if (r.status !== 0 && r.status !== 1) throw new Error(`the clean run failed (${r.status}): ${r.stderr}`);
  return { out, seconds: (Date.now() - t0) / 1000 };
}

export async function runKillHarness(partial: Partial<KillHarnessOptions> = {}): Promise<KillReport> {
  const o = { ...defaultKillOptions, ...partial };
  const rand = seededRandom(o.seed);
  const work = mkdtempSync(join(tmpdir(), `bulk-ocr-kill-${o.mode}-`));
  const input = join(work, 'in');
  const out = join(work, 'out');
  const db = join(work, 'queue.db');
  const { goodPages, bad } = await buildFaultCorpus(input, o.corpus);
  const problems: string[] = [];
  const t0 = Date.now();

  const clean = cleanRun(input, work, o);
  o.log(`clean run: ${clean.seconds.toFixed(1)} s`);

  const start = (): Started =>
    o.mode === 'cli' ? startCli(input, out, db, o) : startServe(input, out, db, o);
  /** Done pages seen so far; each must stay exactly as it was. */
  const done = new Map<number, PageSnapshot>();
  const checkDonePages = (pages: PageSnapshot[], when: string): void => {
    const byId = new Map(pages.map((p) => [p.id, p]));
    for (const [id, before] of done) {
      const now = byId.get(id);
      if (
        !now ||
        now.state !== 'done' ||
        now.resultHash !== before.resultHash ||
        now.finishedAt !== before.finishedAt ||
        now.attempts !== before.attempts
      )
        problems.push(
          `${when}: page ${before.pageNo} of ${basename(before.doc)} was done and then ${now ? `became ${now.state} (attempts ${before.attempts} → ${now.attempts})` : 'vanished'}`,
        );
    }
    for (const p of pages) if (p.state === 'done' && !done.has(p.id)) done.set(p.id, p);
  };

  let kills = 0;
  let killsWithWorkers = 0;
  let redone = 0;
  let finishedEarly = false;
  while (kills < o.kills) {
    const run = start();
    const gap = o.minGapMs + rand() * (o.maxGapMs - o.minGapMs);
    // A start takes a second or two before its workers have Tesseract loaded. One kill in four
    // counts its delay from the start (it lands in start-up, recovery or the folder walk); the
    // others from the moment work is in flight, so they land in recognition, export and commits.
    const fromStart = rand() < 0.25;
    const ended = await Promise.race([
      run.finished.then(
        () => 'finished' as const,
        () => 'exited' as const,
      ),
      (fromStart ? Promise.resolve() : untilBusy(db, run)).then(() => sleep(gap)).then(() => 'gap' as const),
    ]);
    if (ended === 'finished') {
      finishedEarly = true;
      await stopGracefully(run);
      break;
    }
    const pgid = run.child.pid!;
    const members = groupMembers(pgid);
    if (members.some((m) => m.pid !== pgid)) killsWithWorkers++;
    killGroup(pgid);
    const { signal } = await run.exited;
    kills++;
    if (signal !== 'SIGKILL' && ended !== 'exited')
      problems.push(`kill ${kills}: the engine ended with ${signal} instead of SIGKILL`);
    if (ended === 'exited')
      problems.push(
        `start ${kills}: the engine exited on its own before the kill: ${run.output().slice(-500)}`,
      );
    const survivors = await waitUntilGone(() => groupMembers(pgid), 5_000);
    if (survivors.length > 0)
      problems.push(
        `kill ${kills}: ${survivors.length} process(es) survived: ${survivors.map((s) => s.cmdline).join('; ')}`,
      );
    if (existsSync(db)) {
      const now = readPages(db);
      redone += now.filter((p) => p.state === 'running').length;
      checkDonePages(now, `after kill ${kills}`);
    }
    o.log(`kill ${kills} after ${Math.round(gap)} ms: ${done.size} page(s) done so far`);
  }

  // The last start runs to the end.
  if (!finishedEarly) {
    const run = start();
    await run.finished.catch((e: unknown) =>
      problems.push(`the final run did not finish: ${(e as Error).message} ${run.output().slice(-500)}`),
    );
    await stopGracefully(run);
    const code = (await run.exited).code;
    if (o.mode === 'cli' && code !== 1 && code !== 0)
      problems.push(`the final run exited with ${code}: ${run.output().slice(-500)}`);
    const leftovers = await waitUntilGone(() => groupMembers(run.child.pid!), 5_000);
    if (leftovers.length > 0) problems.push(`after the final run ${leftovers.length} process(es) were left`);
  }

  // ── The checks ─────────────────────────────────────────────────────────────
  const pages = readPages(db);
  checkDonePages(pages, 'at the end');
  const docs = readDocuments(db);
  const integrity = integrityCheck(db);
  if (integrity !== 'ok') problems.push(`PRAGMA integrity_check: ${integrity}`);
  for (const d of unfinished(docs)) problems.push(`${basename(d.path)} is left ${d.state}`);
  const stemOf = (name: string): string => basename(name, extname(name));
  for (const d of docs) {
    const name = basename(d.path);
    if (bad.includes(name)) {
      if (d.state !== 'failed' || !d.errorMessage)
        problems.push(`${name} (bad input) ended ${d.state} without a reason`);
    } else if (d.state !== 'done') {
      problems.push(`${name} ended ${d.state}: ${d.errorMessage ?? ''}`);
    } else if (d.pageCount !== goodPages.get(name)) {
      problems.push(`${name} has ${d.pageCount} pages, expected ${goodPages.get(name)}`);
    }
  }
  const got = outputsOf(out);
  const want = outputsOf(clean.out);
  for (const [name, bytes] of want) {
    const mine = got.get(name);
    if (!mine) problems.push(`output ${name} is missing`);
    else if (!mine.equals(bytes))
      problems.push(`output ${name} differs from the clean run's (${mine.length} vs ${bytes.length} bytes)`);
    if (name.endsWith('.pdf') && mine) {
      const source = [...goodPages.keys()].find((g) => stemOf(g) === stemOf(name));
      const n = pdfPageCount(join(out, name));
      if (source && n !== goodPages.get(source))
        problems.push(`${name}: pdfinfo reads ${n} pages, expected ${goodPages.get(source)}`);
    }
  }
  for (const name of got.keys())
    if (!want.has(name)) problems.push(`unexpected file in the output folder: ${name}`);

  const goodPageIds = pages.filter((p) => goodPages.has(basename(p.doc)));
  const report: KillReport = {
    mode: o.mode,
    seed: o.seed,
    kills,
    killsWithWorkers,
    documents: {
      total: docs.length,
      done: docs.filter((d) => d.state === 'done').length,
      failed: docs.filter((d) => d.state === 'failed').length,
    },
    pages: {
      total: goodPageIds.length,
      lost: problems.filter((p) => /was done and then/.test(p)).length,
      redone,
    },
    wallSeconds: Math.round((Date.now() - t0) / 100) / 10,
    cleanRunSeconds: Math.round(clean.seconds * 10) / 10,
    problems,
    workDir: work,
  };
  if (finishedEarly)
    problems.push(
      `the run finished after ${kills} kill(s), before the ${o.kills} asked for: use a bigger corpus (--docs)`,
    );
  if (!o.keep && problems.length === 0) rmSync(work, { recursive: true, force: true });
  else writeFileSync(join(work, 'kill-report.json'), JSON.stringify(report, null, 2));
  return report;
}

/** Resolves once a task is leased (or the process is gone). */
async function untilBusy(db: string, run: Started): Promise<void> {
  while (run.child.exitCode === null && run.child.signalCode === null && !workInFlight(db)) await sleep(50);
}

/** Ends a start that is still running in the orderly way (serve keeps running once its queue is done). */
async function stopGracefully(run: Started): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
  await run.exited;
}

export function formatKillReport(r: KillReport): string {
  return [
    `kill harness (${r.mode}, seed ${r.seed}): ${r.kills} kills (${r.killsWithWorkers} with workers running), wall ${r.wallSeconds} s (clean run ${r.cleanRunSeconds} s)`,
    `  documents: ${r.documents.total} (${r.documents.done} done, ${r.documents.failed} failed as expected bad inputs)`,
    `  pages: ${r.pages.total}, lost ${r.pages.lost}, redone ${r.pages.redone} (recognitions cut short by a kill)`,
    r.problems.length === 0
      ? '  all checks passed'
      : `  PROBLEMS:\n${r.problems.map((p) => `    - ${p}`).join('\n')}\n  work folder: ${r.workDir}`,
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseOrExplain(USAGE, () =>
    parseArgs({
      options: {
        mode: { type: 'string', default: 'cli' },
        kills: { type: 'string', default: '20' },
        docs: { type: 'string', default: '140' },
        seed: { type: 'string' },
        dpi: { type: 'string', default: '100' },
        keep: { type: 'boolean', default: false },
      },
    }),
  );
  const report = await runKillHarness({
    mode: values.mode === 'serve' ? 'serve' : 'cli',
    kills: Number(values.kills),
    corpus: { ...defaultKillOptions.corpus, generated: Number(values.docs) },
    dpi: Number(values.dpi),
    keep: values.keep,
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stdout.write(formatKillReport(report) + '\n');
  process.exitCode = report.problems.length === 0 ? 0 : 1;
}
