import { deflateSync } from 'node:zlib';
import type { PDFContext, PDFRawStream } from '@cantoo/pdf-lib';

type StreamDict = Parameters<PDFContext['stream']>[1];

/**
 * A FlateDecode stream compressed by Node's zlib. pdf-lib's own `context.flateStream` compresses
 * in JavaScript (fflate): on a 20-page document's text layers that was about half the export's
 * CPU time. Same filter, same decoded bytes; strings are taken one byte per character, as
 * pdf-lib takes them.
 */
export function flateStream(
  context: PDFContext,
  contents: string | Uint8Array,
  dict: StreamDict = {},
): PDFRawStream {
  const bytes = typeof contents === 'string' ? Buffer.from(contents, 'latin1') : contents;
  return context.stream(deflateSync(bytes), { ...dict, Filter: 'FlateDecode' });
}

/** Compressed once per process: for data every document gets the same (the font's files). */
export function deflatedOnce(make: () => Uint8Array): () => Uint8Array {
  let deflated: Uint8Array | null = null;
  return () => (deflated ??= deflateSync(make()));
}
