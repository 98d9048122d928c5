import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutputFormat } from '../../src/shared/model.ts';
import { exportDocument, type ExportJob } from '../../src/main/worker/export/exportDocument.ts';
import { CORPUS, gridPage, poppler, tempDir } from '../helpers/export-fixtures.ts';

const SOURCE = `${CORPUS}/synthetic/s01-letter.pdf`;

function job(stem: string, overwrite = false, formats: OutputFormat[] = ['txt', 'pdf']): ExportJob {
  return {
    sourcePath: SOURCE,
    kind: 'pdf',
    pages: [gridPage('hello searchable world', 2550, 3300)],
    target: { formats, stem, overwrite },
  };
}

/**
 * Makes a folder unwritable. Root ignores permission bits (these machines run tests as root), so
 * there the immutable attribute is used instead; both give "permission denied".
 */
function lockFolder(dir: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', dir]);
    return () => execFileSync('chattr', ['-i', dir]);
  }
  chmodSync(dir, 0o555);
  return () => chmodSync(dir, 0o755);
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('export file handling', () => {
  it('creates missing folders and returns absolute paths and the byte count', async () => {
    const stem = path.join(tempDir(), 'a', 'b', 'letter');
    const outcome = await exportDocument(job(stem));
    expect(outcome.written).toEqual([`${stem}.txt`, `${stem}.pdf`]);
    expect(outcome.bytes).toBe(statSync(`${stem}.txt`).size + statSync(`${stem}.pdf`).size);
    expect(readdirSync(path.dirname(stem)).sort()).toEqual(['letter.pdf', 'letter.txt']);
  });

  it('never overwrites an existing output without overwrite, and writes neither format then', async () => {
    const dir = tempDir();
    const stem = path.join(dir, 'letter');
    writeFileSync(`${stem}.pdf`, 'precious');
    const error = await exportDocument(job(stem)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect((error as Error).message).toBe(`${stem}.pdf already exists; use --overwrite to replace it`);
    expect(readFileSync(`${stem}.pdf`, 'utf8')).toBe('precious');
    expect(readdirSync(dir)).toEqual(['letter.pdf']); // no .txt, no temp files
  });

  it('replaces an existing output with overwrite', async () => {
    const stem = path.join(tempDir(), 'letter');
    writeFileSync(`${stem}.txt`, 'old');
    writeFileSync(`${stem}.pdf`, 'old');
    await exportDocument(job(stem, true));
    expect(readFileSync(`${stem}.txt`, 'utf8')).toBe('hello searchable world');
    expect(poppler('pdftotext', `${stem}.pdf`, '-')).toContain('hello searchable world');
  });

  it('reports an unwritable folder as OUTPUT_FAILED and leaves no file behind', async () => {
    const dir = path.join(tempDir(), 'locked');
    mkdirSync(dir);
    cleanups.push(lockFolder(dir));
    const error = await exportDocument(job(path.join(dir, 'letter'))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OUTPUT_FAILED' });
    expect((error as Error).message).toMatch(/^cannot write .*locked\/letter\.(txt|pdf): permission denied$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a missing source as NOT_FOUND without writing anything', async () => {
    const dir = tempDir();
    const j = { ...job(path.join(dir, 'x')), sourcePath: path.join(dir, 'gone.pdf') };
    await expect(exportDocument(j)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes text only when only txt is asked for (the source is not even read)', async () => {
    const dir = tempDir();
    const j = { ...job(path.join(dir, 'x'), false, ['txt']), sourcePath: path.join(dir, 'gone.pdf') };
    const outcome = await exportDocument(j);
    expect(outcome.written).toEqual([path.join(dir, 'x.txt')]);
  });
});
