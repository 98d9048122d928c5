import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createRouter } from '../api/router.ts';
import { limitsOf, workerCount } from '../engine/settings.ts';
import type { ClusterSettings } from '../engine/clusterControl.ts';
import { Engine } from '../engine/engine.ts';
import { forkSpawner } from '../engine/spawnNode.ts';
import { startServer } from '../server/server.ts';
import { newToken } from '../server/token.ts';
import { UsageError } from './options.ts';
import { count } from '../../shared/words.ts';
import { displayPath } from './display.ts';

export interface ServeArgs {
  host: string;
  port: number;
  dbPath: string;
  /** --jobs; null: the worker count from the settings (one per core unless changed there). */
  jobs: number | null;
  /** `--redis` and friends: coordinate worker nodes too. */
  cluster?: ClusterSettings;
  /** A fixed token (e.g. from BULK_OCR_TOKEN); default: a new random one each start. */
  token: string | null;
}

const repoRoot = resolve(import.meta.dirname, '../../..');
/** The renderer as `npm run build` (electron-vite) writes it. */
export const builtRendererDir = join(repoRoot, 'out/renderer');

/** Addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Parses --port: a whole number 0–65535 (0 = any free port). */
export function parsePort(value: string | undefined): number {
  if (value === undefined) return 7780;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, not "${value}"`);
  return n;
}

/**
 * `bulk-ocr serve`: the engine, the API over a WebSocket and the built renderer over HTTP, until
 * Ctrl-C. Resolves with the exit code once stopped.
 */
export async function serveCommand(args: ServeArgs): Promise<number> {
  // BULK_OCR_RENDERER_DIR: tests of the server's own behaviour serve a stand-in page without a build.
  const rendererDir = process.env.BULK_OCR_RENDERER_DIR || builtRendererDir;
  if (!existsSync(join(rendererDir, 'index.html')))
    throw new UsageError(
      `the browser UI is not built (${rendererDir} is missing). Build it once with "npm run build", then run serve again.`,
    );
  if (args.host !== 'localhost' && isIP(args.host) === 0)
    throw new UsageError(`--host must be an IP address or localhost, not "${args.host}"`);
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
    .version;

  const engine = new Engine({
    dbPath: args.dbPath,
    spawn: forkSpawner(),
    jobs: args.jobs ?? 1,
    // --redis, else the Redis of Settings → Cluster, if any.
    ...(args.cluster ? { cluster: args.cluster } : { clusterFromSettings: true }),
    version,
  });
  const settings = engine.read.settings();
  const jobs = args.jobs ?? workerCount(settings.workers);
  engine.setWorkers(jobs);
  engine.setLimits(limitsOf(settings)); // later changes: settings.set
  const router = createRouter({ engine, version });
  engine.events.on('fatal', (e) =>
    process.stderr.write(`bulk-ocr: the OCR workers cannot run: ${e.message}\n`),
  );
  let server;
  try {
    engine.start();
    engine.watch.start(); // the stored watched folders run here too
    server = await startServer({
      router,
      rendererDir,
      host: args.host,
      port: args.port,
      token: args.token ?? newToken(),
      inboxDir: join(dirname(resolve(args.dbPath)), 'inbox'),
    });
  } catch (error) {
    router.close();
    await engine.stop();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UsageError(`port ${args.port} is in use; pick another with --port (0 = any free port)`);
    throw error;
  }
  const out = process.stdout;
  out.write(
    `Bulk OCR ${version} is serving the queue ${displayPath(args.dbPath)} with ${count(jobs, 'worker')}.\n`,
  );
  out.write(`Open this URL in a browser (it holds the access token):\n\n    ${server.url}\n\n`);
  if (!isLoopback(args.host))
    process.stderr.write(
      `Warning: --host ${args.host} makes Bulk OCR reachable from other machines. Anyone who has the URL (it holds ` +
        `the access token) can queue any file this account can read and write outputs where it can write. ` +
        `Traffic is plain HTTP, so the token can be read on the network. Use it only on a network you trust.\n`,
    );
  out.write('Press Ctrl-C to stop.\n');

  const running = server;
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      out.write('Stopping…\n');
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await running.close();
  router.close();
  await engine.stop();
  return 0;
}
