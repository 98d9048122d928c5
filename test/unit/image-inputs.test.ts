import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildImagePdf } from '../../src/main/worker/export/searchablePdf.ts';
import { decodeImagePage, sniffImage } from '../../src/main/worker/images.ts';
import { openDocument } from '../../src/main/worker/pdfDocument.ts';
import { sniff } from '../../src/main/worker/sniff.ts';
import type { DecodedImage } from '../../src/main/worker/ocrTypes.ts';
import { tempDir } from '../helpers/export-fixtures.ts';

/**
 * Image inputs as other readers show them: EXIF orientation (all eight) honoured for JPEG, PNG and
 * TIFF, in the pixels that are OCR'd and on the page that is written; Netpbm in all six forms.
 * The files are made at test time with ImageMagick (/usr/bin/convert) and exiftool.
 */
const dir = tempDir('image-inputs-');
const CONVERT = '/usr/bin/convert';
const convert = (...args: string[]): void => void execFileSync(CONVERT, args);
const file = (name: string): string => path.join(dir, name);

/** How ImageMagick stores a picture so that orientation `o` shows it upright (each is its own inverse, but 6/8). */
const STORED: Record<number, string[]> = {
  1: [],
  2: ['-flop'],
  3: ['-rotate', '180'],
  4: ['-flip'],
  5: ['-transpose'],
  6: ['-rotate', '-90'],
  7: ['-transverse', '+repage'],
  8: ['-rotate', '90'],
};

function mean(a: DecodedImage, b: DecodedImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

const grey = async (name: string): Promise<DecodedImage> =>
  decodeImagePage(new Uint8Array(readFileSync(file(name))), 0, { grey: true });

beforeAll(() => {
  // Asymmetric on both axes, so every wrong turn or mirror shows.
  convert(
    ...['-size', '240x100', 'xc:white', '-fill', 'black', '-font', 'Helvetica', '-pointsize', '40'],
    ...[
      '-annotate',
      '+8+45',
      'Fj 7',
      '-draw',
      'rectangle 200,70 236,96',
      '-density',
      '100',
      '-units',
      'PixelsPerInch',
    ],
    file('upright.png'),
  );
  for (let o = 1; o <= 8; o++) {
    const names = ['jpg', 'png', 'tif'].map((ext) => `o${o}.${ext}`);
    for (const name of names)
      convert(
        file('upright.png'),
        ...STORED[o],
        ...(name.endsWith('jpg') ? ['-quality', '95'] : []),
        file(name),
      );
    execFileSync('exiftool', ['-q', '-q', '-overwrite_original', `-Orientation#=${o}`, ...names.map(file)]);
  }
}, 120_000);

describe('EXIF orientation', () => {
  for (const ext of ['jpg', 'png', 'tif'])
    it(`${ext}: all eight orientations are read from the file and decoded as shown`, async () => {
      const upright = await grey('upright.png');
      for (let o = 1; o <= 8; o++) {
        const name = `o${o}.${ext}`;
        expect(sniffImage(new Uint8Array(readFileSync(file(name))))?.orientation, name).toBe(o);
        const shown = await grey(name);
        // JPEG is lossy: close, where a wrong turn or mirror differs by tens of levels.
        expect(mean(shown, upright), name).toBeLessThan(ext === 'jpg' ? 3 : 0.1);
      }
    });

  it('the raster OCR gets is the picture as shown (a turned JPEG is not handed over as stored)', async () => {
    const doc = await openDocument(file('o6.jpg'));
    if (doc.kind !== 'image') throw new Error('not an image');
    const raster = await doc.raster(1);
    await doc.close();
    expect([raster.width, raster.height]).toEqual([240, 100]);
    expect(raster.kind).toBe('pixels');
  });

  for (const name of ['o6.jpg', 'o5.png', 'o8.tif', 'o3.jpg'])
    it(`${name}: the searchable PDF shows the page upright, at its size as shown`, async () => {
      const source = new Uint8Array(readFileSync(file(name)));
      const out = file(`${name}.pdf`);
      const layer = { text: 'Fj', words: [], width: 240, height: 100, source: 'ocr' as const };
      writeFileSync(out, await buildImagePdf(source, [layer]));
      // Shown landscape (240 × 100), whatever way the file stores it.
      const size = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(
        execFileSync('pdfinfo', [out], { encoding: 'utf8' }),
      )!;
      expect(Number(size[1]) / Number(size[2])).toBeCloseTo(2.4, 1);
      execFileSync('pdftoppm', [
        '-scale-to-x',
        '240',
        '-scale-to-y',
        '100',
        '-gray',
        out,
        file(`${name}-render`),
      ]);
      const pgm = readFileSync(file(`${name}-render-1.pgm`));
      const [, w, h] = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString('latin1', 0, 40))!.map(Number);
      const data = pgm.subarray(pgm.length - w * h);
      const rendered: DecodedImage = { width: w, height: h, channels: 1, data, dpiX: 100, dpiY: 100 };
      expect(mean(rendered, await grey('upright.png'))).toBeLessThan(6);
    });
});

describe('Netpbm', () => {
  const forms: [string, string[]][] = [
    ['p1.pbm', ['-compress', 'none']],
    ['p4.pbm', []],
    ['p2.pgm', ['-colorspace', 'gray', '-compress', 'none']],
    ['p5.pgm', ['-colorspace', 'gray']],
    ['p5-16.pgm', ['-colorspace', 'gray', '-depth', '16']],
    ['p3.ppm', ['-compress', 'none']],
    ['p6.ppm', []],
  ];
  beforeAll(() => {
    for (const [name, args] of forms) convert(file('upright.png'), ...args, file(name));
  });

  it('P1–P6 (and 16-bit samples) are sniffed by content and decode to the picture', async () => {
    const upright = await grey('upright.png');
    for (const [name] of forms) {
      const bytes = new Uint8Array(readFileSync(file(name)));
      const magic = String.fromCharCode(bytes[0], bytes[1]);
      expect(sniff(bytes.subarray(0, 1024)), name).toMatchObject({ kind: 'image' });
      expect(sniffImage(bytes), name).toMatchObject({ width: 240, height: 100, pages: 1 });
      // PBM is thresholded to black and white: the anti-aliased edges differ.
      expect(mean(await grey(name), upright), `${name} (${magic})`).toBeLessThan(
        name.endsWith('pbm') ? 12 : 0.6,
      );
    }
  });

  it('a cut-off file is refused as incomplete, and a text that starts with "P1" is no image', async () => {
    const whole = readFileSync(file('p5.pgm'));
    writeFileSync(file('cut.pgm'), whole.subarray(0, whole.length / 2));
    await expect(grey('cut.pgm')).rejects.toMatchObject({
      code: 'DAMAGED_FILE',
      message: expect.stringMatching(/the PGM image is incomplete: it holds 4\d of its 100 rows/) as unknown,
    });
    expect(sniff(Buffer.from('P1 is the answer to everything'))).toEqual({ kind: 'unknown' });
    expect(sniff(Buffer.from('P6\n# made by a scanner\n240 100\n255\n'))).toMatchObject({ format: 'ppm' });
  });
});
