import * as nodeFs from 'node:fs/promises';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputError, writeFilesAtomically, type AtomicFs } from '../../src/main/common/atomicWrite.ts';
import { tempDir } from '../helpers/export-fixtures.ts';

const errno = (code: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: simulated`), { code });
/** A file-system call that always fails with `code`. */
const failWith = (code: string) => (): Promise<never> => Promise.reject(errno(code));
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Real file system, except that writes to temporary files fail as on a full disk. */
function fullDiskFs(): AtomicFs {
  return {
    ...nodeFs,
    open: (async (p: string, flags: string, mode?: number) => {
      const handle = await nodeFs.open(p, flags, mode);
      if (!String(p).endsWith('.tmp')) return handle;
      return {
        write: () => Promise.reject(errno('ENOSPC')),
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    }) as unknown as AtomicFs['open'],
  };
}

describe('writeFilesAtomically', () => {
  it('writes the files and leaves no temporary file', async () => {
    const dir = tempDir();
    await writeFilesAtomically([{ path: path.join(dir, 'a.txt'), bytes: bytes('A') }], { overwrite: false });
    expect(readdirSync(dir)).toEqual(['a.txt']);
    expect(readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('A');
  });

  it('turns a full disk into OUTPUT_FAILED with the reason in words and removes the temp file', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'a.pdf');
    const error = await writeFilesAtomically([{ path: target, bytes: bytes('%PDF') }], {
      overwrite: false,
      fs: fullDiskFs(),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'OUTPUT_FAILED',
      message: `cannot write ${target}: the disk is full`,
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('does not clobber a file that appeared after the check (link, not rename)', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'a.txt');
    writeFileSync(target, 'someone else');
    // lstat says "not there" (the file appears between the check and the final step).
    const racyFs: AtomicFs = { ...nodeFs, lstat: failWith('ENOENT') };
    const error = await writeFilesAtomically([{ path: target, bytes: bytes('mine') }], {
      overwrite: false,
      fs: racyFs,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(readFileSync(target, 'utf8')).toBe('someone else');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it('is all or nothing: when the second file cannot be placed, the first is removed again', async () => {
    const dir = tempDir();
    const failingFs: AtomicFs = {
      ...nodeFs,
      link: ((from: string, to: string) =>
        to.endsWith('.pdf') ? Promise.reject(errno('EIO')) : nodeFs.link(from, to)) as AtomicFs['link'],
    };
    const files = [
      { path: path.join(dir, 'a.txt'), bytes: bytes('text') },
      { path: path.join(dir, 'a.pdf'), bytes: bytes('%PDF') },
    ];
    const error = await writeFilesAtomically(files, { overwrite: false, fs: failingFs }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'OUTPUT_FAILED',
      message: `cannot write ${path.join(dir, 'a.pdf')}: an input/output error occurred`,
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('falls back to rename on file systems without hard links', async () => {
    const dir = tempDir();
    const noLinks: AtomicFs = { ...nodeFs, link: failWith('EPERM') };
    await writeFilesAtomically([{ path: path.join(dir, 'a.txt'), bytes: bytes('A') }], {
      overwrite: false,
      fs: noLinks,
    });
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it('counts a file already holding exactly these bytes as written (an attempt killed before it was recorded)', async () => {
    const dir = tempDir();
    const files = [
      { path: path.join(dir, 'a.txt'), bytes: bytes('text') },
      { path: path.join(dir, 'a.pdf'), bytes: bytes('%PDF') },
    ];
    writeFileSync(files[0].path, 'text'); // the killed attempt placed the .txt, not yet the .pdf
    await writeFilesAtomically(files, { overwrite: false });
    expect(readdirSync(dir).sort()).toEqual(['a.pdf', 'a.txt']);
    // The same on a file system without hard links.
    const other = tempDir();
    writeFileSync(path.join(other, 'a.txt'), 'text');
    await writeFilesAtomically([{ path: path.join(other, 'a.txt'), bytes: bytes('text') }], {
      overwrite: false,
      fs: { ...nodeFs, link: failWith('EPERM') },
    });
    expect(readdirSync(other)).toEqual(['a.txt']);
    // One byte different is someone else's file.
    await expect(
      writeFilesAtomically([{ path: files[0].path, bytes: bytes('texT') }], { overwrite: false }),
    ).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(readFileSync(files[0].path, 'utf8')).toBe('text');
  });

  it("removes a temporary file of the same output left by an attempt killed mid-write, and no one else's", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.a.txt.0123456789ab.tmp'), 'half of a'); // killed mid-write
    writeFileSync(path.join(dir, '.b.txt.0123456789ab.tmp'), 'b'); // another output's
    writeFileSync(path.join(dir, '.a.txt.notes.tmp'), 'a user file');
    await writeFilesAtomically([{ path: path.join(dir, 'a.txt'), bytes: bytes('A') }], { overwrite: false });
    expect(readdirSync(dir).sort()).toEqual(['.a.txt.notes.tmp', '.b.txt.0123456789ab.tmp', 'a.txt']);
  });

  it('overwrites only with overwrite: true', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'a.txt');
    writeFileSync(target, 'old');
    await expect(
      writeFilesAtomically([{ path: target, bytes: bytes('new') }], { overwrite: false }),
    ).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    await writeFilesAtomically([{ path: target, bytes: bytes('new') }], { overwrite: true });
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });
});

describe('outputError', () => {
  it('names the path and the reason', () => {
    expect(outputError('/x/y.pdf', errno('EROFS')).message).toBe(
      'cannot write /x/y.pdf: the file system is read-only',
    );
    expect(outputError('/x/y.pdf', errno('EACCES')).message).toBe('cannot write /x/y.pdf: permission denied');
    expect(outputError('/x/y.pdf', new Error('odd')).message).toBe('cannot write /x/y.pdf: odd');
  });
});
