import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';

/**
 * One output file as it was when written: what a later run compares the file on disk with, to tell
 * a file gone (write it again), a file someone changed (keep it unless `--overwrite`) and a file
 * as we left it (nothing to do).
 */
export interface WrittenFile {
  path: string;
  size: number;
  /** Whole milliseconds. */
  mtimeMs: number;
  sha256: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The record of a file just written with `bytes` (its size and mtime as the file system has them now). */
export async function describeWritten(path: string, bytes: Uint8Array): Promise<WrittenFile> {
  const s = await stat(path);
  return { path, size: s.size, mtimeMs: Math.trunc(s.mtimeMs), sha256: sha256Hex(bytes) };
}
