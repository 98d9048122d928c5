/**
 * A look at a PDF's streams before pdf.js parses it, for the two kinds of page that would make
 * pdf.js allocate or compute without bound and that its options cannot limit:
 *
 * - a decompression bomb: a small Flate stream (content, form, font, object stream) that expands
 *   to hundreds of megabytes, which pdf.js inflates whole into memory;
 * - graphics states nested tens of thousands deep (`q q q …`), on which pdf.js's text extraction
 *   and rendering take time that grows faster than the nesting (20,000 levels: over a minute).
 *
 * Image streams are skipped: pdf.js decodes only the bytes their declared size needs, and that size
 * is capped by `maxImageSize`. Streams in filters other than Flate are not expanded here.
 * The scan is heuristic (it finds streams by their keywords, not by parsing objects) and errs on
 * the side of letting pdf.js decide: anything it cannot read, it leaves alone.
 */
import { createInflateRaw } from 'node:zlib';
import { InputError } from '../common/errors.ts';

/** Largest size one non-image stream may expand to. Real content streams stay far below it. */
export const MAX_STREAM_BYTES = 128 * 1024 * 1024;
/** Deepest nesting of saved graphics states accepted (real files: rarely past a few dozen). */
export const MAX_GRAPHICS_STATE_DEPTH = 2_000;

const STREAM = Buffer.from('stream');
const ENDSTREAM = Buffer.from('endstream');
const OBJ = Buffer.from(' obj');

/** Throws `TOO_LARGE` for a stream bomb or absurd nesting; otherwise returns without a word. */
export async function precheckPdf(bytes: Uint8Array, maxStreamBytes = MAX_STREAM_BYTES): Promise<void> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let depth = 0;
  let deepest = 0;
  let from = 0;
  for (;;) {
    const at = buf.indexOf(STREAM, from);
    if (at < 0) break;
    from = at + STREAM.length;
    // "endstream" contains "stream": skip it, and any "stream" not followed by an end of line.
    if (at >= 3 && buf.toString('latin1', at - 3, at) === 'end') continue;
    let start = at + STREAM.length;
    if (buf[start] === 0x0d) start++;
    if (buf[start] !== 0x0a && buf[start - 1] !== 0x0d) continue;
    if (buf[start] === 0x0a) start++;
    const dict = dictionaryBefore(buf, at);
    if (dict === null) continue;
    let end = buf.indexOf(ENDSTREAM, start);
    if (end < 0) end = buf.length;
    // The next stream starts after this one's data (an image's bytes are not searched).
    from = Math.max(from, end);
    if (/\/Subtype\s*\/Image\b/.test(dict)) continue;
    const data = await decoded(buf.subarray(start, end), dict, maxStreamBytes);
    if (data === null) continue;
    // Balance of q/Q operators across streams in file order: unrelated streams are balanced.
    for (const change of graphicsStateChanges(data)) {
      depth = Math.max(0, depth + change);
      if (depth > deepest) deepest = depth;
    }
    if (deepest > MAX_GRAPHICS_STATE_DEPTH)
      throw new InputError(
        'TOO_LARGE',
        `the PDF nests graphics states ${deepest.toLocaleString('en-US')} levels deep (the limit is ${MAX_GRAPHICS_STATE_DEPTH.toLocaleString('en-US')}); it is refused rather than rendered`,
      );
  }
}

/** The dictionary text of the object a `stream` keyword belongs to (from its `obj` keyword), or null. */
function dictionaryBefore(buf: Buffer, streamAt: number): string | null {
  const windowStart = Math.max(0, streamAt - 4096);
  const obj = buf.lastIndexOf(OBJ, streamAt);
  const begin = obj >= windowStart ? obj + OBJ.length : windowStart;
  const text = buf.toString('latin1', begin, streamAt);
  return text.includes('<<') ? text : null;
}

/** The stream's bytes as pdf.js would see them, for unfiltered and Flate streams; null for others. */
async function decoded(raw: Buffer, dict: string, maxStreamBytes: number): Promise<Buffer | null> {
  const filtered = /\/Filter\b/.test(dict);
  if (!filtered) return raw;
  // Flate alone (possibly in a one-element array); chains with other filters are left to pdf.js.
  if (
    !/\/Filter\s*(\[\s*)?\/(FlateDecode|Fl)\b\s*\]?/.test(dict) ||
    /\/Filter\s*\[[^\]]*\/\w+[^\]]*\/\w+/.test(dict)
  )
    return null;
  const out = await inflateLikePdfjs(raw, maxStreamBytes);
  if (out === 'too-large')
    throw new InputError(
      'TOO_LARGE',
      `the PDF holds a compressed stream of ${formatBytes(raw.length)} that expands to more than ${formatBytes(maxStreamBytes)} (a decompression bomb); it is refused rather than expanded`,
    );
  return out;
}

/**
 * Inflates as pdf.js does: the zlib header must be valid, the checksum at the end is not checked,
 * and what came out before a damaged block is kept. Streams, so memory stays at the output kept
 * (never more than the budget) and a bomb is stopped as soon as it passes it.
 */
function inflateLikePdfjs(raw: Buffer, budget: number): Promise<Buffer | null | 'too-large'> {
  if (raw.length < 2) return Promise.resolve(null);
  const cmf = raw[0];
  const flg = raw[1];
  if ((cmf & 0x0f) !== 8 || ((cmf << 8) + flg) % 31 !== 0 || flg & 0x20) return Promise.resolve(null);
  return new Promise((resolve) => {
    const inflater = createInflateRaw();
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (value: Buffer | null | 'too-large'): void => {
      if (settled) return;
      settled = true;
      inflater.destroy();
      resolve(value);
    };
    inflater.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > budget) return finish('too-large');
      chunks.push(chunk);
    });
    inflater.on('error', () => finish(chunks.length > 0 ? Buffer.concat(chunks) : null));
    inflater.on('end', () => finish(Buffer.concat(chunks)));
    inflater.end(raw.subarray(2));
  });
}

/** +1 for each `q` operator and -1 for each `Q`, in order (operators are whitespace-delimited tokens). */
function* graphicsStateChanges(data: Buffer): Generator<number> {
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const c = data[i];
    if (c !== 0x71 && c !== 0x51) continue; // q, Q
    if (i > 0 && !isDelimiter(data[i - 1])) continue;
    if (i + 1 < n && !isDelimiter(data[i + 1])) continue;
    yield c === 0x71 ? 1 : -1;
  }
}

function isDelimiter(c: number): boolean {
  // PDF white space and the delimiters that can end an operand before an operator.
  return (
    c === 0x20 ||
    c === 0x0a ||
    c === 0x0d ||
    c === 0x09 ||
    c === 0x0c ||
    c === 0x00 ||
    c === 0x5d ||
    c === 0x3e ||
    c === 0x29
  );
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}
