import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSearchablePdf } from '../../src/main/worker/export/searchablePdf.ts';
import { resolveLimits } from '../../src/main/worker/ocrTypes.ts';
import { openPdfBytes } from '../../src/main/worker/pdfDocument.ts';
import { poppler, tempDir } from '../helpers/export-fixtures.ts';
import { buildPdfSections, HELVETICA, pageDict, textContent, type PdfObject } from '../helpers/pdfBuilder.ts';

/**
 * Source PDFs that pdf-lib alone writes back broken (src/main/worker/pdfRepair/): objects in two
 * versions, decrypted strings, damaged page trees, PDF/A-1. Each is read as the OCR reads it
 * (pdf.js), given a text layer on every page, written, and the output is checked the way a user's
 * other tools would see it: qpdf --check, the page count and each page's text (poppler).
 */
const dir = tempDir('pdf-repair-');

interface Written {
  file: string;
  pages: number;
  /** Text of each page (pdftotext), whitespace-normalised. */
  texts: string[];
  qpdf: { status: number | null; output: string };
}

async function readAndWrite(name: string, source: Buffer): Promise<Written> {
  const doc = await openPdfBytes(new Uint8Array(source), resolveLimits());
  const pages = doc.pageCount;
  await doc.close();
  const layer = Array.from({ length: pages }, (_, i) => ({
    text: `layer${i + 1}`,
    words: [{ text: `layer${i + 1}`, x0: 100, y0: 400, x1: 300, y1: 440, confidence: 90 }],
    width: 1000,
    height: 1000,
    source: 'ocr' as const,
  }));
  const file = path.join(dir, name);
  writeFileSync(file, await buildSearchablePdf(new Uint8Array(source), layer));
  const check = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  const count = Number(/^Pages:\s+(\d+)/m.exec(poppler('pdfinfo', file))?.[1]);
  const texts = Array.from({ length: count }, (_, i) =>
    poppler('pdftotext', '-f', String(i + 1), '-l', String(i + 1), file, '-')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  return { file, pages: count, texts, qpdf: { status: check.status, output: check.stdout + check.stderr } };
}

const catalog = (extra = ''): PdfObject => ({ num: 1, body: `<< /Type /Catalog /Pages 2 0 R ${extra}>>` });
const onePageTree: PdfObject = { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' };

describe('incremental updates', () => {
  const base = {
    objects: [
      catalog(),
      onePageTree,
      { num: 3, body: pageDict(2, '4 0 R') },
      { num: 4, body: textContent('Old words of the page') },
      { num: 5, body: HELVETICA },
    ],
    trailer: '/Root 1 0 R',
  };

  for (const xrefStream of [false, true])
    it(`an object replaced under a new generation is written once, the new version (${xrefStream ? 'cross-reference stream' : 'classic table'} update)`, async () => {
      const source = buildPdfSections([
        base,
        {
          // Object 4 is deleted and its number reused with generation 1, as editors do.
          objects: [
            { num: 3, body: pageDict(2, '4 1 R') },
            { num: 4, gen: 1, body: textContent('New words of the page') },
          ],
          trailer: '/Root 1 0 R',
          xrefStream,
        },
      ]);
      const out = await readAndWrite(`update-generation-${xrefStream}.pdf`, source);
      expect(out.qpdf.status, out.qpdf.output).toBe(0);
      expect(out.pages).toBe(1);
      expect(out.texts[0]).toContain('New words of the page');
      expect(out.texts[0]).toContain('layer1');
      expect(readFileSync(out.file).toString('latin1')).not.toContain('Old words');
    });

  it('objects an update deleted, and whatever nothing references any more, are not written', async () => {
    const source = buildPdfSections([
      { ...base, objects: [...base.objects, { num: 6, body: textContent('Orphan words') }] },
      {
        objects: [
          { num: 3, body: pageDict(2, '7 0 R') },
          { num: 7, body: textContent('Replacement words') },
        ],
        freed: [{ num: 4, gen: 1 }],
        trailer: '/Root 1 0 R',
      },
    ]);
    const out = await readAndWrite('update-deleted.pdf', source);
    expect(out.qpdf.status, out.qpdf.output).toBe(0);
    expect(out.texts[0]).toContain('Replacement words');
    const bytes = readFileSync(out.file).toString('latin1');
    expect(bytes).not.toContain('Old words');
    expect(bytes).not.toContain('Orphan words');
  });
});

describe('page trees other readers step around', () => {
  const font = { num: 5, body: HELVETICA };
  const content = (num: number, text: string): PdfObject => ({ num, body: textContent(text) });
  const cases: { name: string; objects: PdfObject[]; texts: string[] }[] = [
    {
      name: 'a /Count of 9,999,999,999 over one page',
      objects: [
        catalog(),
        { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 9999999999 >>' },
        { num: 3, body: pageDict(2, '4 0 R') },
        content(4, 'Only page'),
        font,
      ],
      texts: ['Only page'],
    },
    {
      name: 'a kid that points back to the root',
      objects: [
        catalog(),
        { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 2 >>' },
        { num: 3, body: '<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 6 0 R] /Count 2 >>' },
        content(4, 'After the loop'),
        font,
        { num: 6, body: pageDict(3, '4 0 R') },
      ],
      texts: ['After the loop'],
    },
    {
      name: 'a node that lists itself between two pages',
      objects: [
        catalog(),
        { num: 2, body: '<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 3 >>' },
        { num: 3, body: pageDict(2, '4 0 R') },
        content(4, 'First page'),
        font,
        { num: 6, body: '<< /Type /Pages /Parent 2 0 R /Kids [6 0 R 7 0 R] /Count 2 >>' },
        { num: 7, body: pageDict(6, '8 0 R') },
        content(8, 'Second page'),
      ],
      texts: ['First page', 'Second page'],
    },
    {
      name: 'a catalog whose /Pages is the page itself',
      objects: [
        catalog(),
        {
          num: 2,
          body: '<< /Type /Page /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
        },
        content(4, 'Root is a page'),
        font,
      ],
      texts: ['Root is a page'],
    },
    {
      name: 'one page listed twice',
      objects: [
        catalog(),
        { num: 2, body: '<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>' },
        { num: 3, body: pageDict(2, '4 0 R') },
        content(4, 'Twice shown'),
        font,
      ],
      texts: ['Twice shown', 'Twice shown'],
    },
    {
      name: 'a /Parent that points into a loop, and a page without /Type',
      objects: [
        catalog(),
        { num: 2, body: '<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>' },
        { num: 3, body: pageDict(3, '4 0 R') },
        content(4, 'Parent loops'),
        font,
        {
          num: 6,
          body: '<< /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 7 0 R >>',
        },
        content(7, 'No type'),
      ],
      texts: ['Parent loops', 'No type'],
    },
  ];
  for (const c of cases)
    it(`${c.name}: read and written with the pages readers show, the true count, a clean file`, async () => {
      const out = await readAndWrite(
        `${c.name.replace(/\W+/g, '-')}.pdf`,
        buildPdfSections([{ objects: c.objects, trailer: '/Root 1 0 R' }]),
      );
      expect(out.qpdf.status, out.qpdf.output).toBe(0);
      expect(out.pages).toBe(c.texts.length);
      c.texts.forEach((t, i) => {
        expect(out.texts[i]).toContain(t);
        // Each page carries its own layer, none another's.
        expect(out.texts[i]).toContain(`layer${i + 1}`);
        expect(out.texts[i].match(/layer\d/g)).toHaveLength(1);
      });
    });

  it('a tree nested 300 levels deep is written flat, every page with what it inherited', async () => {
    const objects: PdfObject[] = [catalog()];
    const depth = 300;
    for (let d = 0; d < depth; d++) {
      const id = d + 2;
      const kid = d === depth - 1 ? depth + 2 : id + 1;
      // The resources are inherited from the root, the media box from the deepest node.
      const inherited =
        d === 0
          ? '/Resources << /Font << /F1 5000 0 R >> >>'
          : d === depth - 1
            ? '/MediaBox [0 0 600 800]'
            : '';
      objects.push({
        num: id,
        body: `<< /Type /Pages ${d > 0 ? `/Parent ${id - 1} 0 R ` : ''}/Kids [${kid} 0 R] /Count 1 ${inherited} >>`,
      });
    }
    objects.push({
      num: depth + 2,
      body: `<< /Type /Page /Parent ${depth + 1} 0 R /Contents ${depth + 3} 0 R >>`,
    });
    objects.push(content(depth + 3, 'Deep page'));
    objects.push({ num: 5000, body: HELVETICA });
    const out = await readAndWrite('deep-tree.pdf', buildPdfSections([{ objects, trailer: '/Root 1 0 R' }]));
    expect(out.qpdf.status, out.qpdf.output).toBe(0);
    expect(out.texts[0]).toContain('Deep page');
    expect(poppler('pdfinfo', out.file)).toMatch(/Page size:\s+600 x 800 pts/);
  });
});

describe('decrypted files', () => {
  it('a file encrypted with literal strings (owner password only) keeps its title and loses its encryption dictionary', async () => {
    // Encrypted by qpdf, then its strings rewritten as escaped literal strings, as other
    // producers write them (fix-qdf puts the offsets right again).
    const plain = path.join(dir, 'title-plain.pdf');
    writeFileSync(
      plain,
      buildPdfSections([
        {
          objects: [
            catalog(),
            onePageTree,
            { num: 3, body: pageDict(2, '4 0 R') },
            { num: 4, body: textContent('Title test page') },
            { num: 5, body: HELVETICA },
            { num: 6, body: '<< /Title (Chapter 1\\) Intro \\\\ back) /Author (A \\(B) >>' },
          ],
          trailer: '/Root 1 0 R /Info 6 0 R',
        },
      ]),
    );
    const qdf = path.join(dir, 'title-qdf.pdf');
    execFileSync('qpdf', [
      '--qdf',
      '--allow-weak-crypto',
      '--encrypt',
      '',
      'owner',
      '128',
      '--use-aes=n',
      '--',
      plain,
      qdf,
    ]);
    const literal = (hex: string): string => {
      let out = '(';
      for (const byte of Buffer.from(hex, 'hex'))
        out +=
          byte === 0x28 || byte === 0x29 || byte === 0x5c
            ? `\\${String.fromCharCode(byte)}`
            : byte < 32 || byte > 126
              ? `\\${byte.toString(8).padStart(3, '0')}`
              : String.fromCharCode(byte);
      return `${out})`;
    };
    const edited = readFileSync(qdf)
      .toString('latin1')
      .replace(
        /\/(Title|Author|O|U) <([0-9a-f]+)>/g,
        (_m, key: string, hex: string) => `/${key} ${literal(hex)}`,
      );
    expect(edited).toMatch(/\/Title \(/);
    writeFileSync(qdf, Buffer.from(edited, 'latin1'));
    const source = execFileSync('fix-qdf', [qdf]);
    const sourceFile = path.join(dir, 'title-literal.pdf');
    writeFileSync(sourceFile, source);
    // The source as poppler sees it: encrypted, and its title readable.
    expect(poppler('pdfinfo', sourceFile)).toMatch(/^Encrypted:\s+yes/m);
    expect(poppler('pdfinfo', sourceFile)).toMatch(/^Title:\s+Chapter 1\) Intro \\ back$/m);

    const out = await readAndWrite('title-decrypted.pdf', source);
    expect(out.qpdf.status, out.qpdf.output).toBe(0);
    const info = poppler('pdfinfo', out.file);
    expect(info).toMatch(/^Title:\s+Chapter 1\) Intro \\ back$/m);
    expect(info).toMatch(/^Author:\s+A \(B$/m);
    expect(info).toMatch(/^Encrypted:\s+no/m);
    expect(readFileSync(out.file).toString('latin1')).not.toMatch(/\/Encrypt|\/Filter \/Standard/);
  });
});

describe('PDF/A-1', () => {
  it('is written with a classic cross-reference table and keeps its version and claim', async () => {
    const xmp = Buffer.from(
      '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>1</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>',
    );
    const source = buildPdfSections(
      [
        {
          objects: [
            catalog('/Metadata 6 0 R'),
            onePageTree,
            { num: 3, body: pageDict(2, '4 0 R') },
            { num: 4, body: textContent('Archival page') },
            { num: 5, body: HELVETICA },
            {
              num: 6,
              body: { dict: `<< /Type /Metadata /Subtype /XML /Length ${xmp.length} >>`, stream: xmp },
            },
          ],
          trailer: '/Root 1 0 R /ID [<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>]',
        },
      ],
      '1.4',
    );
    const out = await readAndWrite('pdfa1.pdf', source);
    expect(out.qpdf.status, out.qpdf.output).toBe(0);
    const bytes = readFileSync(out.file).toString('latin1');
    expect(bytes.startsWith('%PDF-1.4')).toBe(true);
    expect(bytes).not.toMatch(/\/Type\s*\/(ObjStm|XRef)/);
    expect(bytes).toContain('<pdfaid:part>1</pdfaid:part>');
    expect(out.texts[0]).toContain('Archival page');
  });
});
