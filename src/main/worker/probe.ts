/**
 * First look at a queued file: what it is (by content), whether it can be processed at all, how
 * many pages it has, and its content hash. Nothing is rasterised or recognised here.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { ProbeResult } from '../../shared/model.ts';
import { InputError } from '../common/errors.ts';
import { openBytes, readInput } from './pdfDocument.ts';
import { resolveLimits, type Limits } from './ocrTypes.ts';

export { openDocument } from './pdfDocument.ts';

/**
 * Opens the file, sniffs the content (never trusting the extension), validates it against the
 * limits, counts pages and hashes the bytes. Throws `InputError` (EMPTY_FILE, NOT_FOUND,
 * UNREADABLE, UNSUPPORTED_FORMAT, DAMAGED_FILE, PASSWORD_PROTECTED, TOO_LARGE, NO_PAGES).
 */
export async function probeFile(path: string, limits?: Partial<Limits>): Promise<ProbeResult> {
  let mtimeMs: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new InputError('UNSUPPORTED_FORMAT', 'this is a folder, not a file');
    mtimeMs = s.mtimeMs;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError('NOT_FOUND', 'file not found (it was moved or deleted)');
    throw new InputError('UNREADABLE', `file cannot be read: ${(error as Error).message}`);
  }
  const bytes = await readInput(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const doc = await openBytes(bytes, path, resolveLimits(limits));
  try {
    return { kind: doc.kind, pageCount: doc.pageCount, sha256, size: bytes.byteLength, mtimeMs };
  } finally {
    await doc.close();
  }
}
