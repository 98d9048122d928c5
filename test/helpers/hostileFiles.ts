/**
 * Hostile inputs, generated at test time into a folder (nothing big is committed): decompression
 * bombs (PNG, TIFF, PDF streams and images), absurd page sizes, too many pages, page trees that are
 * deep, cyclic or lying, a broken embedded font, JavaScript, a stream length that lies.
 * Each file is small on disk; what it claims or expands to is what makes it hostile.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

/** What a file is meant to do, and the outcome a good app gives it. */
export interface HostileFile {
  name: string;
  what: string;
  /** Document outcome: 'failed' with one of `codes`, or 'done' (pages processed, or failed with a reason). */
  expect:
    | { state: 'failed'; codes: string[]; message?: RegExp }
    | { state: 'done' | 'done-with-errors' | 'any-finished'; pageCodes?: string[] };
}

// ── PDF building ───────────────────────────────────────────────────────────────
type PdfObject = string | { dict: string; stream: Buffer };

/** A PDF with a correct cross-reference table; objects are numbered from 1 in order. */
export function buildPdf(objects: PdfObject[], trailerExtra = ''): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(offset);
    const body =
      typeof o === 'string'
        ? Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1')
        : Buffer.concat([
            Buffer.from(`${i + 1} 0 obj\n${o.dict}\nstream\n`, 'latin1'),
            o.stream,
            Buffer.from('\nendstream\nendobj\n', 'latin1'),
          ]);
    parts.push(body);
    offset += body.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`]
    .concat(offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`))
    .join('');
  parts.push(
    Buffer.from(
      `${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${offset}\n%%EOF\n`,
      'latin1',
    ),
  );
  return Buffer.concat(parts);
}

const flate = (data: Buffer): { dict: (extra?: string) => string; stream: Buffer } => {
  const stream = deflateSync(data, { level: 9 });
  return { dict: (extra = '') => `<< /Length ${stream.length} /Filter /FlateDecode ${extra}>>`, stream };
};

/** A plain content stream that draws a filled box and writes `text` in Helvetica. */
function content(text = 'Hostile input test page'): { dict: string; stream: Buffer } {
  const s = Buffer.from(`0.9 g 50 50 200 100 re f 0 g BT /F1 24 Tf 72 700 Td (${text}) Tj ET`, 'latin1');
  return { dict: `<< /Length ${s.length} >>`, stream: s };
}
const helvetica = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

/** One ordinary page with extra catalog entries and page attributes. */
function onePage(
  opts: { catalog?: string; mediaBox?: string; contents?: { dict: string; stream: Buffer } } = {},
): Buffer {
  return buildPdf([
    `<< /Type /Catalog /Pages 2 0 R ${opts.catalog ?? ''}>>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox ${opts.mediaBox ?? '[0 0 612 792]'} /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>`,
    opts.contents ?? content(),
    helvetica,
  ]);
}

function manyPages(count: number): Buffer {
  // Pages share one content stream and one font; Kids in groups of 100 under intermediate nodes.
  const objects: PdfObject[] = ['<< /Type /Catalog /Pages 2 0 R >>', '', content('page'), helvetica];
  const groups = Math.ceil(count / 100);
  const groupRefs: number[] = [];
  for (let g = 0; g < groups; g++) {
    const groupId = objects.length + 1;
    objects.push('');
    groupRefs.push(groupId);
    const kids: number[] = [];
    const inGroup = Math.min(100, count - g * 100);
    for (let p = 0; p < inGroup; p++) {
      kids.push(objects.length + 1);
      objects.push(
        `<< /Type /Page /Parent ${groupId} 0 R /MediaBox [0 0 200 200] /Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>`,
      );
    }
    objects[groupId - 1] =
      `<< /Type /Pages /Parent 2 0 R /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${inGroup} >>`;
  }
  objects[1] = `<< /Type /Pages /Kids [${groupRefs.map((k) => `${k} 0 R`).join(' ')}] /Count ${count} >>`;
  return buildPdf(objects);
}

function deepTree(depth: number): Buffer {
  // 1 catalog, 2..depth+1 nested /Pages nodes, then the page, content, font.
  const objects: PdfObject[] = ['<< /Type /Catalog /Pages 2 0 R >>'];
  const pageId = depth + 2;
  for (let d = 0; d < depth; d++) {
    const id = d + 2;
    const kid = d === depth - 1 ? pageId : id + 1;
    objects.push(`<< /Type /Pages ${d > 0 ? `/Parent ${id - 1} 0 R ` : ''}/Kids [${kid} 0 R] /Count 1 >>`);
  }
  objects.push(
    `<< /Type /Page /Parent ${depth + 1} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${pageId + 2} 0 R >> >> /Contents ${pageId + 1} 0 R >>`,
  );
  objects.push(content('deep'), helvetica);
  return buildPdf(objects);
}

// ── Images ─────────────────────────────────────────────────────────────────────
function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** An 8-bit grey PNG of `w` × `h`; `rows` rows of white pixels are actually stored (all when omitted). */
function png(w: number, h: number, rows = h): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  const row = Buffer.alloc(w + 1, 0xff);
  row[0] = 0; // filter: none
  const raw = Buffer.alloc(row.length * rows);
  for (let r = 0; r < rows; r++) row.copy(raw, r * row.length);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
/** A little-endian bilevel TIFF whose header claims `w` × `h` with a few bytes of data. */
function tiffClaiming(w: number, h: number): Buffer {
  const entries: [number, number, number, number][] = [
    [256, 4, 1, w], // ImageWidth (LONG)
    [257, 4, 1, h], // ImageLength
    [258, 3, 1, 1], // BitsPerSample
    [259, 3, 1, 1], // no compression
    [262, 3, 1, 0], // WhiteIsZero
    [273, 4, 1, 8], // StripOffsets → just after the header
    [277, 3, 1, 1],
    [278, 4, 1, h], // RowsPerStrip
    [279, 4, 1, 16], // StripByteCounts
  ];
  const ifdOffset = 8 + 16;
  const b = Buffer.alloc(ifdOffset + 2 + entries.length * 12 + 4);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(ifdOffset, 4);
  b.writeUInt16LE(entries.length, ifdOffset);
  entries.forEach(([tag, type, count, value], i) => {
    const o = ifdOffset + 2 + i * 12;
    b.writeUInt16LE(tag, o);
    b.writeUInt16LE(type, o + 2);
    b.writeUInt32LE(count, o + 4);
    if (type === 3) b.writeUInt16LE(value, o + 8);
    else b.writeUInt32LE(value, o + 8);
  });
  return b;
}

// ── The set ────────────────────────────────────────────────────────────────────
/** Writes every hostile file into `dir` and returns what each is and the expected outcome. */
export function writeHostileFiles(dir: string): HostileFile[] {
  mkdirSync(dir, { recursive: true });
  const files: { name: string; bytes: Buffer; what: string; expect: HostileFile['expect'] }[] = [];
  const add = (name: string, what: string, expect: HostileFile['expect'], bytes: Buffer): void => {
    files.push({ name, bytes, what, expect });
  };

  add(
    'png-huge-header.png',
    'PNG header claims 200000 × 200000 pixels (40 gigapixels)',
    { state: 'failed', codes: ['TOO_LARGE'], message: /200000 × 200000 pixels/ },
    png(200_000, 200_000, 0),
  );
  add(
    'png-zlib-bomb.png',
    '5 KB PNG that inflates to 25 MB of white (5000 × 5000, within limits)',
    { state: 'any-finished' },
    png(5_000, 5_000),
  );
  add(
    'tiff-huge-header.tif',
    'TIFF header claims 100000 × 100000 pixels',
    { state: 'failed', codes: ['TOO_LARGE'], message: /100000 × 100000/ },
    tiffClaiming(100_000, 100_000),
  );

  // A content stream that inflates to 400 MB of spaces from ~400 KB.
  const bomb = flate(Buffer.alloc(400 * 1024 * 1024, 0x20));
  add(
    'pdf-flate-bomb.pdf',
    'content stream of ~400 KB that inflates to 400 MB',
    { state: 'failed', codes: ['TOO_LARGE'], message: /expands to more than/ },
    onePage({ contents: { dict: bomb.dict(), stream: bomb.stream } }),
  );

  // An image XObject of 60000 × 60000 (3.6 gigapixels) from a tiny Flate stream.
  const imageData = flate(Buffer.alloc(64 * 1024));
  add(
    'pdf-image-bomb.pdf',
    'image XObject declared 60000 × 60000 pixels',
    { state: 'any-finished', pageCodes: ['TOO_LARGE'] },
    buildPdf(
      [
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>',
        content(),
        {
          dict: imageData.dict(
            '/Type /XObject /Subtype /Image /Width 60000 /Height 60000 /ColorSpace /DeviceGray /BitsPerComponent 1 ',
          ),
          stream: imageData.stream,
        },
      ].map((o, i) =>
        i === 3
          ? { dict: '<< /Length 20 >>', stream: Buffer.from('q 612 0 0 792 0 0 cm /Im1 Do Q'.padEnd(20)) }
          : o,
      ),
    ),
  );
  add(
    'pdf-absurd-mediabox.pdf',
    'a page of 1,000,000 × 1,000,000 points (13,889 inches a side)',
    { state: 'any-finished', pageCodes: ['TOO_LARGE'] },
    onePage({ mediaBox: '[0 0 1000000 1000000]' }),
  );
  add(
    'pdf-empty-mediabox.pdf',
    'a page whose MediaBox has no area',
    { state: 'any-finished' },
    onePage({ mediaBox: '[0 0 0 0]' }),
  );
  add(
    'pdf-12000-pages.pdf',
    '12,000 pages (the limit is 10,000)',
    { state: 'failed', codes: ['TOO_LARGE'], message: /12,000 pages; the limit is 10,000/ },
    manyPages(12_000),
  );
  add(
    'pdf-lying-count.pdf',
    'page tree claims 2,000,000,000 pages and holds one',
    { state: 'any-finished' },
    buildPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
      content(),
      helvetica,
    ]),
  );
  add('pdf-deep-tree.pdf', 'page tree nested 5,000 levels deep', { state: 'any-finished' }, deepTree(5_000));
  add(
    'pdf-cyclic-tree.pdf',
    'page tree whose /Kids point back to the root',
    { state: 'any-finished' },
    buildPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 2 >>',
      '<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 4 0 R] /Count 2 >>',
      '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] /Contents 5 0 R >>',
      content(),
    ]),
  );
  const badFont = Buffer.from('\x00\x01\x00\x00\x00\x0f' + 'glyf'.repeat(200) + '\xff'.repeat(500), 'latin1');
  add(
    'pdf-broken-font.pdf',
    'text set in an embedded TrueType font whose program is garbage',
    { state: 'any-finished' },
    buildPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
      content('Broken font here'),
      '<< /Type /Font /Subtype /TrueType /BaseFont /Evil /FirstChar 32 /LastChar 126 /Widths [' +
        ' 500'.repeat(95) +
        '] /FontDescriptor 6 0 R >>',
      '<< /Type /FontDescriptor /FontName /Evil /Flags 32 /FontBBox [-1000000 -1000000 1000000 1000000] /ItalicAngle 0 /Ascent 99999 /Descent -99999 /CapHeight 700 /StemV 80 /FontFile2 7 0 R >>',
      { dict: `<< /Length ${badFont.length} /Length1 999999999 >>`, stream: badFont },
    ]),
  );
  add(
    'pdf-javascript.pdf',
    'JavaScript in /OpenAction, the name tree and page actions',
    { state: 'done' },
    buildPdf([
      '<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R /Names << /JavaScript << /Names [(x) 6 0 R] >> >> /AcroForm << /Fields [] /XFA 7 0 R >> >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R /AA << /O 6 0 R >> >>',
      content('JavaScript inside'),
      helvetica,
      '<< /S /JavaScript /JS (app.alert\\(1\\); this.exportDataObject\\({cName: "x", nLaunch: 2}\\); while \\(true\\) {}) >>',
      { dict: '<< /Length 40 >>', stream: Buffer.from('<xdp:xdp><script>while(1){}</script>  ') },
    ]),
  );
  add(
    'pdf-length-lie.pdf',
    'a content stream whose /Length claims 999,999,999 bytes',
    { state: 'any-finished' },
    onePage({
      contents: {
        dict: '<< /Length 999999999 >>',
        stream: Buffer.from('BT /F1 24 Tf 72 700 Td (Length lies) Tj ET'),
      },
    }),
  );
  const nested = Buffer.from(
    'q '.repeat(200_000) + 'BT /F1 24 Tf 72 700 Td (Deep) Tj ET ' + 'Q '.repeat(200_000),
  );
  add(
    'pdf-deep-graphics-state.pdf',
    '200,000 nested graphics-state saves (q … Q)',
    { state: 'failed', codes: ['TOO_LARGE'], message: /nests graphics states/ },
    onePage({ contents: flateContent(nested) }),
  );

  for (const f of files) writeFileSync(join(dir, f.name), f.bytes);
  return files.map(({ name, what, expect }) => ({ name, what, expect }));
}

function flateContent(data: Buffer): { dict: string; stream: Buffer } {
  const f = flate(data);
  return { dict: f.dict(), stream: f.stream };
}
