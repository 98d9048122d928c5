/**
 * The cluster benchmark's Redis: a real `redis-server` (the tests' helper: free port, AOF on, data
 * in bench/out) and the few figures read from its INFO.
 */
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../../test/helpers/redisServer.ts';

export interface BenchRedis {
  server: RedisServer;
  client: Redis;
  version: string;
}

export async function benchRedis(dir: string): Promise<BenchRedis> {
  const server = await startRedis(dir);
  const client = new Redis(server.url, { maxRetriesPerRequest: 3 });
  const version = (await info(client, 'server')).redis_version ?? '?';
  return { server, client, version };
}

export async function stopBenchRedis(r: BenchRedis): Promise<void> {
  r.client.disconnect();
  await r.server.stop();
}

export async function info(client: Redis, section: string): Promise<Record<string, string>> {
  const text = await client.info(section);
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Redis's own CPU time so far (user + system, main thread and its helpers), ms. */
export async function redisCpuMs(client: Redis): Promise<number> {
  const cpu = await info(client, 'cpu');
  return (Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys)) * 1000;
}

export async function usedMemory(client: Redis): Promise<number> {
  return Number((await info(client, 'memory')).used_memory);
}
