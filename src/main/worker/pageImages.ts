/**
 * The size of the largest image a PDF page draws, read from its resources (through pdf-lib), for
 * the message that refuses it: pdf.js drops an image over the limit with a bare warning that does
 * not say how large it was.
 */
import { PDFDict, PDFName, PDFNumber, PDFPageLeaf, PDFRawStream, PDFRef } from '@cantoo/pdf-lib';
import type { RawPdf } from './pageContent.ts';

/** Form XObjects looked into (nested forms, shared resources): enough for any real page. */
const MAX_FORMS = 200;

/** The largest image in the page's resources and the forms it uses; null when none is found. */
export function largestImage(
  doc: RawPdf,
  pageRef: { num: number; gen: number } | null,
): { width: number; height: number } | null {
  if (!pageRef) return null;
  const { context } = doc;
  const leaf = context.lookup(PDFRef.of(pageRef.num, pageRef.gen));
  if (!(leaf instanceof PDFPageLeaf)) return null;
  let best: { width: number; height: number } | null = null;
  const pending: unknown[] = [leaf.Resources()];
  const seen = new Set<unknown>();
  while (pending.length > 0 && seen.size < MAX_FORMS) {
    const resources = context.lookup(pending.pop() as PDFDict | undefined);
    if (!(resources instanceof PDFDict) || seen.has(resources)) continue;
    seen.add(resources);
    const xobjects = context.lookup(resources.get(PDFName.of('XObject')));
    if (!(xobjects instanceof PDFDict)) continue;
    for (const [, value] of xobjects.entries()) {
      const stream = context.lookup(value);
      if (!(stream instanceof PDFRawStream)) continue;
      const subtype = stream.dict.get(PDFName.of('Subtype'));
      if (subtype === PDFName.of('Form')) pending.push(stream.dict.get(PDFName.of('Resources')));
      if (subtype !== PDFName.of('Image')) continue;
      const width = context.lookup(stream.dict.get(PDFName.of('Width')));
      const height = context.lookup(stream.dict.get(PDFName.of('Height')));
      if (!(width instanceof PDFNumber) || !(height instanceof PDFNumber)) continue;
      const size = { width: width.asNumber(), height: height.asNumber() };
      if (!best || size.width * size.height > best.width * best.height) best = size;
    }
  }
  return best;
}
