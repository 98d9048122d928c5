import { PDFString, type PDFDocument, type PDFRef } from '@cantoo/pdf-lib';
import { deflatedOnce, flateStream } from './flate.ts';

/**
 * The invisible-text font, built the way Tesseract's `pdfrenderer.cpp` and OCRmyPDF do it:
 * a Type0 font, Identity-H encoding, a CIDFontType2 descendant whose every CID maps (CIDToGIDMap)
 * to the one empty glyph of a 572-byte "glyphless" TrueType, every glyph 500/1000 em wide, and a
 * ToUnicode CMap so text extraction, search and copy give back the real characters.
 *
 * Codes are 2 bytes. A BMP character is written as its own UTF-16 code unit (CID = code point,
 * ToUnicode identity). Characters outside the BMP cannot be written as two surrogate CIDs (each
 * half would map to a lone surrogate and break extraction), so each distinct one gets a CID from
 * the surrogate block D800–DFFF — code points that never occur as characters — and a `bfchar`
 * entry mapping that CID to the UTF-16 pair. Past 2048 distinct such characters per document,
 * U+FFFD is written instead.
 */

/**
 * `pdf.ttf` from Tesseract (tessdata/pdf.ttf, Apache-2.0, © Google / Tesseract authors): two
 * glyphs, .notdef and one empty glyph, unitsPerEm 2048, advance 1024 (= 500/1000 em).
 * Inlined so workers need no resource path at run time.
 */
const GLYPHLESS_TTF_BASE64 =
  'AAEAAAAKAIAAAwAgT1MvMlbeyJQAAAEoAAAAYGNtYXAACgA0AAABkAAAAB5nbHlmFSJBJAAAAbgAAAAYaGVhZAt48WUAAACsAAAANmhoZWEMAgQCAAAA5AAAACRobXR4BAAAAAAAAYgAAAAIbG9jYQAMAAAAAAGwAAAABm1heHAABAAFAAABCAAAACBuYW1l8usW2gAAAdAAAABLcG9zdAABAAEAAAIcAAAAIAABAAAAAQAAsJRxEF8PPPUEBwgAAAAAAM+a/G4AAAAA1MOn8gAAAAAEAAgAAAAAEAACAAAAAAAAAAEAAAgA//8AAAQAAAAAAAQAAAEAAAAAAAAAAAAAAAAAAAACAAEAAAACAAQAAQAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAwAAAZAABQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAUAAQABAAAAAAAAAAAAAAAAAAAAAAAAAAAAR09PRwBAAAAAAAAB//8AAAABAAGAAAAAAAAAAAAAAAAAAAABAAAAAAAABAAAAAAAAAIAAQAAAAAAFAADAAAAAAAUAAYACgAAAAAAAAAAAAAAAAAMAAAAAQAAAAAEAAgAAAMAADEhESEEAPwACAAAAAADACoAAAADAAAABQAWAAAAAQAAAAAABQALABYAAwABBAkABQAWAAAAVgBlAHIAcwBpAG8AbgAgADEALgAwVmVyc2lvbiAxLjAAAAEAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAA=';

/** Advance of every glyph in text space units per 1000 (the descendant's /DW). */
export const GLYPH_WIDTH = 500;

/**
 * The font's ascent and descent in ems. Together they are BAND_EM: a line's band (the height of
 * its word boxes) is written with a font size of band / BAND_EM, so the selection box (ascent to
 * descent) is exactly the band while the font size is what the band's type would have: ~1.1×
 * taller, as in typeset text, whose extractors' rules are in ems (poppler joins lines into one
 * block up to 1.5 em apart). The descent of 0.2 em is also where pdf.js, which takes its glyph
 * box from a system font (~0.8 em ascent), puts the bottom of its own.
 */
export const ASCENT_EM = 0.709;
export const DESCENT_EM = 0.2;
export const BAND_EM = ASCENT_EM + DESCENT_EM;

const FIRST_EXTRA_CID = 0xd800;
const EXTRA_CIDS = 0x7ff;
/** The last CID of the surrogate block reads as two spaces. */
const WIDE_SPACE_CID = 0xdfff;
export const WIDE_SPACE_HEX = 'DFFF';

/** A word encoded for `Tj`: hex string of 2-byte codes and the number of glyphs. */
export interface EncodedText {
  hex: string;
  glyphs: number;
}

/** Two upper-case hex digits for every byte value. */
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** Four upper-case hex digits (0 ≤ n ≤ 0xFFFF): called for every character of every word. */
const hex4 = (n: number): string => HEX2[n >> 8] + HEX2[n & 0xff];

const fontFileBytes = (): Buffer => Buffer.from(GLYPHLESS_TTF_BASE64, 'base64');
const deflatedFontFile = deflatedOnce(fontFileBytes);
/** Every CID → glyph 1 (the empty glyph), 2 bytes big-endian per CID. */
const deflatedCidToGidMap = deflatedOnce(() => {
  const map = new Uint8Array(65536 * 2);
  for (let i = 1; i < map.length; i += 2) map[i] = 1;
  return map;
});

/** Allocates the font's reference up front; `finish()` writes its objects once all text is known. */
export class GlyphlessFont {
  readonly ref: PDFRef;
  private readonly doc: PDFDocument;
  /** Non-BMP code point → CID in D800–DFFF. */
  private readonly extra = new Map<number, number>();

  constructor(doc: PDFDocument) {
    this.doc = doc;
    this.ref = doc.context.nextRef();
  }

  /**
   * Encodes text as 2-byte codes. Control characters are dropped (they have no place inside a
   * word); lone surrogates (ill-formed strings) become U+FFFD.
   */
  encode(text: string): EncodedText {
    let hex = '';
    let glyphs = 0;
    for (const ch of text) {
      let cp = ch.codePointAt(0) ?? 0xfffd;
      if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      let cid = cp;
      if (cp > 0xffff) {
        let allocated = this.extra.get(cp);
        if (allocated === undefined && this.extra.size < EXTRA_CIDS) {
          allocated = FIRST_EXTRA_CID + this.extra.size;
          this.extra.set(cp, allocated);
        }
        cid = allocated ?? 0xfffd;
      }
      hex += hex4(cid);
      glyphs++;
    }
    return { hex, glyphs };
  }

  /** Writes the font's objects (call once, after every page's text has been encoded). */
  finish(): void {
    const { context } = this.doc;
    const fontFileRef = context.register(
      context.stream(deflatedFontFile(), { Length1: fontFileBytes().length, Filter: 'FlateDecode' }),
    );
    const descriptorRef = context.register(
      context.obj({
        Type: 'FontDescriptor',
        FontName: 'GlyphLessFont',
        Flags: 5,
        FontBBox: [0, -DESCENT_EM * 1000, GLYPH_WIDTH, ASCENT_EM * 1000],
        ItalicAngle: 0,
        Ascent: ASCENT_EM * 1000,
        Descent: -DESCENT_EM * 1000,
        CapHeight: ASCENT_EM * 1000,
        StemV: 80,
        FontFile2: fontFileRef,
      }),
    );
    const cidToGidRef = context.register(context.stream(deflatedCidToGidMap(), { Filter: 'FlateDecode' }));
    const cidFontRef = context.register(
      context.obj({
        Type: 'Font',
        Subtype: 'CIDFontType2',
        BaseFont: 'GlyphLessFont',
        CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
        FontDescriptor: descriptorRef,
        DW: GLYPH_WIDTH,
        CIDToGIDMap: cidToGidRef,
      }),
    );
    const toUnicodeRef = context.register(flateStream(context, this.toUnicodeCMap()));
    const type0 = context.obj({
      Type: 'Font',
      Subtype: 'Type0',
      BaseFont: 'GlyphLessFont',
      Encoding: 'Identity-H',
      DescendantFonts: [cidFontRef],
      ToUnicode: toUnicodeRef,
    });
    context.assign(this.ref, type0);
  }

  /** Identity for the BMP (minus the surrogate block), plus the allocated non-BMP characters. */
  private toUnicodeCMap(): string {
    const ranges: string[] = [];
    for (let hi = 0; hi < 256; hi++) {
      if (hi >= 0xd8 && hi <= 0xdf) continue;
      const start = hi << 8;
      ranges.push(`<${hex4(start)}> <${hex4(start + 0xff)}> <${hex4(start)}>`);
    }
    const chars = [...this.extra].map(
      ([cp, cid]) =>
        `<${hex4(cid)}> <${hex4(0xd800 + ((cp - 0x10000) >> 10))}${hex4(0xdc00 + ((cp - 0x10000) & 0x3ff))}>`,
    );
    chars.push(`<${hex4(WIDE_SPACE_CID)}> <00200020>`);
    const blocks: string[] = [];
    // A CMap allows at most 100 entries per begin…end block.
    for (let i = 0; i < ranges.length; i += 100) {
      const part = ranges.slice(i, i + 100);
      blocks.push(`${part.length} beginbfrange\n${part.join('\n')}\nendbfrange`);
    }
    for (let i = 0; i < chars.length; i += 100) {
      const part = chars.slice(i, i + 100);
      blocks.push(`${part.length} beginbfchar\n${part.join('\n')}\nendbfchar`);
    }
    return [
      '/CIDInit /ProcSet findresource begin',
      '12 dict begin',
      'begincmap',
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
      '/CMapName /Adobe-Identity-UCS def',
      '/CMapType 2 def',
      '1 begincodespacerange',
      '<0000> <FFFF>',
      'endcodespacerange',
      ...blocks,
      'endcmap',
      'CMapName currentdict /CMap defineresource pop',
      'end',
      'end',
      '',
    ].join('\n');
  }
}

/** Formats a number for a content stream: at most 3 decimals, no exponent. */
export function num(n: number): string {
  if (!Number.isFinite(n)) return '0';
  // Thousandths as a whole number, written out by hand: `toFixed` and a regular expression per
  // number were a tenth of a 20-page export. Beyond 2^53 thousandths (never a page coordinate)
  // the whole number is not exact: written the slow way.
  const m = Math.round(n * 1000);
  if (m === 0) return '0';
  if (!Number.isSafeInteger(m)) {
    const s = (m / 1000).toFixed(3).replace(/\.?0+$/, '');
    return s === '-0' ? '0' : s;
  }
  const a = m < 0 ? -m : m;
  const whole = Math.floor(a / 1000);
  let frac = a - whole * 1000;
  let digits = '';
  if (frac !== 0) {
    let width = 3;
    while (frac % 10 === 0) {
      frac /= 10;
      width--;
    }
    digits = '.' + String(frac).padStart(width, '0');
  }
  return (m < 0 ? '-' : '') + String(whole) + digits;
}
