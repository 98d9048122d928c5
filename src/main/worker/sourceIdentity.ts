import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { InputError } from '../common/errors.ts';
import type { SourceIdentity } from './protocol.ts';

/** The error for an input that is no longer the file that was opened. */
export function changedError(path: string): InputError {
  return new InputError(
    'FILE_CHANGED',
    `${path} was replaced or changed while it was being processed; retry it to process the new version`,
  );
}

/**
 * Fails with FILE_CHANGED when the file at `path` (whose `stat` is `s`) is not the one the queue
 * opened. Size first (free), then the modification time; a file whose time changed but whose bytes
 * did not (copied back after a move) is still the same document, so then the content hash decides.
 * `bytes`, when the caller has read the file anyway, saves reading it again.
 */
export async function assertSameSource(
  path: string,
  s: Stats,
  identity: SourceIdentity,
  bytes?: Uint8Array,
): Promise<void> {
  if (s.size !== identity.size) throw changedError(path);
  if (Math.trunc(s.mtimeMs) === identity.mtimeMs) return;
  if (!identity.sha256) throw changedError(path);
  const content = bytes ?? (await readFile(path));
  if (createHash('sha256').update(content).digest('hex') !== identity.sha256) throw changedError(path);
}
