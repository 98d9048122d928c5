import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ClusterError } from './redisUrl.ts';

/**
 * `--path-map /srv/scans=/mnt/scans`: the coordinator's documents under /srv/scans are on this
 * node under /mnt/scans (a shared folder), so they are read there instead of fetched. A mapped file
 * is used only once its content hash matches the queued document's (checked once per size and
 * modification time); otherwise the node fetches it from the coordinator as usual.
 */
export interface PathMapping {
  from: string;
  to: string;
}

export function parsePathMap(specs: string[]): PathMapping[] {
  return specs.map((spec) => {
    const i = spec.indexOf('=');
    if (i <= 0 || i === spec.length - 1)
      throw new ClusterError(
        `--path-map takes COORDINATOR_PATH=LOCAL_PATH, e.g. /srv/scans=/mnt/scans; "${spec}" has no "="`,
      );
    const from = spec.slice(0, i);
    const to = spec.slice(i + 1);
    if (!path.isAbsolute(from) || !path.isAbsolute(to))
      throw new ClusterError(`--path-map: both sides of "${spec}" must be absolute paths`);
    return { from: trimSlash(from), to: trimSlash(to) };
  });
  // (Longest prefix first is decided per lookup.)
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** The local path of a coordinator path, by the longest matching mapping, or null. */
export function mapPath(mappings: PathMapping[], coordinatorPath: string): string | null {
  let best: PathMapping | null = null;
  for (const m of mappings) {
    const under =
      coordinatorPath === m.from || coordinatorPath.startsWith(m.from === '/' ? '/' : `${m.from}/`);
    if (under && (!best || m.from.length > best.from.length)) best = m;
  }
  if (!best) return null;
  const rest = coordinatorPath.slice(best.from.length).replace(/^\/+/, '');
  const local = path.join(best.to, rest);
  // `..` in a coordinator path must not lead out of the mapped folder.
  if (local !== best.to && !local.startsWith(`${best.to}/`)) return null;
  return local;
}

/** Remembers which (path, size, mtime) were proved to hold which sha256, so a file is hashed once. */
export class MappedFiles {
  private readonly verified = new Map<string, string>();

  /**
   * The mapped file's size and whole-ms modification time when its content is `sha256`; null when
   * it is missing, unreadable or different (the caller then fetches the document instead).
   */
  async check(local: string, sha256: string): Promise<{ size: number; mtimeMs: number } | null> {
    let s;
    try {
      s = await stat(local);
    } catch {
      return null;
    }
    if (!s.isFile()) return null;
    const key = `${local}\0${s.size}\0${s.mtimeMs}`;
    const known = this.verified.get(key) ?? (await hashFile(local).catch(() => null));
    if (known === null) return null;
    this.verified.set(key, known);
    if (this.verified.size > 10_000) this.verified.delete(this.verified.keys().next().value as string);
    return known === sha256 ? { size: s.size, mtimeMs: Math.trunc(s.mtimeMs) } : null;
  }
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
