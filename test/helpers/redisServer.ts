import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import path from 'node:path';

/**
 * A real `redis-server` (Debian's package) for one test: on a free port of 127.0.0.1, its data in
 * the test's own folder, AOF on (as docs/cluster.md tells operators to run it), so a test can kill
 * it and start it again on the same port and data and find the queue as it was.
 */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly pid: number | undefined;
  /** Kills the server at once (SIGKILL): what a power cut does to it. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data folder (after `kill` or `stop`). */
  restart(): Promise<void>;
  /** Stops it and waits for the process to be gone. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** `requirepass`: clients must AUTH with it. */
  password?: string;
  /** A port to use instead of a free one. */
  port?: number;
  /** TLS only (`rediss://`): the port speaks TLS with this certificate, and there is no plain port. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts redis-server with its data in `dir` (created) and waits until it answers. */
export async function startRedis(dir: string, opts: RedisServerOptions = {}): Promise<RedisServer> {
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (): Promise<void> => {
    const ports = opts.tls
      ? [
          ...['--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no'],
          ...['--tls-cert-file', opts.tls.certFile, '--tls-key-file', opts.tls.keyFile],
          ...['--tls-ca-cert-file', opts.tls.caFile],
        ]
      : ['--port', String(port)];
    const args = [
      ...ports,
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
      '--logfile',
      path.join(dir, 'redis.log'),
      ...(opts.password ? ['--requirepass', opts.password] : []),
    ];
    const c = spawn('redis-server', args, { stdio: 'ignore' });
    child = c;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    c.once('error', () => undefined);
    await waitForPort(port, 10_000, () => c.exitCode !== null || c.signalCode !== null);
  };

  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill(signal);
    await exited;
  };

  await launch();
  return {
    port,
    url: `${opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    dir,
    get pid() {
      return child?.pid;
    },
    kill: () => stopWith('SIGKILL'),
    restart: launch,
    stop: () => stopWith('SIGTERM'),
  };
}

/** Resolves once something accepts connections on the port; bounded by `timeoutMs`. */
async function waitForPort(port: number, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error(`redis-server on port ${port} exited while starting`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not start on port ${port} within ${timeoutMs} ms`);
}
