import * as nodeFs from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { InputError } from './errors.ts';

/**
 * Atomic, never-silently-overwriting file output.
 *
 * Invariants:
 * - a final path only ever holds a complete file: bytes go to `.<name>.<random>.tmp` in the same
 *   folder, are fsynced, and only then take the final name (same folder = same file system, so
 *   the rename/link is atomic);
 * - without `overwrite` an existing file is never replaced, even one that appeared while we were
 *   working: the final step is `link()` (fails with EEXIST) rather than `rename()`;
 * - an existing file that already holds exactly the bytes to write counts as written: it is this
 *   output, placed by an earlier attempt that was killed before the queue could record it (exports
 *   are deterministic). Without this, a kill between the rename and the database commit left the
 *   document failing with OUTPUT_EXISTS on its own output forever (test/fault/kill.test.ts);
 * - a temporary file of the same output left by an attempt killed mid-write (no `finally` runs on
 *   SIGKILL) is removed by the next attempt: one engine works a queue and one export a document at
 *   a time, so a temporary file of this output is never another writer's live one;
 * - on any failure every temporary file is removed, and files this call already put in place
 *   are removed again, so a multi-file export is all or nothing (see `writeFilesAtomically`).
 */

/** The subset of `node:fs/promises` used here; tests pass a fake to simulate a full disk. */
export interface AtomicFs {
  mkdir: typeof nodeFs.mkdir;
  open: typeof nodeFs.open;
  rename: typeof nodeFs.rename;
  link: typeof nodeFs.link;
  unlink: typeof nodeFs.unlink;
  lstat: typeof nodeFs.lstat;
  readFile: typeof nodeFs.readFile;
  readdir: typeof nodeFs.readdir;
}

/** One file to write: absolute `path` and its complete contents. */
export interface OutputFile {
  path: string;
  bytes: Uint8Array;
}

export interface AtomicWriteOptions {
  /** Replace existing files; without it an existing file fails with `OUTPUT_EXISTS`. */
  overwrite: boolean;
  fs?: AtomicFs;
}

/** A complete, fsynced temporary file waiting for its final name. */
interface PendingFile {
  finalPath: string;
  tempPath: string;
  bytes: Uint8Array;
}

const HUMAN_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder with that name exists',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'an input/output error occurred',
  ENOENT: 'the folder does not exist',
  EMFILE: 'too many files are open',
  EBUSY: 'the file is in use',
  EFBIG: 'the file is too large for the file system',
  EINVAL: 'the name is not valid on this file system',
};

/** Turns a file-system error into `OUTPUT_FAILED` naming the path and the reason in words. */
export function outputError(filePath: string, error: unknown): InputError {
  if (error instanceof InputError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code && HUMAN_REASONS[code]) ?? (error instanceof Error ? error.message : String(error));
  return new InputError('OUTPUT_FAILED', `cannot write ${filePath}: ${reason}`);
}

/** The refusal to replace an existing output, in the words every front end shows. */
export function existsError(filePath: string): InputError {
  return new InputError('OUTPUT_EXISTS', `${filePath} already exists; use --overwrite to replace it`);
}

function isErrno(error: unknown, ...codes: string[]): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && codes.includes(code);
}

/** True when `p` is a file holding exactly `bytes` (see the module comment). */
async function holdsSameBytes(fs: AtomicFs, p: string, bytes: Uint8Array): Promise<boolean> {
  try {
    const existing = await fs.readFile(p);
    return Buffer.compare(existing, bytes) === 0;
  } catch {
    return false;
  }
}

async function removeQuietly(fs: AtomicFs, p: string): Promise<void> {
  try {
    await fs.unlink(p);
  } catch {
    // Already gone, or the folder became unwritable: nothing more we can do.
  }
}

const TEMP_SUFFIX = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;

/** Removes temporary files of `finalPath` left by an earlier, killed attempt (see the module comment). */
async function removeLeftoverTemps(fs: AtomicFs, finalPath: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(path.dirname(finalPath));
  } catch {
    return; // no folder yet: nothing left over
  }
  const base = path.basename(finalPath);
  for (const name of names) {
    if (TEMP_SUFFIX.exec(name)?.[1] === base)
      await removeQuietly(fs, path.join(path.dirname(finalPath), name));
  }
}

/** Writes `bytes` to a fresh temporary file next to `finalPath` and fsyncs it. */
async function writeTemp(fs: AtomicFs, file: OutputFile): Promise<PendingFile> {
  const dir = path.dirname(file.path);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw outputError(file.path, error);
  }
  const tempPath = path.join(dir, `.${path.basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: nodeFs.FileHandle | undefined;
  try {
    // `wx`: never reuse a file someone else created under the same random name.
    handle = await fs.open(tempPath, 'wx', 0o666);
  } catch (error) {
    throw outputError(file.path, error);
  }
  try {
    let offset = 0;
    while (offset < file.bytes.length) {
      const { bytesWritten } = await handle.write(file.bytes, offset, file.bytes.length - offset);
      offset += bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    await removeQuietly(fs, tempPath);
    throw outputError(file.path, error);
  }
  return { finalPath: file.path, tempPath, bytes: file.bytes };
}

/** Gives a temp file its final name; see the module comment for the no-clobber rule. */
async function commit(fs: AtomicFs, pending: PendingFile, overwrite: boolean): Promise<void> {
  if (overwrite) {
    await fs.rename(pending.tempPath, pending.finalPath);
    return;
  }
  try {
    await fs.link(pending.tempPath, pending.finalPath);
  } catch (error) {
    if (isErrno(error, 'EEXIST')) {
      if (!(await holdsSameBytes(fs, pending.finalPath, pending.bytes))) throw existsError(pending.finalPath);
      await removeQuietly(fs, pending.tempPath);
      return;
    }
    // Some file systems (FAT, exFAT, some network shares) have no hard links. Fall back to a
    // check-then-rename: not race-free, but the window is microseconds and only there.
    if (!isErrno(error, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV')) throw error;
    const exists = await fs.lstat(pending.finalPath).then(
      () => true,
      () => false,
    );
    if (exists) {
      if (!(await holdsSameBytes(fs, pending.finalPath, pending.bytes))) throw existsError(pending.finalPath);
      await removeQuietly(fs, pending.tempPath);
      return;
    }
    await fs.rename(pending.tempPath, pending.finalPath);
    return;
  }
  await removeQuietly(fs, pending.tempPath);
}

async function syncFolder(fs: AtomicFs, dir: string): Promise<void> {
  // Makes the new directory entries durable. Not possible everywhere (Windows): best effort.
  try {
    const handle = await fs.open(dir, fsConstants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // ignore
  }
}

/**
 * Writes every file atomically, all or nothing: all temporary files are written first, then
 * renamed into place one after the other; if one fails, the ones already placed are removed
 * again and every temporary file is deleted. (With `overwrite`, a replaced older file cannot be
 * brought back; the new set is removed rather than left half-presented as done.)
 *
 * Errors: `OUTPUT_EXISTS` (a file exists and `overwrite` is false), `OUTPUT_FAILED` (EACCES,
 * ENOSPC, EROFS…, with the path and the reason in words).
 */
export async function writeFilesAtomically(
  files: readonly OutputFile[],
  options: AtomicWriteOptions,
): Promise<void> {
  const fs = options.fs ?? nodeFs;
  for (const file of files) await removeLeftoverTemps(fs, file.path);
  const pending: PendingFile[] = [];
  const placed: PendingFile[] = [];
  try {
    for (const file of files) pending.push(await writeTemp(fs, file));
    for (const p of pending) {
      try {
        await commit(fs, p, options.overwrite);
      } catch (error) {
        throw outputError(p.finalPath, error);
      }
      placed.push(p);
    }
  } catch (error) {
    for (const p of pending) await removeQuietly(fs, p.tempPath);
    for (const p of placed) await removeQuietly(fs, p.finalPath);
    throw error;
  }
  for (const dir of new Set(files.map((f) => path.dirname(f.path)))) await syncFolder(fs, dir);
}
