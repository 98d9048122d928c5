import { basename, dirname, extname, join, relative } from 'node:path';

/**
 * The naming rules shared by ingest (where a document's outputs will go), the export tasks (where a
 * re-export goes) and the watched folders (which files are ours and must never be scanned again).
 * One module, so the three can never disagree about what `NAME.ocr.pdf` is.
 */

/** File extensions picked up when a folder is walked. A file named explicitly is taken whatever its name. */
export const SCANNABLE_EXTENSIONS = new Set([
  '.pdf',
  '.png',
  '.jpg',
  '.jpeg',
  '.tif',
  '.tiff',
  '.bmp',
  '.gif',
  '.webp',
  // Netpbm, as scanning tools (scanimage, unpaper) write them.
  '.pbm',
  '.pgm',
  '.ppm',
  '.pnm',
]);

/** Suffix of a searchable PDF written next to its source, so a later walk of that folder skips it. */
export const NEXT_TO_SOURCE_SUFFIX = '.ocr';

/**
 * Where a document's outputs go, without extension: mirrored under `outDir` relative to the named
 * folder, or next to the source with `.ocr` so the searchable PDF never replaces the input PDF.
 */
export function outputStem(path: string, root: string, outDir: string | null): string {
  const stem = basename(path, extname(path));
  if (!outDir) return join(dirname(path), stem + NEXT_TO_SOURCE_SUFFIX);
  return join(outDir, relative(root, dirname(path)), stem);
}

/** A name a folder walk takes: a scannable extension and not one of our own `NAME.ocr.*` outputs. */
export function isScannableName(name: string): boolean {
  const ext = extname(name).toLowerCase();
  if (!SCANNABLE_EXTENSIONS.has(ext)) return false;
  return !basename(name, ext).endsWith(NEXT_TO_SOURCE_SUFFIX);
}
