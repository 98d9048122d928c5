/**
 * The `--redis` URL and the cluster's one-line errors, apart from the connection code so that an
 * engine working alone can check and print a URL without loading ioredis and BullMQ (~25 MB).
 */

/** A cluster set-up that cannot work (bad URL, Redis unreachable, wrong password): one line for a person. */
export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

/** The parsed `--redis` URL; throws ClusterError naming what is wrong with it. */
export function parseRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ClusterError(
      `--redis: "${url}" is not a URL; write it as redis://HOST:6379, redis://:PASSWORD@HOST:6379 or rediss://HOST:6380 (TLS)`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new ClusterError(
      `--redis: "${parsed.protocol}" is not a Redis URL scheme; use redis:// (plain) or rediss:// (TLS)`,
    );
  if (!parsed.hostname) throw new ClusterError(`--redis: "${url}" names no host`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db))
    throw new ClusterError(`--redis: "${db}" is not a database number (the part after the host: /0, /1…)`);
  return parsed;
}

/** The URL as it may be printed: the password replaced. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}
