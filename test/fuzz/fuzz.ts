/**
 * `npm run test:fuzz [-- --minutes M --cases N --seed S --jobs J]`: mutated corpus PDFs through the
 * real probe and page path (pdf.js parse, text layer, render), in worker processes run by the real
 * Pool, with its time and memory limits. Stops at N cases or M minutes, whichever comes first
 * (default 3,000 cases / 10 minutes), and reports cases, crashes, hangs and the outcomes.
 *
 * Crash: a worker process died (WORKER_CRASHED) or a case ended in an error nobody classified
 * (INTERNAL). Hang: a case ran past its time limit (TIMEOUT). Both must be 0; their inputs are kept
 * in the findings folder printed at the end, to reproduce with `node … fuzzOne.ts FILE`.
 * Exit code 1 when any crash or hang was found.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from '../../src/main/engine/pool.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import type { ErrorInfo } from '../../src/shared/model.ts';
import { writeHostileFiles } from '../helpers/hostileFiles.ts';
import { seededRandom } from '../helpers/seededRandom.ts';
import { MUTATION_KINDS, mutate, type MutationKind } from './mutate.ts';
import { parseOrExplain } from '../helpers/scriptArgs.ts';

const USAGE = `
Usage: npm run test:fuzz -- [--minutes 10] [--cases 3000] [--seed S] [--jobs 2] [--timeout 30] [--dump FROM-TO]

Mutated corpus PDFs through the real probe and page path in worker processes, until --cases or
--minutes is reached. Reports cases, crashes and hangs (both must be 0) and the outcomes; the
inputs of any finding are kept, to replay with test/fuzz/fuzzOne.ts FILE. --timeout is seconds per
case; --dump writes cases FROM-TO of --seed into a folder instead of running them.
`;

const { values } = parseOrExplain(USAGE, () =>
  parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      cases: { type: 'string', default: '3000' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      jobs: { type: 'string', default: '2' },
      timeout: { type: 'string', default: '30' },
      /** Writes cases FROM-TO of this seed into a folder instead of running them (to replay a finding). */
      dump: { type: 'string' },
    },
  }),
);
const minutes = Number(values.minutes);
const maxCases = Number(values.cases);
const seed = Number(values.seed);
const jobs = Number(values.jobs);
const timeoutMs = Number(values.timeout) * 1000;

const corpus = resolve(import.meta.dirname, '../../../shared/corpus');
const work = mkdtempSync(join(tmpdir(), 'bulk-ocr-fuzz-'));
const findings = join(work, 'findings');
mkdirSync(findings);

/** Seeds: every corpus PDF under 1 MB except the one that only times out at full size, plus the generated hostile PDFs. */
function seeds(): { name: string; bytes: Uint8Array }[] {
  const list: { name: string; bytes: Uint8Array }[] = [];
  for (const sub of ['real', 'synthetic', 'bad']) {
    const dir = join(corpus, sub);
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!f.endsWith('.pdf')) continue;
      const bytes = readFileSync(join(dir, f));
      if (bytes.length > 0 && bytes.length < 1024 * 1024) list.push({ name: `${sub}/${f}`, bytes });
    }
  }
  const hostileDir = join(work, 'hostile');
  for (const h of writeHostileFiles(hostileDir)) {
    if (!h.name.endsWith('.pdf') || h.name.includes('12000')) continue;
    list.push({ name: `hostile/${h.name}`, bytes: readFileSync(join(hostileDir, h.name)) });
  }
  return list;
}

interface CaseResult {
  outcome: string;
  ms: number;
}

async function main(): Promise<number> {
  const rnd = seededRandom(seed);
  const pool_ = seeds();
  const started = Date.now();
  const deadline = started + minutes * 60_000;
  const outcomes = new Map<string, number>();
  const byKind = new Map<MutationKind, number>();
  const problems: { file: string; seedName: string; kind: MutationKind; error: ErrorInfo }[] = [];
  let cases = 0;
  let slowest = 0;
  let idleWaiters: (() => void)[] = [];

  const pool = new Pool({
    size: jobs,
    spawn: forkSpawner(resolve(import.meta.dirname, 'fuzzWorker.entry.ts')),
    timeoutMs: { probe: timeoutMs, page: timeoutMs, export: timeoutMs, render: timeoutMs },
    maxWorkerRssBytes: 1.5 * 2 ** 30,
    recycleAfterTasks: 300,
    memoryPollMs: 250,
    onIdle: () => {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
    },
    onFatal: (e) => {
      console.error(`fuzz: workers cannot start: ${e.message}`);
      process.exit(2);
    },
  });
  pool.start();
  const idle = (): Promise<void> =>
    pool.idleCount > 0 ? Promise.resolve() : new Promise((ok) => idleWaiters.push(ok));

  const running = new Set<Promise<void>>();
  let lastReport = Date.now();
  const dump = values.dump ? values.dump.split('-').map(Number) : null;
  while (cases < maxCases && Date.now() < deadline) {
    if (!dump) await idle();
    if (!dump && pool.idleCount === 0) continue;
    const base = pool_[Math.floor(rnd() * pool_.length)];
    const other = pool_[Math.floor(rnd() * pool_.length)];
    const kind = MUTATION_KINDS[Math.floor(rnd() * MUTATION_KINDS.length)];
    let bytes = mutate(base.bytes, kind, rnd, other.bytes);
    if (rnd() < 0.3)
      bytes = mutate(bytes, MUTATION_KINDS[Math.floor(rnd() * MUTATION_KINDS.length)], rnd, other.bytes);
    const id = ++cases;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    const file = join(work, `case-${id}.pdf`);
    writeFileSync(file, bytes);
    if (dump) {
      if (id >= dump[1]) break;
      if (id < dump[0]) rmSync(file);
      continue;
    }
    const t0 = Date.now();
    const job = pool.run('probe', { path: file }).then((o) => {
      const r: CaseResult = { outcome: 'ok', ms: Date.now() - t0 };
      if (o.ok) {
        const v = o.value as unknown as { rendered: number; pageErrors: string[] };
        r.outcome = v.pageErrors.length === 0 ? 'ok' : `page ${v.pageErrors[0]}`;
        if (v.pageErrors.includes('INTERNAL'))
          problems.push({
            file,
            seedName: base.name,
            kind,
            error: { code: 'INTERNAL', message: 'page error' },
          });
      } else {
        r.outcome =
          o.error.code === 'TOO_LARGE' && /memory/.test(o.error.message) ? 'memory limit' : o.error.code;
        if (['WORKER_CRASHED', 'INTERNAL', 'TIMEOUT'].includes(o.error.code)) {
          problems.push({ file, seedName: base.name, kind, error: o.error });
        }
      }
      slowest = Math.max(slowest, r.ms);
      outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
      // Keep only the inputs worth a look.
      if (!problems.some((p) => p.file === file)) rmSync(file, { force: true });
      else writeFileSync(join(findings, `case-${id}-${kind}.pdf`), bytes);
    });
    running.add(job);
    void job.finally(() => running.delete(job));
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      process.stderr.write(
        `fuzz: ${cases} cases, ${problems.length} problems, ${Math.round((Date.now() - started) / 1000)} s\n`,
      );
    }
  }
  await Promise.all(running);
  await pool.close();
  if (dump) {
    console.log(`cases ${dump[0]}-${dump[1]} of seed ${seed} written to ${work}`);
    return 0;
  }

  const seconds = (Date.now() - started) / 1000;
  const crashes = problems.filter((p) => p.error.code === 'WORKER_CRASHED' || p.error.code === 'INTERNAL');
  const hangs = problems.filter((p) => p.error.code === 'TIMEOUT');
  const report = {
    seed,
    seeds: pool_.length,
    cases,
    seconds: Math.round(seconds),
    casesPerMinute: Math.round((cases / seconds) * 60),
    crashes: crashes.length,
    hangs: hangs.length,
    slowestCaseMs: slowest,
    mutations: Object.fromEntries(byKind),
    outcomes: Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])),
    problems: problems.map((p) => ({ ...p, file: p.file.replace(work, '<work>') })),
    findings: problems.length > 0 ? findings : null,
  };
  console.log(JSON.stringify(report, null, 2));
  console.log(
    `\nfuzz: ${cases} cases in ${Math.round(seconds)} s (seed ${seed}): ${crashes.length} crashes, ${hangs.length} hangs; ` +
      `outcomes: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`,
  );
  if (problems.length === 0) rmSync(work, { recursive: true, force: true });
  else console.log(`inputs of the problems: ${findings}`);
  return crashes.length + hangs.length > 0 ? 1 : 0;
}

process.exitCode = await main();
