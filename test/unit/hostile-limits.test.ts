import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/main/worker/ocrTypes.ts';
import { pdfjsOpenOptions } from '../../src/main/worker/pdfjsOptions.ts';
import { MAX_GRAPHICS_STATE_DEPTH, precheckPdf } from '../../src/main/worker/pdfPrecheck.ts';
import { buildPdf } from '../helpers/hostileFiles.ts';

const require = createRequire(import.meta.url);
const pdfjsDir = dirname(require.resolve('pdfjs-dist/package.json'));

describe('pdf.js runs on PDFs as data only', () => {
  const options = pdfjsOpenOptions(new Uint8Array([1]), DEFAULT_LIMITS, '/assets/', 1);

  it('no eval, no font loading from the PDF or the system, no XFA, images and canvases capped', () => {
    expect(options).toMatchObject({
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      enableXfa: false,
      isOffscreenCanvasSupported: false,
      fontExtraProperties: false,
      pdfBug: false,
      maxImageSize: DEFAULT_LIMITS.maxImagePixels,
      canvasMaxAreaInBytes: DEFAULT_LIMITS.maxPagePixels * 4,
    });
    // Fonts, CMaps and decoders come from the package on disk, never from a URL.
    for (const key of ['standardFontDataUrl', 'cMapUrl', 'wasmUrl', 'iccUrl'] as const)
      expect(options[key]).toMatch(/^\/assets\//);
  });

  it('the pdf.js build we load contains no eval or Function constructor to switch on', () => {
    for (const file of ['legacy/build/pdf.mjs', 'legacy/build/pdf.worker.mjs']) {
      const code = readFileSync(join(pdfjsDir, file), 'utf8');
      expect(code, file).not.toMatch(/[^.\w]eval\s*\(/);
      expect(code, file).not.toMatch(/new Function\s*\(/);
    }
  });

  it('pdfDocument.ts opens every PDF with these options', () => {
    const src = readFileSync(join(import.meta.dirname, '../../src/main/worker/pdfDocument.ts'), 'utf8');
    // Every pdf.js document is opened with these options (the second: the dynamic-XFA check).
    const calls = [...src.matchAll(/getDocument\(/g)].length;
    expect(calls).toBeGreaterThan(0);
    expect([...src.matchAll(/pdfjs\.getDocument\(\s*pdfjsOpenOptions\(/g)]).toHaveLength(calls);
    expect(src).toMatch(/await precheckPdf\(bytes\)/);
  });
});

describe('stream precheck', () => {
  const page = (contents: { dict: string; stream: Buffer }): Buffer =>
    buildPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
      contents,
    ]);
  const flate = (data: Buffer, extra = ''): { dict: string; stream: Buffer } => {
    const stream = deflateSync(data);
    return { dict: `<< /Length ${stream.length} /Filter /FlateDecode ${extra}>>`, stream };
  };

  it('refuses a Flate stream that expands past the budget, with sizes in the message', async () => {
    const pdf = page(flate(Buffer.alloc(3 * 1024 * 1024, 0x20)));
    await expect(precheckPdf(pdf, 2 * 1024 * 1024)).rejects.toThrow(
      /compressed stream of \d+ KB that expands to more than 2 MB/,
    );
    await expect(precheckPdf(pdf, 4 * 1024 * 1024)).resolves.toBeUndefined();
  });

  it('leaves image streams to pdf.js (it decodes only their declared size)', async () => {
    await expect(
      precheckPdf(page(flate(Buffer.alloc(3 * 1024 * 1024), '/Subtype /Image ')), 1024 * 1024),
    ).resolves.toBeUndefined();
  });

  it('refuses graphics states nested past the limit, plain or compressed; accepts ordinary nesting', async () => {
    const deep = (n: number): Buffer => Buffer.from('q '.repeat(n) + '0 0 m ' + 'Q '.repeat(n));
    await expect(precheckPdf(page(flate(deep(MAX_GRAPHICS_STATE_DEPTH + 1))))).rejects.toThrow(
      /nests graphics states 2,001 levels deep/,
    );
    const plain = deep(MAX_GRAPHICS_STATE_DEPTH + 1);
    await expect(precheckPdf(page({ dict: `<< /Length ${plain.length} >>`, stream: plain }))).rejects.toThrow(
      /nests/,
    );
    // 2,000 balanced saves one after the other are not deep.
    const wide = Buffer.from('q 0 0 m Q '.repeat(5_000));
    await expect(precheckPdf(page(flate(wide)))).resolves.toBeUndefined();
    await expect(precheckPdf(page(flate(deep(50))))).resolves.toBeUndefined();
  });

  it('damaged or unknown streams are left to pdf.js, never an exception of its own', async () => {
    const garbage = { dict: '<< /Length 10 /Filter /FlateDecode >>', stream: Buffer.from('not zlib!!') };
    await expect(precheckPdf(page(garbage))).resolves.toBeUndefined();
    await expect(precheckPdf(Buffer.from('stream\nendstream stream'))).resolves.toBeUndefined();
    await expect(precheckPdf(Buffer.alloc(0))).resolves.toBeUndefined();
  });
});

describe('stream precheck reads Flate as pdf.js does', () => {
  it('a bad checksum or a damaged tail does not hide a bomb or deep nesting', async () => {
    const bomb = deflateSync(Buffer.alloc(3 * 1024 * 1024, 0x20));
    bomb[bomb.length - 1] ^= 0xff; // adler32 wrong: zlib refuses it, pdf.js does not check
    const pdf = buildPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
      { dict: `<< /Length ${bomb.length} /Filter /FlateDecode >>`, stream: bomb },
    ]);
    await expect(precheckPdf(pdf, 1024 * 1024)).rejects.toThrow(/decompression bomb/);
  });
});

describe('stray pdf.js rejections', () => {
  it('pdf.js background errors are recognised; our own errors are not', async () => {
    const { isPdfjsStray } = await import('../../src/main/worker/strayRejections.ts');
    const xref = Object.assign(new Error('Bad (uncompressed) XRef entry: 21R'), {
      name: 'XRefEntryException',
    });
    expect(isPdfjsStray(xref)).toBe(true);
    expect(isPdfjsStray(new TypeError('x is undefined'))).toBe(false);
    expect(isPdfjsStray(new Error('ours'))).toBe(false);
    expect(isPdfjsStray(undefined)).toBe(false);
  });
});
