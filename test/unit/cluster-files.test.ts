import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchError, FileCache } from '../../src/main/cluster/fileCache.ts';
import { startFileServer, type FileServer } from '../../src/main/cluster/fileServer.ts';
import { mapPath, MappedFiles, parsePathMap } from '../../src/main/cluster/pathMap.ts';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'cluster-files-'));
}

/** Documents "in the queue" for the endpoint: sha256 → file. */
function docs(dir: string, sizes: number[]): { path: string; sha: string; size: number; mtimeMs: number }[] {
  return sizes.map((n, i) => {
    const bytes = Buffer.alloc(n, i + 1);
    const p = path.join(dir, `doc${i}.pdf`);
    writeFileSync(p, bytes);
    return { path: p, sha: sha(bytes), size: n, mtimeMs: Math.trunc(statSync(p).mtimeMs) };
  });
}

let server: FileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('the file endpoint', () => {
  it('serves a queued document by sha256 to the token, and nothing else to anyone', async () => {
    const dir = scratch();
    const [d] = docs(dir, [5_000]);
    server = await startFileServer({
      token: 'secret-token',
      host: '127.0.0.1',
      port: 0,
      lookup: (s) => (s === d.sha ? { path: d.path, size: d.size } : null),
    });
    const base = `http://127.0.0.1:${server.port}/v1/files`;
    const auth = { Authorization: 'Bearer secret-token' };

    const ok = await fetch(`${base}/${d.sha}`, { headers: auth });
    expect(ok.status).toBe(200);
    expect(sha(Buffer.from(await ok.arrayBuffer()))).toBe(d.sha);

    expect((await fetch(`${base}/${d.sha}`)).status).toBe(401);
    expect((await fetch(`${base}/${d.sha}`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    expect((await fetch(`${base}/${'0'.repeat(64)}`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/..%2F..%2Fetc%2Fpasswd`, { headers: auth })).status).toBe(400);
    const put = await fetch(`${base}/${d.sha}`, { method: 'PUT', headers: auth, body: 'x' });
    expect(put.status).toBe(405);
    expect(readFileSync(d.path)).toHaveLength(5_000); // untouched
  });

  it('refuses a document that changed on disk since it was queued', async () => {
    const dir = scratch();
    const [d] = docs(dir, [1_000]);
    server = await startFileServer({
      token: 't',
      host: '127.0.0.1',
      port: 0,
      lookup: () => ({ path: d.path, size: d.size }),
    });
    writeFileSync(d.path, Buffer.alloc(1_234));
    const r = await fetch(`http://127.0.0.1:${server.port}/v1/files/${d.sha}`, {
      headers: { Authorization: 'Bearer t' },
    });
    expect(r.status).toBe(409);
  });
});

describe("a node's document cache", () => {
  it('fetches each document once, checks its hash, and stays within its size limit', async () => {
    const dir = scratch();
    const all = docs(dir, [40_000, 40_000, 40_000]);
    let requests = 0;
    server = await startFileServer({
      token: 't',
      host: '127.0.0.1',
      port: 0,
      lookup: (s) => {
        requests++;
        const d = all.find((x) => x.sha === s);
        return d ? { path: d.path, size: d.size } : null;
      },
    });
    const urls = [`http://127.0.0.1:1`, `http://127.0.0.1:${server.port}`]; // the first does not answer
    const cacheDir = path.join(dir, 'cache');
    const cache = new FileCache({ dir: cacheDir, maxBytes: 100_000 });
    const [a, b, c] = all;

    const pa = await Promise.all([1, 2, 3].map(() => cache.acquire(a.sha, a.size, a.mtimeMs, urls, 't')));
    expect(new Set(pa).size).toBe(1);
    expect(requests).toBe(1); // three pages at once, one download
    expect(sha(readFileSync(pa[0]))).toBe(a.sha);
    // The copy carries the original's time, so the OCR worker's quick identity check passes.
    expect(Math.trunc(statSync(pa[0]).mtimeMs)).toBe(a.mtimeMs);
    for (let i = 0; i < 3; i++) cache.release(a.sha);

    await cache.acquire(b.sha, b.size, b.mtimeMs, urls, 't');
    cache.release(b.sha);
    await cache.acquire(a.sha, a.size, a.mtimeMs, urls, 't'); // a is used again: b is now the oldest
    cache.release(a.sha);
    await cache.acquire(c.sha, c.size, c.mtimeMs, urls, 't');
    cache.release(c.sha);
    expect(requests).toBe(3);
    expect(readdirSync(cacheDir).sort()).toEqual([a.sha, c.sha].sort());
    expect(cache.bytes).toBeLessThanOrEqual(100_000);
  });

  it('never evicts a copy in use, and a wrong download leaves nothing behind', async () => {
    const dir = scratch();
    const [a, b] = docs(dir, [60_000, 60_000]);
    server = await startFileServer({
      token: 't',
      host: '127.0.0.1',
      port: 0,
      lookup: (s) =>
        s === a.sha ? { path: a.path, size: a.size } : s === b.sha ? { path: a.path, size: a.size } : null,
    });
    const urls = [`http://127.0.0.1:${server.port}`];
    const cacheDir = path.join(dir, 'cache');
    const cache = new FileCache({ dir: cacheDir, maxBytes: 50_000 });
    const held = await cache.acquire(a.sha, a.size, a.mtimeMs, urls, 't');
    expect(existsSync(held)).toBe(true); // over the limit, but in use
    // b's sha256 is served a's bytes: refused after download, no copy kept.
    await expect(cache.acquire(b.sha, b.size, b.mtimeMs, urls, 't')).rejects.toThrow(/not the one queued/);
    expect(readdirSync(cacheDir)).toEqual([a.sha]);
    const gone = await cache.acquire('f'.repeat(64), 10, 0, urls, 't').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(FetchError);
    expect((gone as FetchError).status).toBe(404);
  });
});

describe('--path-map', () => {
  it('maps by the longest prefix and never out of the mapped folder', () => {
    const m = parsePathMap(['/srv/scans=/mnt/scans', '/srv/scans/2024=/mnt/archive/', '/data=/d']);
    expect(mapPath(m, '/srv/scans/a/b.pdf')).toBe('/mnt/scans/a/b.pdf');
    expect(mapPath(m, '/srv/scans/2024/x.pdf')).toBe('/mnt/archive/x.pdf');
    expect(mapPath(m, '/srv/scansX/x.pdf')).toBeNull();
    expect(mapPath(m, '/srv/scans/../../etc/passwd')).toBeNull();
    expect(mapPath(m, '/other/x.pdf')).toBeNull();
    expect(() => parsePathMap(['/srv/scans'])).toThrow(/COORDINATOR_PATH=LOCAL_PATH/);
    expect(() => parsePathMap(['srv=/mnt'])).toThrow(/absolute/);
  });

  it('uses a mapped file only when its content is the queued document', async () => {
    const dir = scratch();
    mkdirSync(path.join(dir, 'share'));
    const bytes = Buffer.from('%PDF-1.4 the same bytes');
    const file = path.join(dir, 'share', 'x.pdf');
    writeFileSync(file, bytes);
    const mapped = new MappedFiles();
    expect(await mapped.check(file, sha(bytes))).toMatchObject({ size: bytes.length });
    expect(await mapped.check(file, 'a'.repeat(64))).toBeNull();
    expect(await mapped.check(path.join(dir, 'share', 'missing.pdf'), sha(bytes))).toBeNull();
  });
});
