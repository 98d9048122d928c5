import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { WorkerNode, type NodeEvent } from '../cluster/node.ts';
import { parsePathMap } from '../cluster/pathMap.ts';
import { ClusterError, parseRedisUrl, redactRedisUrl } from '../cluster/redisConnection.ts';
import { forkSpawner } from '../engine/spawnNode.ts';
import { appVersion } from './diagnostics.ts';
import { formatDuration } from './progress.ts';
import { createStatusLine } from './statusLine.ts';
import { UsageError } from './options.ts';
import { count } from '../../shared/words.ts';

export interface WorkerArgs {
  redis: string;
  jobs: number;
  name?: string;
  cacheDir?: string;
  cacheMb: number;
  pathMap: string[];
  ca?: string;
  excludeAfter?: number;
  probationSeconds?: number;
}

/** Where a node keeps its copies of documents unless told otherwise. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BULK_OCR_DATA_DIR) return path.join(env.BULK_OCR_DATA_DIR, 'node-cache');
  return path.join(env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'bulk-ocr', 'documents');
}

export function parseCacheMb(value: string | undefined): number {
  if (value === undefined) return 2_048;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 10)
    throw new UsageError(`--cache-mb must be a whole number of at least 10, not "${value}"`);
  return n;
}

/**
 * `bulk-ocr worker --redis URL`: a worker node until Ctrl-C / SIGTERM. Exit codes: 0 stopped,
 * 1 OCR cannot run on this machine, 2 a bad URL, Redis unreachable or refusing the password, or a
 * coordinator of another version.
 */
export async function workerCommand(args: WorkerArgs): Promise<number> {
  const err = process.stderr;
  let pathMap;
  try {
    parseRedisUrl(args.redis);
    pathMap = parsePathMap(args.pathMap);
  } catch (error) {
    if (error instanceof ClusterError) throw new UsageError(error.message);
    throw error;
  }
  let ca: Buffer | undefined;
  if (args.ca) {
    try {
      ca = readFileSync(args.ca);
    } catch (error) {
      throw new UsageError(`--ca: cannot read ${args.ca}: ${(error as Error).message}`);
    }
  }
  const line = createStatusLine(err);
  const stamp = (): string => new Date().toTimeString().slice(0, 8);
  const say = (text: string): void => line.log(`${stamp()} ${text}`);
  const node = new WorkerNode({
    redisUrl: args.redis,
    jobs: args.jobs,
    ...(args.name ? { name: args.name } : {}),
    cacheDir: args.cacheDir ?? defaultCacheDir(),
    cacheBytes: args.cacheMb * 2 ** 20,
    pathMap,
    spawn: forkSpawner(),
    version: appVersion(),
    ...(ca ? { ca } : {}),
    ...(args.excludeAfter ? { excludeAfter: args.excludeAfter } : {}),
    ...(args.probationSeconds ? { probationMs: args.probationSeconds * 1000 } : {}),
    onEvent: (e) => say(describe(e)),
  });

  let stopping: 'finish' | 'hand-back' | null = null;
  let done: (code: number) => void = () => {};
  const finished = new Promise<number>((r) => (done = r));
  const stop = (mode: 'finish' | 'hand-back', code: number): void => {
    stopping = mode;
    void node.stop(mode).then(
      () => done(code),
      () => done(code),
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping === 'hand-back') process.exit(130);
    if (stopping === 'finish') {
      say('Handing the pages in progress back to the queue…');
      stop('hand-back', 0);
      return;
    }
    say(
      signal === 'SIGTERM'
        ? 'Stopping: finishing the pages in progress (another SIGTERM hands them back)…'
        : 'Stopping: finishing the pages in progress (Ctrl-C again hands them back to the queue)…',
    );
    stop('finish', 0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await node.start();
  } catch (error) {
    line.finish();
    await node.stop('hand-back').catch(() => undefined);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (error instanceof ClusterError) {
      err.write(`bulk-ocr worker: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  node.whenFatal((e) => {
    say(`cannot run OCR on this machine: ${e.message}`);
    if (!stopping) stop('hand-back', 1);
  });
  say(
    `Node ${node.name} (${node.id}) working for ${redactRedisUrl(args.redis)} with ${args.jobs} OCR worker process${args.jobs === 1 ? '' : 'es'}; Ctrl-C to stop.`,
  );
  const started = Date.now();
  const ticker = setInterval(() => {
    const s = node.stats;
    line.update(
      `${count(s.pagesDone, 'page')} done, ${s.pagesFailed} failed, ${s.handedBack} handed back · up ${formatDuration((Date.now() - started) / 1000)}`,
    );
  }, 1_000);
  const code = await finished;
  clearInterval(ticker);
  line.finish();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  say(`Stopped after ${count(node.stats.pagesDone, 'page')}.`);
  return code;
}

function describe(e: NodeEvent): string {
  switch (e.type) {
    case 'page':
      return e.ok
        ? `done    ${e.path} page ${e.pageNo} (${(e.ms / 1000).toFixed(1)} s${e.via === 'download' ? ', fetched' : ''})`
        : `failed  ${e.path} page ${e.pageNo}: ${e.error?.message ?? 'unknown reason'}`;
    case 'handed-back':
      return `back    ${e.path} page ${e.pageNo} returned to the queue: ${e.reason}`;
    case 'state':
      return e.state === 'excluded'
        ? `EXCLUDED: this node stops taking pages for a while: ${e.reason}`
        : e.state === 'refused'
          ? `REFUSED: ${e.reason}`
          : e.state === 'waiting'
            ? `waiting: ${e.reason}`
            : 'taking pages again';
    case 'connection':
      return e.message;
  }
}
