import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportDocument } from '../../src/main/worker/export/exportDocument.ts';
import { isInside, isLexicallyInside } from '../../src/main/common/paths.ts';
import { outputStem } from '../../src/main/common/outputNames.ts';
import { tempDir } from '../helpers/engineRun.ts';

let dir: string;
beforeEach(() => {
  dir = tempDir('paths');
  mkdirSync(join(dir, 'out/real'), { recursive: true });
  mkdirSync(join(dir, 'elsewhere'));
  symlinkSync(join(dir, 'elsewhere'), join(dir, 'out/link'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('paths stay in their folder', () => {
  it('by name: .. and absolute paths are outside', () => {
    expect(isLexicallyInside('/out', '/out/a/b.txt')).toBe(true);
    expect(isLexicallyInside('/out', '/out')).toBe(true);
    expect(isLexicallyInside('/out', '/out/../etc/passwd')).toBe(false);
    expect(isLexicallyInside('/out', '/outside/x')).toBe(false);
    expect(isLexicallyInside('/out', '/etc/passwd')).toBe(false);
  });

  it('through symbolic links, for files and folders that do not exist yet', async () => {
    const out = join(dir, 'out');
    expect(await isInside(out, join(out, 'real/new/deeper/file.txt'))).toBe(true);
    expect(await isInside(out, join(out, 'link/file.txt'))).toBe(false);
    expect(await isInside(out, join(out, 'link/new/file.txt'))).toBe(false);
    // A root that is itself a link is followed: what is below it is inside.
    expect(await isInside(join(out, 'link'), join(out, 'link/file.txt'))).toBe(true);
  });

  it('output stems of files found in a folder stay in the output folder', () => {
    expect(outputStem('/in/a/b/scan.pdf', '/in', '/out')).toBe('/out/a/b/scan');
    expect(outputStem('/in/scan.pdf', '/in', null)).toBe('/in/scan.ocr');
  });

  it('the exporter refuses to write through a link out of the output folder, and writes nothing', async () => {
    const out = join(dir, 'out');
    const job = (stem: string) => ({
      sourcePath: join(dir, 'nothing.pdf'),
      kind: 'pdf' as const,
      pages: [{ text: 'secret words', words: [], width: 0, height: 0, source: 'text-layer' as const }],
      target: { formats: ['txt' as const], stem, overwrite: false, root: out },
    });
    await expect(exportDocument(job(join(out, 'link/scan')))).rejects.toMatchObject({
      code: 'OUTPUT_FAILED',
      message: expect.stringMatching(/leads outside the output folder/) as unknown,
    });
    await expect(exportDocument(job(join(out, '../escaped')))).rejects.toMatchObject({
      code: 'OUTPUT_FAILED',
    });
    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([]);
    expect(existsSync(join(dir, 'escaped.txt'))).toBe(false);
    // Inside: written.
    await exportDocument(job(join(out, 'real/scan')));
    expect(readdirSync(join(out, 'real'))).toEqual(['scan.txt']);
  });
});
