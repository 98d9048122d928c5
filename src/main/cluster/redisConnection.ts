import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { ClusterError, parseRedisUrl } from './redisUrl.ts';

export { ClusterError, parseRedisUrl, redactRedisUrl } from './redisUrl.ts';

/** Where a URL points, for messages: `host:port`. */
function hostPort(u: URL): string {
  return `${u.hostname}:${u.port || (u.protocol === 'rediss:' ? '6380' : '6379')}`;
}

/**
 * Options for a long-lived connection: it reconnects for ever (Redis restarted, network back) and
 * commands wait across a reconnection instead of failing (`maxRetriesPerRequest: null`, which
 * BullMQ's workers require). TLS for `rediss://` (Node's default certificate checks apply).
 */
export function connectionOptions(url: string, extra: RedisOptions = {}): RedisOptions {
  const u = parseRedisUrl(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || (u.protocol === 'rediss:' ? 6380 : 6379)),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number(u.pathname.replace(/^\//, '') || 0),
    ...(u.protocol === 'rediss:' ? { tls: isIP(u.hostname) ? {} : { servername: u.hostname } } : {}),
    maxRetriesPerRequest: null,
    // Back off to 2 s between tries, and keep trying: a node outlives Redis restarts.
    retryStrategy: (times) => Math.min(200 * times, 2_000),
    connectionName: 'bulk-ocr',
    ...extra,
  };
}

/** A long-lived connection (see connectionOptions); errors are logged by whoever listens to them. */
export function openConnection(url: string, extra: RedisOptions = {}): Redis {
  const client = new Redis({ ...connectionOptions(url), lazyConnect: true, ...extra });
  return client;
}

/**
 * Connects once and asks Redis something, failing fast with a sentence a person can act on:
 * nothing listening, unknown host, wrong or missing password, TLS trouble, no answer. Used at start,
 * where a mistake should end the command (exit 2), not retry for ever.
 */
export async function checkRedis(url: string, timeoutMs = 5_000): Promise<{ version: string }> {
  const u = parseRedisUrl(url);
  const where = hostPort(u);
  const client = new Redis({
    ...connectionOptions(url),
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  let lastError: Error | null = null;
  client.on('error', (e: Error) => (lastError = e));
  try {
    await client.connect();
    const info = await client.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    return { version };
  } catch (error) {
    throw new ClusterError(explain(where, (lastError ?? error) as Error & { code?: string }));
  } finally {
    client.disconnect();
  }
}

/** A Redis connection failure in words. */
export function explain(where: string, e: Error & { code?: string }): string {
  const m = e.message ?? String(e);
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(m))
    return `cannot reach Redis at ${where}: connection refused (is redis-server running there, and listening on that address?)`;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(m))
    return `cannot reach Redis at ${where}: the host name is unknown`;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(m))
    return `Redis at ${where} refused the password (WRONGPASS): check the password in the URL (redis://:PASSWORD@host:port)`;
  if (/NOAUTH/.test(m))
    return `Redis at ${where} needs a password: give it in the URL, redis://:PASSWORD@host:port`;
  if (/ETIMEDOUT|timed? ?out/i.test(m))
    return `cannot reach Redis at ${where}: no answer (a firewall, a wrong address, or TLS to a plain port?)`;
  if (/certificate|SSL|TLS|EPROTO/i.test(m)) return `cannot open a TLS connection to Redis at ${where}: ${m}`;
  if (e.code === 'ECONNRESET' || /ECONNRESET/.test(m))
    return `cannot reach Redis at ${where}: the connection was reset (plain redis:// to a TLS port? use rediss://)`;
  if (/Connection is closed/i.test(m))
    return `cannot reach Redis at ${where}: the connection was closed (plain redis:// to a TLS port, or a proxy refusing it?)`;
  return `cannot use Redis at ${where}: ${m}`;
}
