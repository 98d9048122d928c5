/**
 * The source PDF as the searchable copy is built on it: opened (decrypted when only an owner
 * password protects it), reduced to the document every reader sees, and saved so that the result
 * passes `qpdf --check`.
 *
 * What pdf-lib alone gets wrong, and what is done about it here:
 * - an object held in two versions (incremental updates): the cross-reference sections decide
 *   which is live, the others are dropped (../pdfRepair/liveObjects.ts);
 * - a decrypted file: its encryption dictionary is no longer referenced and is dropped with
 *   everything else the trailer cannot reach (old cross-reference streams, stale linearization);
 * - a page tree that loops, lies about its /Count, lists a page twice or is nested absurdly deep:
 *   rebuilt as one /Pages node over the pages that were read, with the true count
 *   (pageTree.ts);
 * - PDF/A-1 forbids object streams: such a file is written with a classic cross-reference table
 *   and keeps its version, so it stays what it claims to be.
 */
import {
  decodePDFRawStream,
  parsePDFAConformanceFromXmp,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFPage,
  PDFPageLeaf,
  PDFRawStream,
  PDFStream,
  PDFString,
} from '@cantoo/pdf-lib';
import type { PDFObject } from '@cantoo/pdf-lib';
import { InputError } from '../../common/errors.ts';
import { dropUnreachable, keepLiveVersions, liveGenerations } from './liveObjects.ts';
import { rebuildPageTree, walkPageTree } from './pageTree.ts';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Opens a PDF, decrypting it when it only has an owner password (empty user password). */
export async function loadSourcePdf(bytes: Uint8Array): Promise<PDFDocument> {
  // One call: a plain PDF is parsed once, one with an owner password only twice (the second
  // time decrypting) instead of three times. Only when that fails are the steps below taken one
  // by one, to tell a damaged file from a password-protected one.
  try {
    const doc = await PDFDocument.load(bytes, {
      updateMetadata: false,
      ignoreEncryption: true,
      password: '',
    });
    if (!doc.isEncrypted) return decrypted(doc);
  } catch {
    // Told apart below.
  }
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true });
  } catch (error) {
    throw new InputError('DAMAGED_FILE', `the PDF cannot be read: ${messageOf(error)}`);
  }
  if (!doc.isEncrypted) return doc;
  try {
    // An empty password opens files that are encrypted only to restrict editing/printing; the
    // output is written decrypted (it would otherwise need re-encrypting the new objects).
    doc = await PDFDocument.load(bytes, { updateMetadata: false, password: '' });
  } catch {
    throw new InputError('PASSWORD_PROTECTED', 'the PDF is password protected');
  }
  if (doc.isEncrypted) throw new InputError('PASSWORD_PROTECTED', 'the PDF is password protected');
  return decrypted(doc);
}

/**
 * A decrypted document's literal strings hold their plain bytes unescaped (pdf-lib writes a parsed
 * string back as it read it, which for ciphertext is the decrypted bytes): a title with one ")" or
 * a "\", or the encryption dictionary's random /O and /U, would be written as a string that never
 * ends ("Unterminated string" in poppler, an error to qpdf). Written as hex strings instead: the
 * same bytes, nothing to escape.
 */
function decrypted(doc: PDFDocument): PDFDocument {
  const { context } = doc;
  if (!context.isDecrypted) return doc;
  const hex = (s: PDFString): PDFHexString =>
    PDFHexString.of(
      [...s.asString()].map((c) => (c.charCodeAt(0) & 0xff).toString(16).padStart(2, '0')).join(''),
    );
  const pending: PDFObject[] = context.enumerateIndirectObjects().map(([, object]) => object);
  while (pending.length > 0) {
    const object = pending.pop()!;
    if (object instanceof PDFDict) {
      for (const [key, value] of object.entries()) {
        if (value instanceof PDFString) object.set(key, hex(value));
        else pending.push(value);
      }
    } else if (object instanceof PDFArray) {
      object.asArray().forEach((value, i) => {
        if (value instanceof PDFString) object.set(i, hex(value));
        else pending.push(value);
      });
    } else if (object instanceof PDFStream) pending.push(object.dict);
  }
  return doc;
}

/**
 * Prepares a loaded source for its text layers: one live version of every object, and a page
 * tree that holds exactly the `pagesRead` pages the OCR read, in order (rebuilt when damaged).
 * Returns those pages. Throws DAMAGED_FILE when the tree holds fewer pages than were read.
 */
export function pagesToLayer(doc: PDFDocument, source: Uint8Array, pagesRead: number): PDFPage[] {
  const { context } = doc;
  keepLiveVersions(context, liveGenerations(source, context));
  const walk = walkPageTree(context, pagesRead);
  if (walk.pages.length < pagesRead) {
    // pdf.js read more pages than the tree holds: only a file changed since it was read does that.
    throw new InputError(
      'DAMAGED_FILE',
      `the PDF's page tree is damaged: ${walk.pages.length} of its pages can be copied where ${pagesRead} were read, so no searchable PDF can be written (or the file changed since it was read)`,
    );
  }
  const refs =
    walk.damage.length > 0 || walk.pages.length !== pagesRead
      ? rebuildPageTree(context, walk.pages.slice(0, pagesRead))
      : walk.pages.map((p) => p.ref!);
  return refs.map((ref) => {
    const leaf = context.lookup(ref);
    if (!(leaf instanceof PDFPageLeaf))
      throw new Error(`page object ${ref.toString()} is not a page after the page tree was checked`);
    return PDFPage.of(leaf, ref, doc);
  });
}

/** Which part of PDF/A the document claims (its catalog's XMP `pdfaid:part`), or null. */
function pdfaPart(doc: PDFDocument): number | null {
  try {
    const meta = doc.catalog.lookup(PDFName.of('Metadata'));
    if (!(meta instanceof PDFRawStream)) return null;
    const xml = new TextDecoder('utf-8').decode(decodePDFRawStream(meta).decode());
    return parsePDFAConformanceFromXmp(xml)?.part ?? null;
  } catch {
    return null;
  }
}

/** Drops what the document no longer references and writes it. */
export async function saveSourcePdf(doc: PDFDocument): Promise<Uint8Array> {
  dropUnreachable(doc.context);
  return doc.save({
    // Object streams make files smaller; PDF/A-1 forbids them (and pdf-lib refuses to write them).
    useObjectStreams: pdfaPart(doc) !== 1,
    addDefaultPage: false,
    objectsPerTick: 2000,
    updateFieldAppearances: false,
  });
}

/**
 * The file with its page tree rebuilt from the pages a reader finds (loops stepped over, each
 * page once per mention), for pdf.js to read when it gives up on the tree itself: pdf.js stops at
 * the first loop, so the pages after it, which every other reader shows, would be lost. The
 * searchable PDF is later built from the original file with the same walk, so both agree page
 * for page. Null when pdf-lib cannot read the file either.
 */
export async function withRebuiltPageTree(bytes: Uint8Array, maxPages: number): Promise<Uint8Array | null> {
  try {
    const doc = await loadSourcePdf(bytes);
    keepLiveVersions(doc.context, liveGenerations(bytes, doc.context));
    const walk = walkPageTree(doc.context, maxPages);
    if (walk.pages.length === 0) return null;
    rebuildPageTree(doc.context, walk.pages);
    return await saveSourcePdf(doc);
  } catch {
    return null;
  }
}
