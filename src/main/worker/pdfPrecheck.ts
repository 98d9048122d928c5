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
import { constants, inflateSync } from 'node:zlib';
import { InputError } from './errors.ts';

/** Largest size one non-image stream may expand to. Real content streams stay far below it. */
export const MAX_STREAM_BYTES = 128 * 1024 * 1024;
/** Deepest nesting of saved graphics states accepted (real files: rarely past a few dozen). */
export const MAX_GRAPHICS_STATE_DEPTH = 2_000;

const STREAM = Buffer.from('stream');
const ENDSTREAM = Buffer.from('endstream');
const OBJ = Buffer.from(' obj');

/** Throws `TOO_LARGE` for a stream bomb or absurd nesting; otherwise returns without a word. */
export function precheckPdf(bytes: Uint8Array, maxStreamBytes = MAX_STREAM_BYTES): void {
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
    if (dict === null || /\/Subtype\s*\/Image\b/.test(dict)) continue;
    let end = buf.indexOf(ENDSTREAM, start);
    if (end < 0) end = buf.length;
    from = Math.max(from, end);
    const data = decoded(buf.subarray(start, end), dict, maxStreamBytes);
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
function decoded(raw: Buffer, dict: string, maxStreamBytes: number): Buffer | null {
  const filtered = /\/Filter\b/.test(dict);
  if (!filtered) return raw;
  // Flate alone (possibly in a one-element array); chains with other filters are left to pdf.js.
  if (
    !/\/Filter\s*(\[\s*)?\/(FlateDecode|Fl)\b\s*\]?/.test(dict) ||
    /\/Filter\s*\[[^\]]*\/\w+[^\]]*\/\w+/.test(dict)
  )
    return null;
  try {
    return inflateSync(raw, { maxOutputLength: maxStreamBytes, finishFlush: constants.Z_SYNC_FLUSH });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new InputError(
        'TOO_LARGE',
        `the PDF holds a compressed stream of ${formatBytes(raw.length)} that expands to more than ${formatBytes(maxStreamBytes)} (a decompression bomb); it is refused rather than expanded`,
      );
    return null; // damaged data: pdf.js reports it, or recovers what it can
  }
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
