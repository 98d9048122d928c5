/**
 * A page's content read from the PDF's own objects (through @cantoo/pdf-lib), before pdf.js parses
 * it: pdf.js decodes every image of a page while it builds the page's operator list, and for a
 * JPEG that is its JavaScript decoder (~250 ms of CPU for an A4 page at 300 DPI). Here a page is
 * recognised as "one image drawn, nothing else" from its content stream alone, and the image's
 * stream is handed over undecoded (jpegPage.ts decodes it natively).
 *
 * Only the plainest pages qualify: the operators a scanner or img2pdf writes (`q`, `cm`, `Do`,
 * `Q`, harmless `gs`, marked content), one image XObject, no annotations. The same set of
 * operators imagePage.ts accepts in pdf.js's operator list; anything else, or anything this reader
 * does not understand, says why in `reason` and the page goes to pdf.js as before.
 */
import {
  decodePDFRawStream,
  ParseSpeeds,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFPageLeaf,
  PDFRawStream,
  PDFRef,
} from '@cantoo/pdf-lib';
import { multiply, PAINT_NEUTRAL_STATE_KEYS, type Matrix } from './imagePage.ts';

/** A PDF as pdf-lib parses it: every object, streams still encoded. */
export type RawPdf = PDFDocument;

/**
 * Larger files are left to pdf.js alone: pdf-lib parses the whole file at once and keeps a copy of
 * every stream, as much memory again as the file while it is open (a 104 MB, 120-page scan: +145
 * MB RSS, ~300 ms of CPU once, then ~180 ms saved on every page). 128 MB is a scan of ~150 A4 pages
 * at 300 DPI; the worker is replaced past 1.5 GB.
 */
export const MAX_RAW_PDF_BYTES = 128 * 1024 * 1024;

/**
 * Nor files with more objects than this: pdf-lib builds every object in memory up front (a few
 * hundred bytes each), where pdf.js reads them as pages need them, so a file of millions of tiny
 * objects would cost gigabytes here. A scanned page has 3–6 objects.
 */
export const MAX_RAW_PDF_OBJECTS = 100_000;

/** A scanner's content stream is ~50 bytes; a page whose content is larger is not one image. */
const MAX_CONTENT_BYTES = 16 * 1024;

/** pdf-lib's view of `bytes`, or null when it cannot parse them or the streams are encrypted. */
export async function loadRawPdf(
  bytes: Uint8Array,
  maxObjects = MAX_RAW_PDF_OBJECTS,
): Promise<RawPdf | null> {
  if (bytes.length > MAX_RAW_PDF_BYTES) return null;
  if (objectCount(bytes, maxObjects) > maxObjects) return null;
  try {
    const doc = await PDFDocument.load(bytes, {
      ignoreEncryption: true,
      updateMetadata: false,
      throwOnInvalidObject: false,
      parseSpeed: ParseSpeeds.Fastest,
    });
    // Encrypted streams are ciphertext here; pdf.js decrypts them.
    if (doc.isEncrypted) return null;
    return doc;
  } catch {
    return null;
  }
}

const OBJ = Buffer.from('obj');
const OBJSTM = Buffer.from('/ObjStm');

/**
 * An upper bound on the objects pdf-lib would build from `bytes`, counted up to just past `limit`:
 * each `N G obj` header (found as "obj" after whitespace; "endobj" has a letter before it), plus
 * the `/N` (object count) of each object stream, which is how many objects pdf-lib parses out of
 * it. An object stream whose /N cannot be found counts as over the limit.
 */
export function objectCount(bytes: Uint8Array, limit: number): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  for (let at = buf.indexOf(OBJ); at > 0 && count <= limit; at = buf.indexOf(OBJ, at + 3)) {
    const before = buf[at - 1];
    if (before === 0x20 || before === 0x0a || before === 0x0d || before === 0x09) count++;
  }
  for (let at = buf.indexOf(OBJSTM); at >= 0 && count <= limit; at = buf.indexOf(OBJSTM, at + 7)) {
    // /N is an entry of the same dictionary: look around the /Type entry.
    const from = Math.max(0, at - 512);
    const around = buf.toString('latin1', from, Math.min(buf.length, at + 512));
    const start = around.lastIndexOf('<<', at - from);
    const end = around.indexOf('>>', at - from);
    const n = /\/N\s+(\d+)/.exec(around.slice(Math.max(0, start), end < 0 ? around.length : end));
    count += n ? Number(n[1]) : limit + 1;
  }
  return count;
}

/** The page as pdf.js sees it: its object, visible area and rotation (`PDFPageProxy`). */
export interface PageIdentity {
  ref: { num: number; gen: number } | null;
  view: number[];
  rotate: number;
}

/** The one image a page draws: its stream (still encoded) and the matrix it is drawn with. */
export type SoleImageStream = { ok: true; image: PDFRawStream; ctm: Matrix } | { ok: false; reason: string };

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/**
 * The page's only image and its matrix (image unit square → user space), when the page draws that
 * image and nothing else; otherwise why not. `page` is pdf.js's page: the object is looked up by
 * pdf.js's reference and must agree with it on the visible area and rotation.
 */
export function soleImageStream(doc: RawPdf, page: PageIdentity): SoleImageStream {
  if (!page.ref) return refuse('pdf.js gives no object for the page');
  const leaf = doc.context.lookup(PDFRef.of(page.ref.num, page.ref.gen));
  if (!(leaf instanceof PDFPageLeaf)) return refuse('the page object is not a page to pdf-lib');
  const box = (value: unknown): number[] | null => {
    const array = value instanceof PDFArray ? value : null;
    if (!array || array.size() !== 4) return null;
    const n = array.asArray().map((v) => doc.context.lookup(v));
    if (!n.every((v) => v instanceof PDFNumber)) return null;
    const [x0, y0, x1, y1] = n.map((v) => v.asNumber());
    return [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)];
  };
  const media = box(doc.context.lookup(leaf.MediaBox()));
  const crop = box(doc.context.lookup(leaf.CropBox()));
  const view =
    media && crop
      ? [
          ...crop.slice(0, 2).map((v, i) => Math.max(v, media[i])),
          ...crop.slice(2).map((v, i) => Math.min(v, media[i + 2])),
        ]
      : media;
  if (!view || view.some((v, i) => Math.abs(v - page.view[i]) > 1e-3))
    return refuse('pdf-lib and pdf.js disagree on the page’s area');
  const rotate = doc.context.lookup(leaf.Rotate());
  const degrees = rotate instanceof PDFNumber ? rotate.asNumber() : 0;
  if (((degrees % 360) + 360) % 360 !== page.rotate)
    return refuse('pdf-lib and pdf.js disagree on the rotation');

  const annots = doc.context.lookup(leaf.get(PDFName.of('Annots')));
  if (annots instanceof PDFArray && annots.size() > 0) return refuse('the page has annotations');

  // The content: one stream or an array of streams, read as one.
  const contents = doc.context.lookup(leaf.get(PDFName.of('Contents')));
  const parts =
    contents instanceof PDFArray ? contents.asArray().map((p) => doc.context.lookup(p)) : [contents];
  let text = '';
  for (const part of parts) {
    if (part === undefined) continue;
    if (!(part instanceof PDFRawStream)) return refuse('the page content is not a plain stream');
    if (part.contents.length > MAX_CONTENT_BYTES)
      return refuse('the page content is large (more than one image)');
    let decoded: Uint8Array;
    try {
      decoded = decodePDFRawStream(part).decode();
    } catch {
      return refuse('the page content cannot be decompressed here');
    }
    if (decoded.length > MAX_CONTENT_BYTES) return refuse('the page content is large (more than one image)');
    text += Buffer.from(decoded.buffer, decoded.byteOffset, decoded.byteLength).toString('latin1') + '\n';
  }

  const resources = doc.context.lookup(leaf.Resources());
  const resource = (category: string, name: string): unknown => {
    if (!(resources instanceof PDFDict)) return undefined;
    const dict = doc.context.lookup(resources.get(PDFName.of(category)));
    return dict instanceof PDFDict ? doc.context.lookup(dict.get(PDFName.of(name))) : undefined;
  };

  const stack: Matrix[] = [];
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  let found: { image: PDFRawStream; ctm: Matrix } | null = null;
  const tokens = contentTokens(text);
  if (!tokens) return refuse('the page content has strings, arrays or inline images');
  let operands: (number | string)[] = [];
  for (const token of tokens) {
    if (token.kind !== 'operator') {
      operands.push(token.value);
      continue;
    }
    const args = operands;
    operands = [];
    const names = args.every((a) => typeof a === 'string');
    switch (token.value) {
      case 'q':
        stack.push(ctm);
        break;
      case 'Q':
        // An unbalanced Q is ignored, as pdf.js does.
        ctm = stack.pop() ?? ctm;
        break;
      case 'cm':
        if (args.length !== 6 || !args.every((a) => typeof a === 'number')) return refuse('a malformed cm');
        ctm = multiply(ctm, args as Matrix);
        break;
      case 'gs': {
        if (args.length !== 1 || !names) return refuse('a malformed gs');
        const state = resource('ExtGState', args[0]);
        if (!(state instanceof PDFDict)) return refuse(`graphics state ${String(args[0])} is missing`);
        const why = harmfulState(state);
        if (why) return refuse(`graphics state ${String(args[0])} sets ${why}`);
        break;
      }
      case 'Do': {
        if (args.length !== 1 || !names) return refuse('a malformed Do');
        const object = resource('XObject', args[0]);
        if (!(object instanceof PDFRawStream))
          return refuse(`XObject ${String(args[0])} is missing or not a stream`);
        const subtype = object.dict.get(PDFName.of('Subtype'));
        if (subtype !== PDFName.of('Image')) return refuse(`XObject ${String(args[0])} is not an image`);
        if (found) return refuse('the page draws more than one image');
        found = { image: object, ctm };
        break;
      }
      case 'BMC':
      case 'EMC':
        break;
      case 'BDC':
        // Optional content ("OC") can hide what follows: only pdf.js knows.
        if (args[0] === 'OC') return refuse('optional content');
        break;
      default:
        return refuse(`the page content uses the ${token.value} operator`);
    }
  }
  if (!found) return refuse('the page draws no image');
  return { ok: true, ...found };
}

/**
 * The first key of an ExtGState that could change how an opaque image is painted, or null. The
 * entries imagePage.ts's `harmlessState` accepts in pdf.js's operator list, plus those pdf.js
 * ignores altogether (overprint, black generation, undercolour removal, halftones, smoothness,
 * stroke adjustment, alpha-is-shape, text knockout); a key pdf.js does not know is refused.
 */
function harmfulState(state: PDFDict): string | null {
  for (const [key, raw] of state.entries()) {
    const value = state.context.lookup(raw);
    const name = key.decodeText();
    if (PAINT_NEUTRAL_STATE_KEYS.has(name)) continue;
    switch (name) {
      case 'Type':
      case 'BG':
      case 'BG2':
      case 'UCR':
      case 'UCR2':
      case 'HT':
      case 'SM':
      case 'SA':
      case 'AIS':
      case 'TK':
        continue;
      case 'BM':
        if (value === PDFName.of('Normal') || value === PDFName.of('Compatible')) continue;
        return 'a blend mode';
      case 'ca':
        if (value instanceof PDFNumber && value.asNumber() === 1) continue;
        return 'transparency';
      case 'SMask':
        if (value === PDFName.of('None')) continue;
        return 'a soft mask';
      default:
        return name;
    }
  }
  return null;
}

type Token = { kind: 'operator'; value: string } | { kind: 'operand'; value: number | string };

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([...'()<>[]{}/%'].map((c) => c.charCodeAt(0)));

/**
 * The tokens of a content stream that holds only numbers, names, operators and marked-content
 * property dictionaries (skipped whole: their values never matter here); null for anything else
 * (strings, arrays, inline images), which a page that is one image does not have.
 */
export function contentTokens(text: string): Token[] | null {
  const tokens: Token[] = [];
  let dictDepth = 0;
  let i = 0;
  const code = (at: number): number => text.charCodeAt(at);
  while (i < text.length) {
    const c = code(i);
    if (WHITESPACE.has(c)) {
      i++;
      continue;
    }
    if (c === 0x25 /* % */) {
      while (i < text.length && code(i) !== 0x0a && code(i) !== 0x0d) i++;
      continue;
    }
    if (text.startsWith('<<', i)) {
      dictDepth++;
      i += 2;
      continue;
    }
    if (text.startsWith('>>', i)) {
      if (dictDepth === 0) return null;
      dictDepth--;
      i += 2;
      // The dictionary stands for one operand (BDC's properties).
      if (dictDepth === 0) tokens.push({ kind: 'operand', value: '<<>>' });
      continue;
    }
    if (DELIMITERS.has(c) && c !== 0x2f /* / */) return null;
    let j = i + 1;
    while (j < text.length && !WHITESPACE.has(code(j)) && !DELIMITERS.has(code(j))) j++;
    const word = text.slice(i, j);
    i = j;
    if (dictDepth > 0) continue;
    if (c === 0x2f) {
      tokens.push({ kind: 'operand', value: decodeName(word.slice(1)) });
    } else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
      tokens.push({ kind: 'operand', value: Number(word) });
    } else if (/^[A-Za-z'"*]+[01]?$/.test(word)) {
      if (word === 'BI' || word === 'ID') return null;
      tokens.push({ kind: 'operator', value: word });
    } else return null;
  }
  return dictDepth === 0 ? tokens : null;
}

/** A name's `#xx` escapes resolved. */
function decodeName(name: string): string {
  return name.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
