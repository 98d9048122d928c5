/**
 * The options every PDF is opened with. One place, so a test can assert them (test/unit/
 * hostile-limits.test.ts): a PDF is untrusted input, and pdf.js must treat it as data only.
 */
import path from 'node:path';
import type { Limits } from './ocrTypes.ts';

export interface PdfjsOpenOptions {
  data: Uint8Array;
  /** No code generated from the PDF: pdf.js 6 removed its eval paths; kept false for older builds. */
  isEvalSupported: false;
  /** No @font-face from embedded fonts: glyphs are drawn as paths by pdf.js's own font parser. */
  disableFontFace: true;
  /** Never look up fonts installed on this machine by a name the PDF chose. */
  useSystemFonts: false;
  /**
   * XFA forms are scripted HTML-ish documents: never rendered. Only the check for a dynamic XFA
   * form (`xfaCheck`) lets pdf.js parse one, to ask whether it is one; its pages are not used.
   */
  enableXfa: boolean;
  /** Node has no OffscreenCanvas or ImageDecoder; say so rather than let pdf.js probe. */
  isOffscreenCanvasSupported: false;
  isImageDecoderSupported: false;
  fontExtraProperties: false;
  pdfBug: false;
  /** Recover from damage where pdf.js can (broken xref, bad objects), as a reader would. */
  stopAtErrors: false;
  /** Images embedded in the PDF larger than this are not decoded (pdf.js drops them with a warning). */
  maxImageSize: number;
  /** Largest canvas pdf.js may allocate for its own intermediate drawing (soft masks, patterns). */
  canvasMaxAreaInBytes: number;
  standardFontDataUrl: string;
  cMapUrl: string;
  cMapPacked: true;
  wasmUrl: string;
  iccUrl: string;
  verbosity: number;
}

/** `assets` is pdfjs-dist's folder with a trailing separator. */
export function pdfjsOpenOptions(
  data: Uint8Array,
  limits: Limits,
  assets: string,
  verbosity: number,
  use: { xfaCheck?: boolean } = {},
): PdfjsOpenOptions {
  return {
    data,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    enableXfa: use.xfaCheck === true,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    fontExtraProperties: false,
    pdfBug: false,
    stopAtErrors: false,
    maxImageSize: limits.maxImagePixels,
    canvasMaxAreaInBytes: limits.maxPagePixels * 4,
    standardFontDataUrl: `${assets}standard_fonts${path.sep}`,
    cMapUrl: `${assets}cmaps${path.sep}`,
    cMapPacked: true,
    wasmUrl: `${assets}wasm${path.sep}`,
    iccUrl: `${assets}iccs${path.sep}`,
    verbosity,
  };
}
