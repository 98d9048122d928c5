import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { startBulkOcr, startNodeProcess, type NodeProcess } from './clusterNode.ts';
import { CORPUS, tempDir } from './engineRun.ts';
import { logPathFor } from '../../src/main/engine/log/logger.ts';

/** What the cluster tests share: the corpus, a local reference run, outputs compared byte for byte. */
export const SYNTHETIC = path.join(CORPUS, 'synthetic');

/** Every file under `dir`, as paths relative to it, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** The names of the files that differ (or are missing) between two output folders; [] when identical. */
export function differences(expected: string, actual: string, only?: (rel: string) => boolean): string[] {
  const want = listFiles(expected).filter((f) => !only || only(f));
  const got = listFiles(actual).filter((f) => !only || only(f));
  const diff = want.filter(
    (f) =>
      !got.includes(f) || !readFileSync(path.join(expected, f)).equals(readFileSync(path.join(actual, f))),
  );
  return [...diff, ...got.filter((f) => !want.includes(f)).map((f) => `${f} (unexpected)`)];
}

/** A folder holding copies of some corpus files (so a run's outputs mirror only them). */
export function corpusSubset(names: string[]): string {
  const dir = path.join(tempDir('subset'), 'in');
  mkdirSync(dir, { recursive: true });
  for (const n of names) cpSync(path.join(SYNTHETIC, n), path.join(dir, n));
  return dir;
}

/** Events of the coordinator's log (FILE.log beside its database FILE). */
export function logEvents(dbPath: string): { event: string; [k: string]: unknown }[] {
  // The coordinator runs with its queue's folder as its data folder (startCoordinator), so its
  // log is that folder's logs/bulk-ocr.log, not the `QUEUE.log` of a queue elsewhere.
  const file = logPathFor(dbPath, path.dirname(dbPath));
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event: string });
}

/** How many times each page (`docId:pageNo`) was handed to the scheduler as done; every value should be 1. */
export function pagesDoneCounts(dbPath: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of logEvents(dbPath)) {
    if (e.event !== 'page.done') continue;
    const key = `${e.docId as number}:${e.pageNo as number}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export interface Coordinator {
  proc: NodeProcess;
  dbPath: string;
  out: string;
}

/** `bulk-ocr run IN --out OUT --redis URL --jobs 0` as a process. */
export function startCoordinator(
  input: string,
  redisUrl: string,
  extra: string[] = [],
  reuse?: { dbPath: string; out: string },
): Coordinator {
  const dir = reuse ? null : tempDir('coordinator');
  const dbPath = reuse?.dbPath ?? path.join(dir!, 'queue.db');
  const out = reuse?.out ?? path.join(dir!, 'out');
  const proc = startBulkOcr(
    [
      'run',
      input,
      '--out',
      out,
      '--db',
      dbPath,
      '--redis',
      redisUrl,
      '--jobs',
      '0',
      '--cluster-port',
      '0',
      '--node-timeout',
      '4',
      ...extra,
    ],
    { BULK_OCR_DATA_DIR: path.dirname(dbPath) },
  );
  return { proc, dbPath, out };
}

/** `bulk-ocr worker` with its own cache folder and one OCR process (or `jobs`). */
export function startNode(redisUrl: string, name: string, extra: string[] = [], jobs = 1): NodeProcess {
  return startNodeProcess([
    '--redis',
    redisUrl,
    '--jobs',
    String(jobs),
    '--name',
    name,
    '--cache-dir',
    path.join(tempDir(`cache-${name}`), 'c'),
    ...extra,
  ]);
}

/** Pages a node printed as done. */
export function nodePages(node: NodeProcess): number {
  return (node.output().match(/^\S+ done +/gm) ?? []).length;
}
