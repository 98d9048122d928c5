/**
 * Kinds of real-world files other readers open, made at test time with the tools that make them in
 * the wild: PDF/A-1/2/3 by OCRmyPDF, owner-password encryption by qpdf, EXIF orientation by
 * exiftool, Netpbm by ImageMagick (/usr/bin/convert; /usr/local/bin/convert may be a stand-in),
 * incremental updates and damaged page trees object by object (pdfBuilder.ts). One small page of
 * text each, so the whole set is OCR'd in seconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildPdfSections, HELVETICA, pageDict, textContent, type PdfObject } from './pdfBuilder.ts';

export const CONVERT = '/usr/bin/convert';

/** The words every scanned page here holds. */
export const PAGE_TEXT = ['The quick brown fox', 'jumps over the lazy dog'];

/** What a file should become: done with these texts (one per page), or refused/skipped for a reason. */
export type Expectation = { done: string[] } | { failed: RegExp; code: string } | { skipped: RegExp };

export interface RealWorldFile {
  name: string;
  what: string;
  expect: Expectation;
}

const run = (tool: string, ...args: string[]): void => void execFileSync(tool, args, { stdio: 'pipe' });

/** How ImageMagick stores a picture so that EXIF orientation `o` shows it upright. */
const STORED: Record<number, string[]> = {
  3: ['-rotate', '180'],
  6: ['-rotate', '-90'],
  8: ['-rotate', '90'],
};

/** A text page as born-digital PDF content (no OCR needed: the page's own text is kept). */
function textPdf(objects: (text: string) => PdfObject[], text: string): Buffer {
  return buildPdfSections([{ objects: objects(text), trailer: '/Root 1 0 R' }]);
}

/** Writes the set into `dir` (work files into `dir`/../make) and says what each should give. */
export function writeRealWorldFiles(dir: string): RealWorldFile[] {
  const make = path.join(dir, '..', 'make');
  mkdirSync(dir, { recursive: true });
  mkdirSync(make, { recursive: true });
  const at = (name: string): string => path.join(dir, name);
  const tmp = (name: string): string => path.join(make, name);
  const files: RealWorldFile[] = [];
  const scanned = { done: [PAGE_TEXT.join(' ')] };

  // The scanned page: two lines of text at 200 DPI, 5 × 2 inches.
  run(
    CONVERT,
    ...['-size', '1000x400', 'xc:white', '-font', 'Helvetica', '-pointsize', '48', '-fill', 'black'],
    ...['-annotate', '+40+120', PAGE_TEXT[0], '-annotate', '+40+220', PAGE_TEXT[1]],
    ...['-density', '200', '-units', 'PixelsPerInch', tmp('page.png')],
  );

  // PDF/A of each part, as OCRmyPDF writes them (its own OCR skipped: the page is an image only).
  for (const part of [1, 2, 3]) {
    const name = `pdfa-${part}b.pdf`;
    run(
      'ocrmypdf',
      '-q',
      '--output-type',
      `pdfa-${part}`,
      '--tesseract-timeout',
      '0',
      '--image-dpi',
      '200',
      tmp('page.png'),
      at(name),
    );
    files.push({ name, what: `PDF/A-${part}b made by ocrmypdf`, expect: scanned });
  }
  // Encrypted with an owner password only: RC4 on the PDF/A-1 (PDF 1.4, a classic cross-reference
  // table once decrypted), AES-256 on the PDF/A-2.
  run(
    'qpdf',
    '--allow-weak-crypto',
    '--encrypt',
    '',
    'owner',
    '40',
    '--',
    at('pdfa-1b.pdf'),
    at('owner-rc4-pdfa-1b.pdf'),
  );
  files.push({
    name: 'owner-rc4-pdfa-1b.pdf',
    what: 'PDF/A-1b, RC4 40-bit, owner password only',
    expect: scanned,
  });
  run('qpdf', '--encrypt', '', 'owner', '256', '--', at('pdfa-2b.pdf'), at('owner-aes256.pdf'));
  files.push({ name: 'owner-aes256.pdf', what: 'AES-256, owner password only', expect: scanned });

  // Photos and scans stored turned, with the EXIF/TIFF orientation that shows them upright.
  for (const [name, o] of [
    ['phone-turned-90.jpg', 6],
    ['phone-upside-down.jpg', 3],
    ['scan-turned-270.tif', 8],
  ] as const) {
    run(CONVERT, tmp('page.png'), ...STORED[o], at(name));
    run('exiftool', '-q', '-q', '-overwrite_original', `-Orientation#=${o}`, at(name));
    files.push({ name, what: `stored turned, EXIF orientation ${o}`, expect: scanned });
  }

  // Netpbm, plain and raw, bilevel, grey and colour.
  for (const [name, args] of [
    ['scan-p1.pbm', ['-compress', 'none']],
    ['scan-p2.pgm', ['-colorspace', 'gray', '-compress', 'none']],
    ['scan-p3.ppm', ['-compress', 'none']],
    ['scan-p4.pbm', []],
    ['scan-p5.pgm', ['-colorspace', 'gray']],
    ['scan-p6.ppm', []],
  ] as const) {
    run(CONVERT, tmp('page.png'), ...args, at(name));
    files.push({ name, what: `Netpbm ${name.slice(5, 7).toUpperCase()}`, expect: scanned });
  }

  // Born-digital pages (their text is kept, not OCR'd) with a history or a damaged tree.
  const onePage = (text: string): PdfObject[] => [
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { num: 3, body: pageDict(2, '4 0 R') },
    { num: 4, body: textContent(text) },
    { num: 5, body: HELVETICA },
  ];
  for (const xrefStream of [false, true]) {
    const name = xrefStream ? 'edited-xref-stream.pdf' : 'edited.pdf';
    writeFileSync(
      at(name),
      buildPdfSections([
        { objects: onePage('First draft of the letter'), trailer: '/Root 1 0 R' },
        {
          objects: [
            { num: 3, body: pageDict(2, '4 1 R') },
            { num: 4, gen: 1, body: textContent('Final text of the letter') },
          ],
          trailer: '/Root 1 0 R',
          xrefStream,
        },
      ]),
    );
    files.push({
      name,
      what: 'an incremental update replaces the page text under a new generation',
      expect: { done: ['Final text of the letter'] },
    });
  }
  writeFileSync(
    at('lying-count.pdf'),
    textPdf(
      (t) =>
        onePage(t).map((o) =>
          o.num === 2 ? { ...o, body: '<< /Type /Pages /Kids [3 0 R] /Count 9999999999 >>' } : o,
        ),
      'One page claiming billions',
    ),
  );
  files.push({
    name: 'lying-count.pdf',
    what: 'a page tree claiming 9,999,999,999 pages over one',
    expect: { done: ['One page claiming billions'] },
  });
  writeFileSync(
    at('cyclic-tree.pdf'),
    buildPdfSections([
      {
        objects: [
          { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
          { num: 2, body: '<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 3 >>' },
          { num: 3, body: pageDict(2, '4 0 R') },
          { num: 4, body: textContent('Before the loop') },
          { num: 5, body: HELVETICA },
          { num: 6, body: '<< /Type /Pages /Parent 2 0 R /Kids [6 0 R 7 0 R] /Count 2 >>' },
          { num: 7, body: pageDict(6, '8 0 R') },
          { num: 8, body: textContent('After the loop') },
        ],
        trailer: '/Root 1 0 R',
      },
    ]),
  );
  files.push({
    name: 'cyclic-tree.pdf',
    what: 'a page tree node that lists itself',
    expect: { done: ['Before the loop', 'After the loop'] },
  });

  // A dynamic XFA form: its page is Adobe's placeholder, the form lives in the XFA stream.
  const xdp = Buffer.from(
    '<?xml version="1.0"?><xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template xmlns="http://www.xfa.org/schema/xfa-template/3.3/"><subform name="form1" layout="tb"><pageSet><pageArea name="P1"><contentArea x="0.25in" y="0.25in" w="8in" h="10.5in"/><medium stock="default" short="8.5in" long="11in"/></pageArea></pageSet><subform w="8in" h="10.5in"><draw name="T" x="1in" y="1in" w="5in" h="1in"><value><text>Form text</text></value></draw></subform></subform></template></xdp:xdp>',
  );
  writeFileSync(
    at('xfa-form.pdf'),
    buildPdfSections([
      {
        objects: [
          {
            num: 1,
            body: '<< /Type /Catalog /Pages 2 0 R /NeedsRendering true /AcroForm << /Fields [] /XFA 6 0 R >> >>',
          },
          { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
          { num: 3, body: pageDict(2, '4 0 R') },
          { num: 4, body: textContent('Please wait...') },
          { num: 5, body: HELVETICA },
          { num: 6, body: { dict: `<< /Length ${xdp.length} >>`, stream: xdp } },
        ],
        trailer: '/Root 1 0 R',
      },
    ]),
  );
  files.push({
    name: 'xfa-form.pdf',
    what: 'a dynamic XFA form',
    expect: {
      code: 'UNSUPPORTED_FORMAT',
      failed: /dynamic XFA form .*only by Adobe Acrobat and Adobe Reader/,
    },
  });

  // Entries a folder walk meets that are no document to read.
  run('mkfifo', at('scanner-pipe.pdf'));
  files.push({
    name: 'scanner-pipe.pdf',
    what: 'a named pipe',
    expect: { skipped: /a named pipe, not a file/ },
  });
  writeFileSync(at('archive-scan.jp2'), Buffer.from([0, 0, 0, 12, 0x6a, 0x50, 0x20, 0x20, 13, 10, 0x87, 10]));
  files.push({
    name: 'archive-scan.jp2',
    what: 'JPEG 2000',
    expect: { skipped: /JPEG 2000 files are not read/ },
  });
  return files;
}
