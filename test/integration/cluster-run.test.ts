import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  corpusSubset,
  differences,
  listFiles,
  nodePages,
  pagesDoneCounts,
  startCoordinator,
  startNode,
  type Coordinator,
} from '../helpers/clusterRun.ts';
import type { NodeProcess } from '../helpers/clusterNode.ts';
import { tempDir } from '../helpers/engineRun.ts';
import { startRedis, type RedisServer } from '../helpers/redisServer.ts';
import { startTcpProxy } from '../helpers/tcpProxy.ts';

/**
 * The whole cluster with real parts: a real redis-server (AOF on, a password), real `bulk-ocr
 * worker` processes, the real coordinator (`bulk-ocr run --redis … --jobs 0`), real OCR on the
 * synthetic corpus (a part of it). Outputs are compared byte for byte with a run on this machine alone, and the
 * coordinator's log must show every page handed over exactly once, whatever was killed or cut.
 *
 * `--node-timeout 4`: a node silent for 4 s loses its pages, so the fault cases take seconds.
 */
const BIN = path.resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
const PASSWORD = 'cluster-run-password';
let redis: RedisServer;
const running: { stop(): void }[] = [];

const url = (): string => `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
const track = <T extends NodeProcess>(p: T): T => {
  running.push({ stop: () => p.kill() });
  return p;
};

beforeAll(async () => {
  redis = await startRedis(path.join(tempDir('redis'), 'data'), { password: PASSWORD });
});

/**
 * The reference: the same files OCR'd on this machine alone, once per set of files. (A document's
 * outputs depend on that document alone, so a smaller set is compared with its part of a larger run.)
 */
const references = new Map<string, string>();
function localRun(names: string[], key: string): string {
  const known = references.get(key);
  if (known) return known;
  const dir = tempDir('local');
  const out = path.join(dir, 'out');
  const r = spawnSync(
    process.execPath,
    [BIN, 'run', corpusSubset(names), '--out', out, '--db', path.join(dir, 'q.db'), '--jobs', '2'],
    { encoding: 'utf8', timeout: 600_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  references.set(key, out);
  return out;
}

afterEach(() => {
  for (const p of running.splice(0)) p.stop();
});

afterAll(async () => {
  await redis?.stop();
});

async function finished(c: Coordinator, timeoutMs = 600_000): Promise<void> {
  const code = await Promise.race([
    c.proc.exited,
    new Promise((r) => setTimeout(() => r('timed out'), timeoutMs)),
  ]);
  expect(code, c.proc.output()).toBe(0);
}

function expectEachPageOnce(c: Coordinator, pages: number): void {
  const counts = pagesDoneCounts(c.dbPath);
  expect(counts.size).toBe(pages);
  expect([...counts.values()].every((n) => n === 1), JSON.stringify([...counts])).toBe(true);
}

/**
 * Every kind of input of the synthetic corpus (PDFs, PNG, JPEG, a 3-page TIFF, a mixed PDF): all
 * of it but the 20-page report, which is more of the same pages (the benchmark runs the whole
 * corpus through nodes and compares the bytes too).
 */
const EVERY_KIND = [
  ...['s01-letter.pdf', 's02-report-5p.pdf', 's04-two-column.pdf', 's05-table.pdf', 's06-fineprint-8pt.pdf'],
  ...['s07-landscape.pdf', 's08-image-png.png', 's09-photo-jpeg.jpg', 's10-tiff-3p.tif', 's11-mixed-3p.pdf'],
];

describe('a coordinator with --jobs 0 and two nodes', () => {
  it('OCRs every kind of input into the same bytes as this machine alone', async () => {
    const input = corpusSubset(EVERY_KIND);
    const a = track(startNode(url(), 'node-a'));
    const b = track(startNode(url(), 'node-b'));
    const c = startCoordinator(input, url());
    track(c.proc);
    await finished(c);
    expect(listFiles(c.out)).toHaveLength(20); // a .txt and a .pdf for each
    expect(differences(localRun(EVERY_KIND, 'every kind'), c.out)).toEqual([]);
    expect(nodePages(a)).toBeGreaterThan(0);
    expect(nodePages(b)).toBeGreaterThan(0);
    expect(nodePages(a) + nodePages(b)).toBe(19);
    expectEachPageOnce(c, 19);
  }, 900_000);
});

/**
 * Six pages: a letter and a five-page report. The nodes here run two OCR processes, as on a real
 * machine: a node killed or cut off has two pages in hand, and the run takes half the time.
 */
const SUBSET = ['s01-letter.pdf', 's02-report-5p.pdf'];
const SUBSET_OUTPUTS = ['s01-letter.pdf', 's01-letter.txt', 's02-report-5p.pdf', 's02-report-5p.txt'];

/** A run of SUBSET wrote its outputs and nothing else, byte for byte those of this machine alone. */
function expectLocalOutputs(out: string): void {
  expect(listFiles(out)).toEqual(SUBSET_OUTPUTS);
  const reference = localRun(EVERY_KIND, 'every kind');
  expect(differences(reference, out, (f) => SUBSET_OUTPUTS.includes(f))).toEqual([]);
}

describe('faults: nothing lost, nothing recorded twice, the same bytes', () => {
  it('a node SIGKILLed in the middle of a page', async () => {
    const input = corpusSubset(SUBSET);
    const victim = track(startNode(url(), 'victim', [], 2));
    const c = startCoordinator(input, url());
    track(c.proc);
    await victim.waitFor(/done +\S+ page \d/, 300_000); // it has taken its pages; it is on the next one
    victim.kill('SIGKILL');
    const rescuer = track(startNode(url(), 'rescuer', [], 2));
    await finished(c);
    expectLocalOutputs(c.out);
    expect(nodePages(rescuer)).toBeGreaterThan(0);
    expectEachPageOnce(c, 6);
  }, 600_000);

  it('a node cut off from the network (its Redis connection through a proxy that goes silent)', async () => {
    const input = corpusSubset(SUBSET);
    const proxy = await startTcpProxy(redis.port);
    try {
      const cut = track(startNode(proxy.url(PASSWORD), 'cut-off', [], 2));
      const c = startCoordinator(input, url());
      track(c.proc);
      await cut.waitFor(/done +\S+ page \d/, 300_000);
      proxy.cut('silent');
      const other = track(startNode(url(), 'other', [], 2));
      await other.waitFor(/done +\S+ page \d/, 300_000);
      proxy.restore(); // the cut-off node comes back with results for pages done meanwhile by the other
      await finished(c);
      expectLocalOutputs(c.out);
      expectEachPageOnce(c, 6);
    } finally {
      await proxy.close();
    }
  }, 600_000);

  it('Redis killed and restarted mid-run', async () => {
    const input = corpusSubset(SUBSET);
    const n = track(startNode(url(), 'steady', [], 2));
    const c = startCoordinator(input, url());
    track(c.proc);
    await n.waitFor(/done +\S+ page \d/, 300_000);
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1_500));
    await redis.restart();
    await finished(c);
    expectLocalOutputs(c.out);
    expectEachPageOnce(c, 6);
  }, 600_000);

  it('the coordinator SIGKILLed and started again while the nodes work', async () => {
    const input = corpusSubset(SUBSET);
    const n = track(startNode(url(), 'worker-1', [], 2));
    const first = startCoordinator(input, url());
    track(first.proc);
    await n.waitFor(/done +\S+ page \d/, 300_000);
    first.proc.kill('SIGKILL');
    await first.proc.exited;
    const again = startCoordinator(input, url(), [], { dbPath: first.dbPath, out: first.out });
    track(again.proc);
    await finished(again);
    expectLocalOutputs(again.out);
    // Each page handed over at most once per life of the coordinator, and once in all.
    expectEachPageOnce(again, 6);
  }, 600_000);
});
