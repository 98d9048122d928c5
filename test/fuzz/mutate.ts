/**
 * Mutations of PDF bytes for the fuzz run: byte flips, truncations, chunk splices, and swaps of
 * the dictionary tokens and numbers the parser leans on (/Count, /Length, /Kids, /Filter…).
 * Deterministic for a given random source.
 */

export type MutationKind = 'flip' | 'truncate' | 'splice' | 'token' | 'number';
export const MUTATION_KINDS: readonly MutationKind[] = ['flip', 'truncate', 'splice', 'token', 'number'];

/** Tokens whose values steer pdf.js: swapping one for another makes structure lie. */
const TOKENS = [
  '/Count',
  '/Kids',
  '/Parent',
  '/Pages',
  '/Page',
  '/Length',
  '/Filter',
  '/FlateDecode',
  '/DCTDecode',
  '/CCITTFaxDecode',
  '/JBIG2Decode',
  '/LZWDecode',
  '/ASCIIHexDecode',
  '/Width',
  '/Height',
  '/BitsPerComponent',
  '/ColorSpace',
  '/DeviceRGB',
  '/DeviceGray',
  '/Indexed',
  '/ICCBased',
  '/Image',
  '/XObject',
  '/Font',
  '/FontFile2',
  '/Type0',
  '/Encoding',
  '/ToUnicode',
  '/MediaBox',
  '/CropBox',
  '/Rotate',
  '/Resources',
  '/Contents',
  '/DecodeParms',
  '/Predictor',
  '/Columns',
  '/K',
  '/Root',
  '/Prev',
  '/XRefStm',
  '/ObjStm',
  '/N',
  '/First',
  '/Size',
  '/Index',
  '/W',
  'obj',
  'endobj',
  'stream',
  'endstream',
  'xref',
  'trailer',
  'startxref',
  '<<',
  '>>',
  '[',
  ']',
  'R',
  'null',
  'true',
  'BT',
  'ET',
  'q',
  'Q',
  'cm',
  'Do',
  'Tj',
  'TJ',
  'Tf',
  're',
  'f',
  'BI',
  'ID',
  'EI',
];
const NUMBERS = [
  '0',
  '-1',
  '1',
  '2147483647',
  '4294967296',
  '-2147483648',
  '99999999999',
  '1e308',
  '0.0000001',
  '65535',
  '3',
  '-0',
];

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)];

/** Applies one mutation of `kind` to a copy of `bytes`; `other` is another seed file for splices. */
export function mutate(
  bytes: Uint8Array,
  kind: MutationKind,
  rnd: () => number,
  other: Uint8Array,
): Uint8Array {
  const n = bytes.length;
  switch (kind) {
    case 'flip': {
      const out = bytes.slice();
      const count = 1 + Math.floor(rnd() * 16);
      for (let i = 0; i < count; i++) {
        const at = Math.floor(rnd() * n);
        out[at] = rnd() < 0.5 ? out[at] ^ (1 << Math.floor(rnd() * 8)) : Math.floor(rnd() * 256);
      }
      return out;
    }
    case 'truncate': {
      const cut = Math.floor(rnd() * n);
      const head = bytes.subarray(0, cut);
      // Half the time the cut file still ends in %%EOF, so pdf.js's recovery is exercised too.
      return rnd() < 0.5 ? head.slice() : concat(head, Buffer.from('\n%%EOF\n'));
    }
    case 'splice': {
      const len = 1 + Math.floor(rnd() * Math.min(4096, other.length));
      const from = Math.floor(rnd() * Math.max(1, other.length - len));
      const at = Math.floor(rnd() * n);
      const replace = rnd() < 0.5 ? len : 0; // overwrite or insert
      return concat(
        bytes.subarray(0, at),
        other.subarray(from, from + len),
        bytes.subarray(Math.min(n, at + replace)),
      );
    }
    case 'token':
    case 'number': {
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
      const pattern =
        kind === 'token'
          ? /\/[A-Za-z0-9]+|\b(?:obj|endobj|stream|endstream|xref|trailer|R|BT|ET|q|Q|Do)\b|<<|>>/g
          : /-?\d+(?:\.\d+)?/g;
      const spots: { at: number; len: number }[] = [];
      // Sample positions from the whole file without listing every match of a big file.
      for (let tries = 0; tries < 64 && spots.length < 8; tries++) {
        pattern.lastIndex = Math.floor(rnd() * n);
        const m = pattern.exec(text);
        if (m) spots.push({ at: m.index, len: m[0].length });
      }
      if (spots.length === 0) return mutate(bytes, 'flip', rnd, other);
      const changes = 1 + Math.floor(rnd() * Math.min(4, spots.length));
      let out = text;
      for (const s of spots.slice(0, changes).sort((a, b) => b.at - a.at)) {
        const replacement = kind === 'token' ? pick(rnd, TOKENS) : pick(rnd, NUMBERS);
        out = out.slice(0, s.at) + replacement + out.slice(s.at + s.len);
      }
      return Buffer.from(out, 'latin1');
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
}
