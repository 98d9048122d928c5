/**
 * PDFs built object by object, with incremental updates: each section appends objects and a
 * cross-reference section (a classic table, or a cross-reference stream) whose /Prev points to the
 * one before, the way an editor saves changes. Offsets are computed, so every file is valid; what
 * makes one interesting is what its sections say (a new generation of an object, a deleted one).
 */
import { deflateSync } from 'node:zlib';

export interface PdfObject {
  num: number;
  gen?: number;
  /** The object's body: a dictionary, or a dictionary and its stream data. */
  body: string | { dict: string; stream: Buffer };
}

export interface PdfSection {
  objects: PdfObject[];
  /** Objects this section deletes (free entries with the next generation). */
  freed?: { num: number; gen: number }[];
  /** Trailer entries besides /Size and /Prev, e.g. `/Root 1 0 R`. */
  trailer: string;
  /** Write this section's cross-reference data as a stream (PDF 1.5) instead of a table. */
  xrefStream?: boolean;
}

/** A content stream that writes `text` in Helvetica (font resource /F1). */
export function textContent(text: string): { dict: string; stream: Buffer } {
  const stream = Buffer.from(`BT /F1 24 Tf 72 700 Td (${text}) Tj ET`, 'latin1');
  return { dict: `<< /Length ${stream.length} >>`, stream };
}

export const HELVETICA = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

/** A page object under /Pages `parent` showing content `contents` (font /F1 = object `font`). */
export function pageDict(parent: number, contents: string, font = 5, extra = ''): string {
  return `<< /Type /Page /Parent ${parent} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${contents} ${extra}>>`;
}

function serialise(o: PdfObject): Buffer {
  const head = `${o.num} ${o.gen ?? 0} obj\n`;
  if (typeof o.body === 'string') return Buffer.from(`${head}${o.body}\nendobj\n`, 'latin1');
  return Buffer.concat([
    Buffer.from(`${head}${o.body.dict}\nstream\n`, 'latin1'),
    o.body.stream,
    Buffer.from('\nendstream\nendobj\n', 'latin1'),
  ]);
}

/** The file: a header, then each section's objects and cross-reference data, in order. */
export function buildPdfSections(sections: readonly PdfSection[], version = '1.7'): Buffer {
  const parts: Buffer[] = [Buffer.from(`%PDF-${version}\n%\xe2\xe3\xcf\xd3\n`, 'latin1')];
  let offset = parts[0].length;
  let prev: number | null = null;
  let size = 1;
  for (const section of sections) {
    const entries = new Map<number, { type: 0 | 1; offset: number; gen: number }>();
    if (prev === null) entries.set(0, { type: 0, offset: 0, gen: 65535 });
    for (const o of section.objects) {
      const bytes = serialise(o);
      entries.set(o.num, { type: 1, offset, gen: o.gen ?? 0 });
      parts.push(bytes);
      offset += bytes.length;
    }
    for (const f of section.freed ?? []) entries.set(f.num, { type: 0, offset: 0, gen: f.gen });
    size = Math.max(size, ...[...entries.keys()].map((n) => n + 1));
    const xrefAt = offset;
    const prevEntry = prev === null ? '' : ` /Prev ${prev}`;
    let tail: Buffer;
    if (section.xrefStream) {
      // The stream's own object takes the next number; entries: type (1 byte), offset (4), gen (2).
      const self = size;
      entries.set(self, { type: 1, offset: xrefAt, gen: 0 });
      size = self + 1;
      const nums = [...entries.keys()].sort((a, b) => a - b);
      const data = Buffer.alloc(nums.length * 7);
      nums.forEach((n, i) => {
        const e = entries.get(n)!;
        data.writeUInt8(e.type, i * 7);
        data.writeUInt32BE(e.offset, i * 7 + 1);
        data.writeUInt16BE(e.gen === 65535 ? 0xffff : e.gen, i * 7 + 5);
      });
      const index = nums.map((n) => `${n} 1`).join(' ');
      const packed = deflateSync(data);
      tail = Buffer.concat([
        serialise({
          num: self,
          body: {
            dict: `<< /Type /XRef /Size ${size} /W [1 4 2] /Index [${index}] /Filter /FlateDecode /Length ${packed.length} ${section.trailer}${prevEntry} >>`,
            stream: packed,
          },
        }),
        Buffer.from(`startxref\n${xrefAt}\n%%EOF\n`, 'latin1'),
      ]);
    } else {
      let table = 'xref\n';
      for (const n of [...entries.keys()].sort((a, b) => a - b)) {
        const e = entries.get(n)!;
        table += `${n} 1\n${String(e.offset).padStart(10, '0')} ${String(e.gen).padStart(5, '0')} ${e.type === 1 ? 'n' : 'f'} \n`;
      }
      tail = Buffer.from(
        `${table}trailer\n<< /Size ${size} ${section.trailer}${prevEntry} >>\nstartxref\n${xrefAt}\n%%EOF\n`,
        'latin1',
      );
    }
    parts.push(tail);
    offset += tail.length;
    prev = xrefAt;
  }
  return Buffer.concat(parts);
}
