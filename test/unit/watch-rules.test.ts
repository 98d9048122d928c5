import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkComplete } from '../../src/main/engine/watch/completeness.ts';
import { isIgnoredPath, isWatchedFile } from '../../src/main/engine/watch/ignore.ts';
import { fileSystemOf, pollingReason } from '../../src/main/engine/watch/mounts.ts';
import { CORPUS } from '../helpers/engineRun.ts';

const work = mkdtempSync(join(tmpdir(), 'bulk-ocr-watch-rules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('which files a watched folder takes', () => {
  const rules = { root: '/scans', outDir: '/scans/ocr' };
  it('takes scannable files, in subfolders too', () => {
    for (const p of ['/scans/a.pdf', '/scans/sub/b.TIF', '/scans/x/y/c.jpeg'])
      expect(isWatchedFile(p, rules), p).toBe(true);
  });
  it('never takes hidden, temporary or partial names, our outputs, processed/, failed/ or the output folder', () => {
    for (const p of [
      '/scans/.a.pdf',
      '/scans/.sync/a.pdf',
      '/scans/a.pdf.part',
      '/scans/a.pdf.crdownload',
      '/scans/~$a.pdf',
      '/scans/a.tmp',
      '/scans/.a.pdf.0a1b2c.tmp',
      '/scans/a.ocr.pdf',
      '/scans/a.ocr.alto.xml',
      '/scans/a.ocr.hocr',
      '/scans/out/a.alto.xml',
      '/scans/out/a.hocr',
      '/scans/a.pdf.reason.txt',
      '/scans/processed/a.pdf',
      '/scans/failed/sub/a.pdf',
      '/scans/ocr/a.pdf',
      '/elsewhere/a.pdf',
      '/scans/notes.txt',
    ])
      expect(isWatchedFile(p, rules), p).toBe(false);
    // A subfolder merely named like them, deeper down, is an ordinary folder.
    expect(isWatchedFile('/scans/2024/processed/a.pdf', rules)).toBe(true);
    expect(isIgnoredPath('/scans/sub', rules)).toBe(false);
  });
});

describe('is a settled file complete?', () => {
  const write = (name: string, bytes: Uint8Array | string): string => {
    const p = join(work, name);
    writeFileSync(p, bytes);
    return p;
  };
  it('a PDF needs its %%EOF, a PNG its IEND, a JPEG its EOI', async () => {
    const pdf = readFileSync(join(CORPUS, 'synthetic/s01-letter.pdf'));
    expect(await checkComplete(write('full.pdf', pdf))).toBe('complete');
    expect(await checkComplete(write('half.pdf', pdf.subarray(0, pdf.length / 2)))).toBe('incomplete');
    expect(await checkComplete(join(CORPUS, 'bad/truncated.pdf'))).toBe('incomplete');
    const png = readFileSync(join(CORPUS, 'synthetic/s08-image-png.png'));
    expect(await checkComplete(write('full.png', png))).toBe('complete');
    expect(await checkComplete(write('half.png', png.subarray(0, 5000)))).toBe('incomplete');
    const jpg = readFileSync(join(CORPUS, 'synthetic/s09-photo-jpeg.jpg'));
    expect(await checkComplete(write('full.jpg', jpg))).toBe('complete');
    expect(await checkComplete(write('half.jpg', jpg.subarray(0, 9000)))).toBe('incomplete');
    const tif = readFileSync(join(CORPUS, 'synthetic/s10-tiff-3p.tif'));
    expect(await checkComplete(write('full.tif', tif))).toBe('complete');
  });
  it('an empty file is waited for; content that is no known format is not', async () => {
    expect(await checkComplete(join(CORPUS, 'bad/empty.pdf'))).toBe('incomplete');
    expect(await checkComplete(join(CORPUS, 'bad/random-bytes.pdf'))).toBe('foreign');
  });
});

describe('polling chosen for network and FUSE file systems', () => {
  const table = [
    'sysfs /sys sysfs rw 0 0',
    '/dev/sda1 / ext4 rw 0 0',
    'server:/export /mnt/nas nfs4 rw 0 0',
    '//host/share /mnt/smb\\040share cifs rw 0 0',
    'sshfs#me@host: /home/me/remote fuse.sshfs rw 0 0',
  ].join('\n');
  it('finds the mount holding a path', () => {
    expect(fileSystemOf('/home/me/scans', table)).toBe('ext4');
    expect(fileSystemOf('/mnt/nas/scans', table)).toBe('nfs4');
    expect(fileSystemOf('/mnt/smb share/in', table)).toBe('cifs');
    expect(fileSystemOf('/mnt/nasty', table)).toBe('ext4');
  });
  it('polls where events do not arrive, watches elsewhere', () => {
    expect(pollingReason('/mnt/nas/scans', table)).toMatch(/nfs4/);
    expect(pollingReason('/mnt/smb share/in', table)).toMatch(/cifs/);
    expect(pollingReason('/home/me/remote/x', table)).toMatch(/fuse\.sshfs/);
    expect(pollingReason('/home/me/scans', table)).toBeNull();
  });
});
