import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { ClusterSettings } from '../engine/clusterControl.ts';
import { checkRedis, ClusterError, parseRedisUrl } from '../cluster/redisConnection.ts';
import { UsageError } from './options.ts';

/** The coordinator's options, shared by run, watch and serve. */
export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option(
      '--redis <url>',
      'also hand pages to worker nodes (bulk-ocr worker) through this Redis: redis://[:PASSWORD@]HOST:6379, rediss:// for TLS',
    )
    .option(
      '--node-timeout <seconds>',
      'with --redis: a node silent this long loses its pages to the others (default: 30)',
    )
    .option(
      '--cluster-port <n>',
      'with --redis: port of the file endpoint nodes fetch documents from (default: 7781; 0 picks a free one)',
    )
    .option(
      '--cluster-host <address>',
      'with --redis: address the file endpoint listens on (default: 127.0.0.1 when Redis is on this machine, else all)',
    )
    .option(
      '--advertise <url>',
      "with --redis: the file endpoint's URL as nodes reach it, e.g. http://10.0.0.5:7781 (default: this machine's addresses)",
    )
    .option(
      '--cluster-cert <file>',
      'with --redis: serve the file endpoint over HTTPS with this certificate (PEM)',
    )
    .option('--cluster-key <file>', "with --redis: the certificate's private key (PEM)");
}

/**
 * `--jobs` with --redis may be 0: no OCR on this machine, every page to the nodes (one worker still
 * opens files and writes outputs).
 */
export function parseJobsFor(value: string | undefined, cluster: boolean): number {
  if (value === undefined) return availableParallelism();
  const n = Number(value);
  const min = cluster ? 0 : 1;
  if (!Number.isInteger(n) || n < min || n > 64)
    throw new UsageError(
      `--jobs must be a whole number from ${min} to 64${cluster ? '' : ' (0, "nodes only", needs --redis)'}, not "${value}"`,
    );
  return n;
}

/**
 * The cluster settings from the command line, or undefined without --redis. Redis is tried once
 * here, so a wrong URL, an unreachable server or a wrong password ends the command with one line
 * (exit 2) before anything starts.
 */
export async function clusterSettings(o: Record<string, unknown>): Promise<ClusterSettings | undefined> {
  const url = o.redis as string | undefined;
  const others = ['nodeTimeout', 'clusterPort', 'clusterHost', 'advertise', 'clusterCert', 'clusterKey'];
  if (url === undefined) {
    const stray = others.find((k) => o[k] !== undefined);
    if (stray)
      throw new UsageError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --redis`);
    return undefined;
  }
  try {
    parseRedisUrl(url);
    await checkRedis(url);
  } catch (error) {
    if (error instanceof ClusterError) throw new UsageError(error.message);
    throw error;
  }
  const settings: ClusterSettings = { redisUrl: url };
  if (o.nodeTimeout !== undefined) {
    const s = Number(o.nodeTimeout);
    if (!Number.isFinite(s) || s < 2 || s > 3_600)
      throw new UsageError(
        `--node-timeout must be a number of seconds from 2 to 3600, not "${o.nodeTimeout as string}"`,
      );
    settings.nodeTimeoutMs = Math.round(s * 1000);
  }
  if (o.clusterPort !== undefined) {
    const p = Number(o.clusterPort);
    if (!Number.isInteger(p) || p < 0 || p > 65_535)
      throw new UsageError(
        `--cluster-port must be a port number (0 to 65535), not "${o.clusterPort as string}"`,
      );
    settings.listenPort = p;
  }
  if (typeof o.clusterHost === 'string') settings.listenHost = o.clusterHost;
  if (typeof o.advertise === 'string') {
    try {
      const u = new URL(o.advertise);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      throw new UsageError(`--advertise takes a URL such as http://10.0.0.5:7781, not "${o.advertise}"`);
    }
    settings.advertise = [o.advertise];
  }
  if ((o.clusterCert === undefined) !== (o.clusterKey === undefined))
    throw new UsageError('--cluster-cert and --cluster-key go together');
  if (typeof o.clusterCert === 'string' && typeof o.clusterKey === 'string') {
    try {
      settings.tls = { cert: readFileSync(o.clusterCert), key: readFileSync(o.clusterKey) };
    } catch (error) {
      throw new UsageError(`cannot read the file endpoint's certificate or key: ${(error as Error).message}`);
    }
  }
  return settings;
}
