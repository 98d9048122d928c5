import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';

/**
 * A node's copies of the documents it works on, in one folder, named by sha256: a 400-page PDF
 * crosses the network once per node, however many of its pages the node does. Bounded by size:
 * the least recently used copies go first, never one a page is being read from. A copy is written
 * under a temporary name, its hash checked, and only then renamed into place, so a copy that is
 * there is whole and is the document (a crash mid-download leaves only a `.partial-` file, removed
 * at the next start).
 */
export interface CacheOptions {
  dir: string;
  maxBytes: number;
  /** CA certificate (PEM) to trust for an HTTPS file endpoint with its own certificate. */
  ca?: string | Buffer;
}

/** A download that went wrong. `status` 404/409/410: the coordinator does not have it (any more). */
export class FetchError extends Error {
  readonly status: number | null;
  constructor(message: string, status: number | null) {
    super(message);
    this.name = 'FetchError';
    this.status = status;
  }
}

export class FileCache {
  private readonly opts: CacheOptions;
  /** sha256 → size and last use (a counter: uses within one millisecond still have an order). */
  private readonly entries = new Map<string, { size: number; usedAt: number }>();
  private uses = 0;
  /** Copies being read by a page now: never evicted. */
  private readonly inUse = new Map<string, number>();
  private readonly downloads = new Map<string, Promise<void>>();
  private ready: Promise<void> | null = null;
  /** Bytes fetched over the network since start (the nodes view and the tests read it). */
  bytesFetched = 0;

  constructor(opts: CacheOptions) {
    this.opts = opts;
  }

  /** Creates the folder and learns what is in it (copies left by an earlier run are kept). */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      mkdirSync(this.opts.dir, { recursive: true });
      const found: { sha: string; size: number; atimeMs: number }[] = [];
      for (const name of await readdir(this.opts.dir)) {
        const full = path.join(this.opts.dir, name);
        if (name.startsWith('.partial-')) {
          await rm(full, { force: true });
          continue;
        }
        if (!/^[0-9a-f]{64}$/.test(name)) continue;
        const s = await stat(full);
        found.push({ sha: name, size: s.size, atimeMs: s.atimeMs });
      }
      // Copies from an earlier run: their last use as the file system remembers it (atime).
      for (const f of found.sort((a, b) => a.atimeMs - b.atimeMs))
        this.entries.set(f.sha, { size: f.size, usedAt: ++this.uses });
    })();
    return this.ready;
  }

  /** Total bytes of the copies held. */
  get bytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.size;
    return n;
  }

  has(sha256: string): boolean {
    return this.entries.has(sha256);
  }

  /**
   * The local path of the document, fetched from the first of `urls` that answers when not held
   * yet, with its modification time set to `mtimeMs` (so the OCR worker's quick identity check by
   * size and time passes without hashing the file for each page). Call `release` when done with it.
   */
  async acquire(
    sha256: string,
    size: number,
    mtimeMs: number,
    urls: string[],
    token: string,
  ): Promise<string> {
    await this.init();
    const file = path.join(this.opts.dir, sha256);
    this.inUse.set(sha256, (this.inUse.get(sha256) ?? 0) + 1);
    try {
      const held = this.entries.get(sha256);
      if (held && held.size === size) {
        held.usedAt = ++this.uses;
        return file;
      }
      let pending = this.downloads.get(sha256);
      if (!pending) {
        pending = this.download(sha256, size, mtimeMs, urls, token).finally(() =>
          this.downloads.delete(sha256),
        );
        this.downloads.set(sha256, pending);
      }
      await pending;
      return file;
    } catch (error) {
      this.release(sha256);
      throw error;
    }
  }

  release(sha256: string): void {
    const n = (this.inUse.get(sha256) ?? 1) - 1;
    if (n <= 0) this.inUse.delete(sha256);
    else this.inUse.set(sha256, n);
  }

  private async download(
    sha256: string,
    size: number,
    mtimeMs: number,
    urls: string[],
    token: string,
  ): Promise<void> {
    let last: FetchError | null = null;
    for (const base of urls) {
      try {
        await this.fetchInto(`${base.replace(/\/$/, '')}/v1/files/${sha256}`, sha256, size, mtimeMs, token);
        return;
      } catch (error) {
        last = error instanceof FetchError ? error : new FetchError((error as Error).message, null);
        // The coordinator answered that it does not have it: another address would say the same.
        if (last.status !== null) throw last;
      }
    }
    throw last ?? new FetchError('the coordinator published no address for its file endpoint', null);
  }

  private async fetchInto(
    url: string,
    sha256: string,
    size: number,
    mtimeMs: number,
    token: string,
  ): Promise<void> {
    const partial = path.join(this.opts.dir, `.partial-${sha256}-${randomBytes(4).toString('hex')}`);
    const response = await get(url, token, this.opts.ca);
    if (response.statusCode !== 200) {
      const body = await readSmall(response);
      throw new FetchError(
        `the coordinator's file endpoint answered ${response.statusCode}: ${body.trim() || 'no reason given'}`,
        response.statusCode ?? null,
      );
    }
    const hash = createHash('sha256');
    let received = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const out = createWriteStream(partial);
        response.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          received += chunk.length;
        });
        response.on('error', reject);
        response.on('aborted', () => reject(new Error('the download was cut off')));
        out.on('error', reject);
        out.on('finish', resolve);
        response.pipe(out);
      });
      this.bytesFetched += received;
      if (received !== size || hash.digest('hex') !== sha256)
        throw new FetchError(
          `the downloaded document is not the one queued (${received} bytes, expected ${size}, or another sha256)`,
          null,
        );
      await utimes(partial, new Date(), new Date(mtimeMs));
      await rename(partial, path.join(this.opts.dir, sha256));
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    this.entries.set(sha256, { size, usedAt: ++this.uses });
    await this.trim();
  }

  /** Evicts least recently used copies until the total fits, keeping those in use. */
  private async trim(): Promise<void> {
    let total = this.bytes;
    if (total <= this.opts.maxBytes) return;
    const byAge = [...this.entries].sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [sha, e] of byAge) {
      if (total <= this.opts.maxBytes) break;
      if (this.inUse.has(sha)) continue;
      this.entries.delete(sha);
      total -= e.size;
      await rm(path.join(this.opts.dir, sha), { force: true });
    }
  }
}

function get(url: string, token: string, ca?: string | Buffer): Promise<IncomingMessage> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: 'GET',
        headers: { Authorization: `Bearer ${token}` },
        timeout: 30_000,
        ...(ca ? { ca } : {}),
      },
      resolve,
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${u.host} within 30 s`)));
    req.on('error', (e: NodeJS.ErrnoException) =>
      reject(new FetchError(`cannot fetch the document from ${u.host}: ${e.code ?? e.message}`, null)),
    );
    req.end();
  });
}

function readSmall(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      if (s.length < 1_000) s += c;
    });
    res.on('end', () => resolve(s.slice(0, 1_000)));
    res.on('error', () => resolve(s));
  });
}
