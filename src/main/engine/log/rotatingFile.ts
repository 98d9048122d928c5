/**
 * An append-only log file that rotates by size and by age: `bulk-ocr.log` is renamed to
 * `bulk-ocr.1.log` (and `.1` to `.2`, …) when it would pass `maxBytes` or was started more than
 * `rotateAfterMs` ago; rotated files beyond `keepFiles` or older than `maxAgeMs` are deleted.
 *
 * Written synchronously, one line per call, with O_APPEND: a line is never split or interleaved
 * with another process's, and what was logged before a crash is on disk. Lines are small and few
 * (a handful per page), so the cost on the engine's thread is a few microseconds each.
 * Failures to write are swallowed after the first is reported: logging never stops the work.
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, extname, join } from 'node:path';

export interface RotatingFileOptions {
  /** The live file, e.g. `<data>/logs/bulk-ocr.log`. */
  path: string;
  maxBytes?: number;
  keepFiles?: number;
  rotateAfterMs?: number;
  maxAgeMs?: number;
  clock?: () => number;
  /** Told once when the log cannot be written (default: one line on stderr). */
  onError?: (error: Error) => void;
}

const DAY = 24 * 60 * 60 * 1000;

export class RotatingFile {
  private fd: number | null = null;
  private size = 0;
  private startedAt = 0;
  private failed = false;
  private readonly opts: Required<RotatingFileOptions>;

  constructor(opts: RotatingFileOptions) {
    this.opts = {
      maxBytes: 5 * 1024 * 1024,
      keepFiles: 5,
      rotateAfterMs: DAY,
      maxAgeMs: 14 * DAY,
      clock: Date.now,
      onError: (e) => process.stderr.write(`bulk-ocr: cannot write the log ${opts.path}: ${e.message}\n`),
      ...opts,
    };
  }

  /** The live file and its rotated predecessors, newest first (for a diagnostics log tail). */
  files(): string[] {
    return logFiles(this.opts.path);
  }

  write(line: string): void {
    try {
      const bytes = Buffer.byteLength(line) + 1;
      this.openIfNeeded();
      const now = this.opts.clock();
      if (
        this.size > 0 &&
        (this.size + bytes > this.opts.maxBytes || now - this.startedAt > this.opts.rotateAfterMs)
      )
        this.rotate();
      this.openIfNeeded();
      writeSync(this.fd!, `${line}\n`);
      this.size += bytes;
    } catch (error) {
      if (!this.failed) this.opts.onError(error as Error);
      this.failed = true;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private openIfNeeded(): void {
    if (this.fd !== null) return;
    mkdirSync(join(this.opts.path, '..'), { recursive: true });
    this.fd = openSync(this.opts.path, 'a', 0o600);
    const s = fstatSync(this.fd);
    this.size = s.size;
    // An existing file counts from when it was created (birthtime where the file system keeps it).
    this.startedAt = s.size === 0 ? this.opts.clock() : s.birthtimeMs || s.mtimeMs;
    this.prune();
  }

  private rotate(): void {
    this.close();
    const { path, keepFiles } = this.opts;
    for (let i = keepFiles; i >= 1; i--) {
      const from = i === 1 ? path : this.numbered(i - 1);
      try {
        renameSync(from, this.numbered(i));
      } catch {
        // not there: nothing to move
      }
    }
    this.prune();
  }

  /** Deletes rotated files past the count or the age limit. */
  private prune(): void {
    const now = this.opts.clock();
    this.rotated().forEach((r, i) => {
      if (i >= this.opts.keepFiles || now - r.mtime > this.opts.maxAgeMs) rmSync(r.file, { force: true });
    });
  }

  private numbered(i: number): string {
    const ext = extname(this.opts.path);
    return join(this.opts.path, '..', `${basename(this.opts.path, ext)}.${i}${ext}`);
  }

  private rotated(): { file: string; index: number; mtime: number }[] {
    return rotatedFiles(this.opts.path);
  }
}

/** A log file and its rotated predecessors that exist, newest first. */
export function logFiles(path: string): string[] {
  let live: string[] = [];
  try {
    statSync(path);
    live = [path];
  } catch {
    // no live file yet
  }
  return [...live, ...rotatedFiles(path).map((r) => r.file)];
}

function rotatedFiles(path: string): { file: string; index: number; mtime: number }[] {
  const ext = extname(path);
  const stem = basename(path, ext);
  const dir = join(path, '..');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const pattern = new RegExp(
    `^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)${ext.replace('.', '\\.')}$`,
  );
  return names
    .map((n) => ({ n, m: pattern.exec(n) }))
    .filter((x) => x.m)
    .map((x) => {
      const file = join(dir, x.n);
      let mtime = 0;
      try {
        mtime = statSync(file).mtimeMs;
      } catch {
        // raced with a delete
      }
      return { file, index: Number(x.m![1]), mtime };
    })
    .sort((a, b) => a.index - b.index);
}
