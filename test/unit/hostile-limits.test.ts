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
    expect(src).toMatch(/pdfjs\.getDocument\(\s*pdfjsOpenOptions\(/);
    expect([...src.matchAll(/getDocument\(/g)]).toHaveLength(1);
    expect(src).toMatch(/precheckPdf\(bytes\)/);
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

  it('refuses a Flate stream that expands past the budget, with sizes in the message', () => {
    const pdf = page(flate(Buffer.alloc(3 * 1024 * 1024, 0x20)));
    expect(() => precheckPdf(pdf, 2 * 1024 * 1024)).toThrow(
      /compressed stream of \d+ KB that expands to more than 2 MB/,
    );
    expect(() => precheckPdf(pdf, 4 * 1024 * 1024)).not.toThrow();
  });

  it('leaves image streams to pdf.js (it decodes only their declared size)', () => {
    expect(() =>
      precheckPdf(page(flate(Buffer.alloc(3 * 1024 * 1024), '/Subtype /Image ')), 1024 * 1024),
    ).not.toThrow();
  });

  it('refuses graphics states nested past the limit, plain or compressed; accepts ordinary nesting', () => {
    const deep = (n: number): Buffer => Buffer.from('q '.repeat(n) + '0 0 m ' + 'Q '.repeat(n));
    expect(() => precheckPdf(page(flate(deep(MAX_GRAPHICS_STATE_DEPTH + 1))))).toThrow(
      /nests graphics states 2,001 levels deep/,
    );
    const plain = deep(MAX_GRAPHICS_STATE_DEPTH + 1);
    expect(() => precheckPdf(page({ dict: `<< /Length ${plain.length} >>`, stream: plain }))).toThrow(
      /nests/,
    );
    // 2,000 balanced saves one after the other are not deep.
    const wide = Buffer.from('q 0 0 m Q '.repeat(5_000));
    expect(() => precheckPdf(page(flate(wide)))).not.toThrow();
    expect(() => precheckPdf(page(flate(deep(50))))).not.toThrow();
  });

  it('damaged or unknown streams are left to pdf.js, never an exception of its own', () => {
    const garbage = { dict: '<< /Length 10 /Filter /FlateDecode >>', stream: Buffer.from('not zlib!!') };
    expect(() => precheckPdf(page(garbage))).not.toThrow();
    expect(() => precheckPdf(Buffer.from('stream\nendstream stream'))).not.toThrow();
    expect(() => precheckPdf(Buffer.alloc(0))).not.toThrow();
  });
});
