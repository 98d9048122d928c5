/**
 * Netpbm images: PBM (bilevel), PGM (grey) and PPM (colour), in their plain (ASCII: P1, P2, P3)
 * and raw (binary: P4, P5, P6) forms, as scanning tools (SANE's scanimage, unpaper, the netpbm
 * tools) write them. The format is a short text header and the samples; read here directly, so
 * the size is known from the header before anything is allocated, and pages come out as the one
 * grey channel Tesseract reads (colour as RGB).
 *
 * A file may hold several images one after the other; the first is read (as image viewers do).
 */
import { InputError } from '../common/errors.ts';
import type { DecodedImage } from './ocrTypes.ts';

export interface NetpbmHeader {
  /** 1–6: the digit of the magic number `P1`…`P6`. */
  kind: 1 | 2 | 3 | 4 | 5 | 6;
  width: number;
  height: number;
  /** Largest sample value (1 for PBM). */
  maxval: number;
  /** Where the samples start. */
  dataOffset: number;
}

const isSpace = (c: number): boolean =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0b || c === 0x0c;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** Reads the header; null when `b` does not start with a well-formed one. */
export function netpbmHeader(b: Uint8Array): NetpbmHeader | null {
  if (b.length < 3 || b[0] !== 0x50 /* P */ || b[1] < 0x31 || b[1] > 0x36) return null;
  const kind = (b[1] - 0x30) as NetpbmHeader['kind'];
  let at = 2;
  const number = (): number | null => {
    // Whitespace and comments (# to the end of the line) may separate the header's numbers.
    for (;;) {
      while (at < b.length && isSpace(b[at])) at++;
      if (b[at] !== 0x23) break;
      while (at < b.length && b[at] !== 0x0a && b[at] !== 0x0d) at++;
    }
    const from = at;
    let value = 0;
    while (at < b.length && isDigit(b[at]) && at - from < 10) value = value * 10 + b[at++] - 0x30;
    return at > from ? value : null;
  };
  if (!isSpace(b[2]) && b[2] !== 0x23) return null;
  const width = number();
  const height = number();
  const maxval = kind === 1 || kind === 4 ? 1 : number();
  if (width === null || height === null || maxval === null) return null;
  if (width < 1 || height < 1 || maxval < 1 || maxval > 65535) return null;
  if (kind <= 3) return { kind, width, height, maxval, dataOffset: at };
  // Exactly one whitespace character ends the header of the raw forms.
  if (at >= b.length || !isSpace(b[at])) return null;
  return { kind, width, height, maxval, dataOffset: at + 1 };
}

/** The format's name for messages. */
export function netpbmName(kind: NetpbmHeader['kind']): string {
  return kind === 1 || kind === 4 ? 'PBM' : kind === 2 || kind === 5 ? 'PGM' : 'PPM';
}

function incomplete(header: NetpbmHeader, rowsRead: number): InputError {
  return new InputError(
    'DAMAGED_FILE',
    `the ${netpbmName(header.kind)} image is incomplete: it holds ${rowsRead} of its ${header.height} rows (the file was probably cut off)`,
  );
}

/**
 * Decodes the first image: PBM and PGM to one grey channel (PBM: 1 is black), PPM to RGB; samples
 * scaled from `maxval` to 0–255. The caller checks the size against the limits first.
 */
export function decodeNetpbm(b: Uint8Array, header: NetpbmHeader): DecodedImage {
  const { kind, width, height, maxval } = header;
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const out = new Uint8Array(width * height * channels);
  const samples = width * height * channels;
  const scale = (v: number): number =>
    maxval === 255 ? v : Math.round((Math.min(v, maxval) * 255) / maxval);
  let at = header.dataOffset;
  if (kind === 4) {
    const rowBytes = Math.ceil(width / 8);
    for (let y = 0; y < height; y++, at += rowBytes) {
      if (at + rowBytes > b.length) throw incomplete(header, y);
      for (let x = 0; x < width; x++) out[y * width + x] = (b[at + (x >> 3)] >> (7 - (x & 7))) & 1 ? 0 : 255;
    }
  } else if (kind === 5 || kind === 6) {
    const wide = maxval > 255;
    const bytes = samples * (wide ? 2 : 1);
    if (at + bytes > b.length) throw incomplete(header, Math.floor((b.length - at) / (bytes / height)));
    for (let i = 0; i < samples; i++)
      out[i] = scale(wide ? (b[at + 2 * i] << 8) | b[at + 2 * i + 1] : b[at + i]);
  } else {
    // Plain forms: decimal samples separated by whitespace (PBM's 0s and 1s need none), comments allowed.
    let i = 0;
    while (i < samples && at < b.length) {
      const c = b[at];
      if (isSpace(c)) at++;
      else if (c === 0x23) while (at < b.length && b[at] !== 0x0a && b[at] !== 0x0d) at++;
      else if (!isDigit(c))
        throw new InputError(
          'DAMAGED_FILE',
          `the ${netpbmName(kind)} image is damaged: it holds a character that is not a number`,
        );
      else if (kind === 1) {
        out[i++] = c === 0x31 ? 0 : 255;
        at++;
      } else {
        let v = 0;
        while (at < b.length && isDigit(b[at])) v = v * 10 + b[at++] - 0x30;
        out[i++] = scale(v);
      }
    }
    if (i < samples) throw incomplete(header, Math.floor(i / (width * channels)));
  }
  return { width, height, channels, data: out, dpiX: 0, dpiY: 0 };
}
