/**
 * Every file in corpus/bad either fails with its specific code or succeeds where
 * bad/README.md says it should. Probing only (no OCR): fast.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeFile, openDocument } from '../../src/main/worker/probe.ts';
import { InputError } from '../../src/main/common/errors.ts';
import type { ErrorCode } from '../../src/shared/model.ts';

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus');
const bad = (name: string): string => path.join(corpus, 'bad', name);

async function failure(promise: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const e = error as InputError;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a failure');
}

describe('probeFile on corpus/bad', () => {
  const rejected: [string, ErrorCode, RegExp][] = [
    ['empty.pdf', 'EMPTY_FILE', /file is empty \(0 bytes\)/],
    ['truncated.pdf', 'DAMAGED_FILE', /damaged or incomplete/],
    ['random-bytes.pdf', 'UNSUPPORTED_FORMAT', /not a valid PDF/],
    ['encrypted-user-password.pdf', 'PASSWORD_PROTECTED', /password protected/],
    [
      'huge-dimensions.png',
      'TOO_LARGE',
      /100000 × 100000 pixels \(10,000 megapixels\); the limit is 150 megapixels/,
    ],
    ['not-an-image.jpg', 'UNSUPPORTED_FORMAT', /not a valid JPEG image/],
  ];
  for (const [name, code, message] of rejected) {
    it(`rejects ${name} with ${code}`, async () => {
      const probe = await failure(probeFile(bad(name)));
      expect(probe.code).toBe(code);
      expect(probe.message).toMatch(message);
      // openDocument (what the worker uses per page) agrees.
      expect((await failure(openDocument(bad(name)))).code).toBe(code);
    });
  }

  it('sniffs png-renamed.pdf as a PNG image', async () => {
    const probe = await probeFile(bad('png-renamed.pdf'));
    expect(probe).toMatchObject({ kind: 'image', pageCount: 1 });
    expect(probe.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('opens broken-xref.pdf (pdf.js rebuilds the xref)', async () => {
    expect(await probeFile(bad('broken-xref.pdf'))).toMatchObject({ kind: 'pdf', pageCount: 1 });
  });

  it('opens the file with a unicode name in a unicode folder', async () => {
    const file = path.join(
      corpus,
      'bad',
      'Ünïcødé folder — 日本語 ✓',
      'scan with spaces & ümlauts (copy 2) #1.pdf',
    );
    expect(await probeFile(file)).toMatchObject({ kind: 'pdf', pageCount: 1 });
  });

  it('reports a missing file and a folder', async () => {
    expect((await failure(probeFile(bad('does-not-exist.pdf')))).code).toBe('NOT_FOUND');
    expect((await failure(probeFile(path.join(corpus, 'bad')))).code).toBe('UNSUPPORTED_FORMAT');
  });

  it('counts the pages of a multi-page TIFF and a PDF', async () => {
    expect(await probeFile(path.join(corpus, 'synthetic/s10-tiff-3p.tif'))).toMatchObject({
      kind: 'image',
      pageCount: 3,
    });
    expect(await probeFile(path.join(corpus, 'synthetic/s02-report-5p.pdf'))).toMatchObject({
      kind: 'pdf',
      pageCount: 5,
    });
  });

  it('refuses an image over a lowered pixel limit, from the header', async () => {
    const probe = await failure(
      probeFile(path.join(corpus, 'synthetic/s08-image-png.png'), { maxImagePixels: 1_000_000 }),
    );
    expect(probe).toMatchObject({ code: 'TOO_LARGE' });
    expect(probe.message).toMatch(
      /the image is 2550 × 3300 pixels \(8.4 megapixels\); the limit is 1 megapixels; .*--max-image-mpixels 9 .*Settings/,
    );
  });
});
