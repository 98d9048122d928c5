import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniff, describeStart } from '../../src/main/worker/sniff.ts';
import { sniffImage, decodeImagePage } from '../../src/main/worker/images.ts';
import { fitDpi, toPgm } from '../../src/main/worker/rasterize.ts';
import { textFromContent } from '../../src/main/worker/pdfDocument.ts';
import { listInstalledLanguages, parseLanguages } from '../../src/main/worker/languages.ts';
import { InputError } from '../../src/main/common/errors.ts';
import { cer } from '../helpers/cer.ts';

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus');
const read = (p: string): Uint8Array => new Uint8Array(readFileSync(path.join(corpus, p)));

describe('sniff', () => {
  it('recognises formats by content, not by name', () => {
    expect(sniff(read('bad/png-renamed.pdf'))).toEqual({ kind: 'image', format: 'png' });
    expect(sniff(read('synthetic/s09-photo-jpeg.jpg'))).toEqual({ kind: 'image', format: 'jpeg' });
    expect(sniff(read('synthetic/s10-tiff-3p.tif'))).toEqual({ kind: 'image', format: 'tiff' });
    expect(sniff(read('synthetic/s01-letter.pdf'))).toEqual({ kind: 'pdf' });
    expect(sniff(read('bad/random-bytes.pdf'))).toEqual({ kind: 'unknown' });
    expect(sniff(read('bad/not-an-image.jpg'))).toEqual({ kind: 'unknown' });
    expect(sniff(new TextEncoder().encode('GIF89a\x01\x00\x01\x00'))).toEqual({
      kind: 'image',
      format: 'gif',
    });
  });

  it('describes what an unknown file starts with', () => {
    expect(describeStart(read('bad/not-an-image.jpg'))).toMatch(/^"This is/);
    expect(describeStart(new Uint8Array([0xff, 0x4f, 0xff, 0x51, 0, 0]))).toMatch(/JPEG 2000/);
  });
});

describe('sniffImage (header only)', () => {
  it('reads size, pages and resolution', () => {
    expect(sniffImage(read('synthetic/s08-image-png.png'))).toMatchObject({
      format: 'png',
      width: 2550,
      height: 3300,
      pages: 1,
      dpiX: 300,
    });
    expect(sniffImage(read('synthetic/s09-photo-jpeg.jpg'))).toMatchObject({
      format: 'jpeg',
      width: 2550,
      height: 3300,
      dpiX: 300,
    });
    expect(sniffImage(read('synthetic/s10-tiff-3p.tif'))).toMatchObject({
      format: 'tiff',
      width: 2550,
      height: 3300,
      pages: 3,
      dpiX: 300,
    });
    expect(sniffImage(read('real/phototest.tif'))).toMatchObject({
      format: 'tiff',
      width: 640,
      height: 480,
      pages: 1,
      dpiX: 200,
    });
  });

  it('reports the claimed size of a decompression bomb without decoding it', () => {
    expect(sniffImage(read('bad/huge-dimensions.png'))).toMatchObject({
      width: 100000,
      height: 100000,
      maxPagePixels: 1e10,
    });
  });

  it('returns null for non-images and headers without a frame', () => {
    expect(sniffImage(read('bad/not-an-image.jpg'))).toBeNull();
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toBeNull();
  });

  it('decodes a CCITT G4 TIFF page to one grey channel', async () => {
    const page = await decodeImagePage(read('synthetic/s10-tiff-3p.tif'), 2);
    expect(page).toMatchObject({ width: 2550, height: 3300, channels: 1, dpiX: 300 });
    // Mostly white paper with black text, not inverted.
    const mean = page.data.reduce((a, v) => a + v, 0) / page.data.length;
    expect(mean).toBeGreaterThan(200);
  });
});

describe('fitDpi', () => {
  it('keeps the requested DPI when the page fits', () => {
    expect(fitDpi(612, 792, 300, 150e6)).toBe(300);
  });
  it('lowers the DPI of a huge page to fit the pixel limit', () => {
    const dpi = fitDpi(8400, 8400, 300, 150e6); // 116.7 in square page
    expect(dpi).toBeLessThan(300);
    const side = Math.ceil((8400 * dpi) / 72);
    expect(side * side).toBeLessThanOrEqual(150e6);
    expect(side * side).toBeGreaterThan(140e6);
  });
});

describe('toPgm', () => {
  it('writes a P5 header and luma bytes', () => {
    const rgba = new Uint8Array([255, 255, 255, 255, 0, 0, 0, 255]);
    const pgm = toPgm(2, 1, 4, rgba);
    const header = 'P5\n2 1\n255\n';
    expect(new TextDecoder().decode(pgm.subarray(0, header.length))).toBe(header);
    expect([...pgm.subarray(header.length)]).toEqual([255, 0]);
  });
});

describe('textFromContent', () => {
  it('joins pdf.js items into lines and counts characters', () => {
    const layer = textFromContent([
      { str: 'Hello', hasEOL: false },
      { str: ' ', hasEOL: false },
      { str: 'world', hasEOL: true },
      { str: 'next  line', hasEOL: false },
    ]);
    expect(layer).toEqual({ text: 'Hello world\nnext line', chars: 'Helloworldnextline'.length });
  });
});

describe('languages', () => {
  it('lists the installed packs, without osd', () => {
    const installed = listInstalledLanguages();
    expect(installed).toEqual(expect.arrayContaining(['eng', 'deu', 'fra', 'spa']));
    expect(installed).not.toContain('osd');
  });
  it('parses eng+fra and rejects packs that are not installed', () => {
    expect(parseLanguages('eng+fra')).toEqual(['eng', 'fra']);
    expect(parseLanguages(['eng', 'eng'])).toEqual(['eng']);
    expect(() => parseLanguages('eng+xyz')).toThrow(/"xyz" is not installed/);
    expect(() => parseLanguages('english')).toThrow(InputError);
  });
});

describe('cer helper', () => {
  it('normalises whitespace like cer.py', () => {
    expect(cer('a b\nc', 'a  b c').errors).toBe(0);
    expect(cer('abcd', 'abxd')).toMatchObject({ errors: 1, chars: 4, rate: 0.25 });
  });
});
