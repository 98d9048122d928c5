import { copyFile, link, mkdir, unlink, constants } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { writeFilesAtomically } from '../../common/atomicWrite.ts';
import { FAILED_DIR, PROCESSED_DIR } from './ignore.ts';

export interface Moved {
  /** Where the original is now. */
  to: string;
  /** The `.reason.txt` written beside a failed one. */
  reasonFile: string | null;
}

/**
 * Moves a watched original into `processed/` or `failed/` under its watched folder, keeping its
 * subfolder, never replacing a file already there (`name (2).pdf`, `name (3).pdf`…). A failed one
 * gets `NAME.EXT.reason.txt` beside it saying why. Returns null when the original is gone.
 *
 * No-clobber: `link()` fails with EEXIST where `rename()` would silently replace; where the file
 * system has no hard links (FAT, some shares) a copy with COPYFILE_EXCL does the same.
 */
export async function moveAside(
  file: string,
  root: string,
  to: 'processed' | 'failed',
  reason: string | null,
): Promise<Moved | null> {
  const dir = join(root, to === 'processed' ? PROCESSED_DIR : FAILED_DIR, dirname(relative(root, file)));
  await mkdir(dir, { recursive: true });
  const ext = extname(file);
  const stem = basename(file, ext);
  for (let n = 1; n < 10_000; n++) {
    const target = join(dir, n === 1 ? `${stem}${ext}` : `${stem} (${n})${ext}`);
    try {
      await placeWithoutClobber(file, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'ENOENT') return null;
      throw error;
    }
    let reasonFile: string | null = null;
    if (reason !== null) {
      reasonFile = `${target}.reason.txt`;
      await writeFilesAtomically([{ path: reasonFile, bytes: Buffer.from(reason, 'utf8') }], {
        overwrite: false,
      }).catch(() => {
        reasonFile = null; // the move is what matters; the reason is also in the queue
      });
    }
    return { to: target, reasonFile };
  }
  throw new Error(`no free name for ${basename(file)} in ${dir}`);
}

async function placeWithoutClobber(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV'].includes(code ?? '')) throw error;
    await copyFile(from, to, constants.COPYFILE_EXCL);
  }
  await unlink(from);
}

/** The text of a `.reason.txt`: what failed, why, and what to do. */
export function reasonText(
  original: string,
  error: { code: string; message: string } | null,
  at: Date,
): string {
  return [
    `Bulk OCR could not process this file.`,
    ``,
    `File:   ${original}`,
    `Reason: ${error ? `${error.message} (${error.code})` : 'unknown'}`,
    `When:   ${at.toISOString()}`,
    ``,
    `To try again, move it back into the watched folder (or retry it in the app's "Needs attention").`,
    ``,
  ].join('\n');
}
