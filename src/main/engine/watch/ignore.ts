import { basename, relative, sep } from 'node:path';
import { isScannableName } from '../../common/outputNames.ts';

/** Subfolders of a watched folder that originals are moved into; never ingested themselves. */
export const PROCESSED_DIR = 'processed';
export const FAILED_DIR = 'failed';

/**
 * Names that are still being written or are not documents: partial downloads and browser
 * downloads in progress, Office lock files (`~$…`), editor and app temporaries (our own atomic
 * writes are `.NAME.random.tmp`, hidden as well).
 */
const TEMPORARY = [
  /\.part$/i,
  /\.partial$/i,
  /\.crdownload$/i,
  /\.download$/i,
  /\.tmp$/i,
  /\.temp$/i,
  /\.swp$/i,
  /~$/,
];

export interface IgnoreRules {
  /** The watched folder (absolute, resolved). */
  root: string;
  /** The output folder when it lies inside the watched folder (outputs must not loop back in). */
  outDir: string | null;
}

/**
 * True for a path under the watched folder that is never ingested and, when a folder, never
 * descended into: hidden entries, temporary and partial names, the processed/ and failed/
 * subfolders, the output folder. Applies to files and folders alike (no extension rule here: a
 * folder has none).
 */
export function isIgnoredPath(path: string, rules: IgnoreRules): boolean {
  if (rules.outDir && (path === rules.outDir || path.startsWith(rules.outDir + sep))) return true;
  const rel = relative(rules.root, path);
  if (rel === '') return false;
  if (rel.startsWith('..')) return true;
  const parts = rel.split(sep);
  if (parts[0] === PROCESSED_DIR || parts[0] === FAILED_DIR) return true;
  for (const part of parts) {
    if (part.startsWith('.') || part.startsWith('~$')) return true;
    if (TEMPORARY.some((re) => re.test(part))) return true;
  }
  return false;
}

/**
 * A file worth ingesting: a scannable extension, not one of our own outputs written next to
 * a source (`NAME.ocr.pdf`; `.txt` and `.reason.txt` are not scannable at all), not ignored.
 */
export function isWatchedFile(path: string, rules: IgnoreRules): boolean {
  if (isIgnoredPath(path, rules)) return false;
  return isScannableName(basename(path));
}
