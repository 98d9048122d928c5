/**
 * Which of a parsed PDF's objects are the document, before pdf-lib writes it again.
 *
 * pdf-lib reads a file front to back and keeps every object it meets (its parser never follows
 * the cross-reference sections). For a file changed by incremental updates that is more than the
 * document: an object replaced under a new generation number is held in both versions, objects an
 * update deleted are still there, and so are the old cross-reference streams, a stale
 * linearization dictionary and, after decryption, the encryption dictionary. Written back as they
 * are, two versions of one object number get two entries in the new cross-reference table (a
 * reader then finds the wrong object, `qpdf --check` fails), and the rest is dead weight that
 * other tools still parse. Here the newest cross-reference sections decide which generation of
 * each object number is live (as every reader decides), and whatever the trailer cannot reach is
 * dropped.
 */
import {
  PDFArray,
  PDFDict,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFStream,
  decodePDFRawStream,
} from '@cantoo/pdf-lib';
import type { PDFContext, PDFObject } from '@cantoo/pdf-lib';

/** For each object number, the generation the newest section lists as in use, or `free`. */
export type LiveGenerations = Map<number, number | 'free'>;

/** Most cross-reference sections followed (a /Prev chain longer than this is a loop or a bomb). */
const MAX_SECTIONS = 4096;

const text = (bytes: Uint8Array, from: number, to: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset + from, Math.max(0, Math.min(to, bytes.length) - from)).toString(
    'latin1',
  );

/** Offset the last `startxref` points to, or null. */
function lastStartXref(bytes: Uint8Array): number | null {
  const tail = text(bytes, Math.max(0, bytes.length - 4096), bytes.length);
  const at = tail.lastIndexOf('startxref');
  if (at < 0) return null;
  const m = /^startxref\s+(\d+)/.exec(tail.slice(at));
  return m ? Number(m[1]) : null;
}

interface Section {
  entries: { num: number; gen: number; free: boolean; offset: number | null }[];
  prev: number | null;
  xrefStm: number | null;
}

/** Whitespace as PDF defines it. */
const isSpace = (c: number): boolean =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;

/** A classic `xref` table and its trailer at `offset`, or null when there is none. */
function tableAt(bytes: Uint8Array, offset: number): Section | null {
  if (!/^\s*xref\b/.test(text(bytes, offset, offset + 64))) return null;
  // Tokens read straight from the bytes: a table can hold millions of entries.
  let at = bytes.indexOf(0x78 /* x */, offset) + 4;
  let from = at;
  const next = (): string | null => {
    while (at < bytes.length && isSpace(bytes[at])) at++;
    from = at;
    while (at < bytes.length && !isSpace(bytes[at]) && at - from < 32) at++;
    return at > from ? text(bytes, from, at) : null;
  };
  const entries: Section['entries'] = [];
  for (;;) {
    const first = next();
    if (first === null) return null;
    if (first.startsWith('trailer')) break;
    const count = next();
    if (!/^\d+$/.test(first) || count === null || !/^\d+$/.test(count)) return null;
    for (let i = 0; i < Number(count); i++) {
      const where = next();
      const gen = next();
      const kind = next();
      if (where === null || gen === null || (kind !== 'n' && kind !== 'f')) return null;
      entries.push({ num: Number(first) + i, gen: Number(gen), free: kind === 'f', offset: Number(where) });
    }
  }
  const trailer = text(bytes, from, from + 16_384);
  const end = trailer.indexOf('startxref');
  const dict = end < 0 ? trailer : trailer.slice(0, end);
  const prev = /\/Prev\s+(\d+)/.exec(dict);
  const stm = /\/XRefStm\s+(\d+)/.exec(dict);
  return { entries, prev: prev ? Number(prev[1]) : null, xrefStm: stm ? Number(stm[1]) : null };
}

/** A cross-reference stream at `offset` (as pdf-lib parsed it), or null. */
function streamAt(bytes: Uint8Array, offset: number, context: PDFContext): Section | null {
  const m = /^\s*(\d+)\s+(\d+)\s+obj\b/.exec(text(bytes, offset, offset + 64));
  if (!m) return null;
  const stream = context.lookup(PDFRef.of(Number(m[1]), Number(m[2])));
  if (!(stream instanceof PDFRawStream) || stream.dict.get(PDFName.of('Type')) !== PDFName.of('XRef'))
    return null;
  const entries = xrefStreamEntries(stream);
  if (!entries) return null;
  const prev = stream.dict.lookup(PDFName.of('Prev'));
  return { entries, prev: prev instanceof PDFNumber ? prev.asNumber() : null, xrefStm: null };
}

/**
 * The live generation of every object number, from the newest cross-reference section back
 * through /Prev (and a hybrid file's /XRefStm). Null when the sections cannot be read or point
 * at the wrong objects (a damaged table that pdf.js and pdf-lib read around): then the caller
 * falls back to the highest generation.
 */
export function liveGenerations(bytes: Uint8Array, context: PDFContext): LiveGenerations | null {
  const start = lastStartXref(bytes);
  if (start === null) return null;
  const live: LiveGenerations = new Map();
  const pending = [start];
  const visited = new Set<number>();
  try {
    while (pending.length > 0) {
      const offset = pending.shift()!;
      if (visited.has(offset) || visited.size >= MAX_SECTIONS || offset >= bytes.length) continue;
      visited.add(offset);
      const section = tableAt(bytes, offset) ?? streamAt(bytes, offset, context);
      if (!section) return null;
      for (const e of section.entries) {
        if (live.has(e.num)) continue;
        if (!e.free && e.offset !== null && !objectAt(bytes, e.offset, e.num, e.gen)) return null;
        live.set(e.num, e.free ? 'free' : e.gen);
      }
      // A hybrid file's stream is read after its table, before the older sections.
      if (section.xrefStm !== null) pending.unshift(section.xrefStm);
      if (section.prev !== null) pending.push(section.prev);
    }
  } catch {
    return null;
  }
  return live;
}

/** The entries of a cross-reference stream (/W field widths over /Index subsections), or null. */
function xrefStreamEntries(stream: PDFRawStream): Section['entries'] | null {
  const widths = stream.dict.lookup(PDFName.of('W'));
  const size = stream.dict.lookup(PDFName.of('Size'));
  const index = stream.dict.lookup(PDFName.of('Index'));
  if (!(widths instanceof PDFArray) || !(size instanceof PDFNumber)) return null;
  const w = widths.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : -1));
  if (w.length !== 3 || w.some((n) => n < 0 || n > 8)) return null;
  const ranges: number[] =
    index instanceof PDFArray
      ? index.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : -1))
      : [0, size.asNumber()];
  const data = decodePDFRawStream(stream).decode();
  const entries: Section['entries'] = [];
  let at = 0;
  const field = (width: number, absent: number): number => {
    if (width === 0) return absent;
    let value = 0;
    for (let i = 0; i < width; i++) value = value * 256 + (data[at++] ?? 0);
    return value;
  };
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    const [first, count] = [ranges[r], ranges[r + 1]];
    if (first < 0 || count < 0 || at + count * (w[0] + w[1] + w[2]) > data.length) return null;
    for (let i = 0; i < count; i++) {
      const type = field(w[0], 1);
      const second = field(w[1], 0);
      const third = field(w[2], 0);
      if (type === 2) entries.push({ num: first + i, gen: 0, free: false, offset: null });
      else if (type === 1) entries.push({ num: first + i, gen: third, free: false, offset: second });
      else if (type === 0) entries.push({ num: first + i, gen: third, free: true, offset: null });
    }
  }
  return entries;
}

function objectAt(bytes: Uint8Array, offset: number, num: number, gen: number): boolean {
  const m = /^\s*(\d+)\s+(\d+)\s+obj/.exec(text(bytes, offset, offset + 40));
  return m !== null && Number(m[1]) === num && Number(m[2]) === gen;
}

/**
 * Leaves one version of each object number: the generation the cross-reference sections list
 * (`live`), else the highest one held. Returns how many versions were dropped.
 */
export function keepLiveVersions(context: PDFContext, live: LiveGenerations | null): number {
  const byNumber = new Map<number, PDFRef[]>();
  for (const [ref] of context.enumerateIndirectObjects()) {
    const list = byNumber.get(ref.objectNumber);
    if (list) list.push(ref);
    else byNumber.set(ref.objectNumber, [ref]);
  }
  let dropped = 0;
  for (const [num, refs] of byNumber) {
    if (refs.length < 2) continue;
    const listed = live?.get(num);
    const keep =
      typeof listed === 'number' && refs.some((r) => r.generationNumber === listed)
        ? listed
        : Math.max(...refs.map((r) => r.generationNumber));
    for (const ref of refs)
      if (ref.generationNumber !== keep) {
        context.delete(ref);
        dropped++;
      }
  }
  return dropped;
}

/**
 * Deletes every object the trailer (Root, Info) cannot reach: deleted and replaced objects, old
 * cross-reference and object streams, a stale linearization dictionary, an encryption dictionary
 * no longer in use, pages left out of a rebuilt page tree. Returns how many were deleted.
 */
export function dropUnreachable(context: PDFContext): number {
  const reached = new Set<PDFRef>();
  const pending: PDFObject[] = [];
  for (const root of [context.trailerInfo.Root, context.trailerInfo.Info]) if (root) pending.push(root);
  while (pending.length > 0) {
    const object = pending.pop()!;
    if (object instanceof PDFRef) {
      if (reached.has(object)) continue;
      reached.add(object);
      const target = context.lookup(object);
      if (target) pending.push(target);
    } else if (object instanceof PDFDict) {
      for (const [, value] of object.entries()) pending.push(value);
    } else if (object instanceof PDFArray) {
      pending.push(...object.asArray());
    } else if (object instanceof PDFStream) {
      pending.push(object.dict);
    }
  }
  let deleted = 0;
  let largest = 0;
  for (const [ref] of context.enumerateIndirectObjects()) {
    if (reached.has(ref)) largest = Math.max(largest, ref.objectNumber);
    else if (context.delete(ref)) deleted++;
  }
  // The trailer's /Size is one more than this: the highest number written, not the highest read.
  context.largestObjectNumber = largest;
  return deleted;
}
