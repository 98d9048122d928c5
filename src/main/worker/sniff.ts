/**
 * Content sniffing: what a file is, from its first bytes only. The extension is never trusted
 * (a PNG named `.pdf` is a PNG; a text file named `.jpg` is not an image).
 */
import type { ImageFormat } from './ocrTypes.ts';

export type SniffResult = { kind: 'pdf' } | { kind: 'image'; format: ImageFormat } | { kind: 'unknown' };

/** P1…P6 in order: plain PBM, PGM, PPM, then the raw (binary) forms. */
const NETPBM_FORMATS: readonly ImageFormat[] = ['pbm', 'pgm', 'ppm', 'pbm', 'pgm', 'ppm'];

/** How many leading bytes `sniff` looks at. */
export const SNIFF_BYTES = 1024;

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  for (let i = 0; i < signature.length; i++) if (bytes[offset + i] !== signature[i]) return false;
  return true;
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

/**
 * Identifies a PDF or a supported image. A PDF header may follow some junk (the spec allows the
 * `%PDF-` marker anywhere in the first 1024 bytes, and readers accept it), images must start with
 * their signature.
 */
export function sniff(head: Uint8Array): SniffResult {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { kind: 'image', format: 'png' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' };
  if (startsWith(head, ascii('II*\0')) || startsWith(head, ascii('MM\0*')))
    return { kind: 'image', format: 'tiff' };
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a')))
    return { kind: 'image', format: 'gif' };
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8))
    return { kind: 'image', format: 'webp' };
  // BMP: "BM" then a plausible DIB header size (12, 40, 52, 56, 64, 108 or 124) at offset 14.
  if (startsWith(head, ascii('BM')) && head.length >= 18) {
    const dib = head[14] | (head[15] << 8);
    if ([12, 40, 52, 56, 64, 108, 124].includes(dib) && head[16] === 0 && head[17] === 0)
      return { kind: 'image', format: 'bmp' };
  }
  if (isNetpbmStart(head)) return { kind: 'image', format: NETPBM_FORMATS[head[1] - 0x31] };
  if (findPdfHeader(head) >= 0) return { kind: 'pdf' };
  return { kind: 'unknown' };
}

/**
 * `P1`…`P6`, then whitespace and comments (`#` to the end of the line), then the width's first
 * digit: a Netpbm header, not a text that happens to start with "P1".
 */
function isNetpbmStart(head: Uint8Array): boolean {
  if (head.length < 4 || head[0] !== 0x50 || head[1] < 0x31 || head[1] > 0x36) return false;
  const space = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (!space(head[2]) && head[2] !== 0x23) return false;
  let at = 2;
  for (;;) {
    while (at < head.length && space(head[at])) at++;
    if (head[at] !== 0x23) break;
    while (at < head.length && head[at] !== 0x0a && head[at] !== 0x0d) at++;
  }
  return at < head.length && head[at] >= 0x30 && head[at] <= 0x39;
}

/** Offset of `%PDF-` in the first bytes, or -1. */
export function findPdfHeader(head: Uint8Array): number {
  const sig = ascii('%PDF-');
  const end = Math.min(head.length, SNIFF_BYTES) - sig.length;
  for (let i = 0; i <= end; i++) if (startsWith(head, sig, i)) return i;
  return -1;
}

/**
 * A short, printable description of what a file starts with, for "not a PDF or a supported
 * image" messages: the first bytes as text when they are text, else as hex, plus a guess for
 * common formats we do not read.
 */
export function describeStart(head: Uint8Array): string {
  const guess = guessOtherFormat(head);
  const first = head.subarray(0, 16);
  const printable = [...first].every(
    (b) => (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d,
  );
  const shown = printable
    ? JSON.stringify(new TextDecoder().decode(first).replace(/\s+/g, ' '))
    : [...first.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return guess ? `${shown}, looks like ${guess}` : shown;
}

function guessOtherFormat(head: Uint8Array): string | null {
  if (
    startsWith(head, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) ||
    startsWith(head, [0xff, 0x4f, 0xff, 0x51])
  )
    return 'JPEG 2000';
  if (startsWith(head, ascii('PK\x03\x04'))) return 'a ZIP archive or an Office document';
  if (startsWith(head, ascii('ftyp'), 4)) return 'HEIC/AVIF or a video';
  if (startsWith(head, ascii('AT&TFORM'))) return 'DjVu';
  if (startsWith(head, ascii('%!PS'))) return 'PostScript';
  if (startsWith(head, [0x1f, 0x8b])) return 'a gzip archive';
  return null;
}
