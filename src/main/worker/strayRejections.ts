/**
 * pdf.js parses some parts of a document in the background while it opens it, and on certain
 * damaged files (a bad cross-reference entry, found by the fuzz run) those background promises
 * reject with nobody listening. Node ends a process on an unhandled rejection, so one such file
 * took the whole worker down, and after its retries failed as "the OCR worker exited with code 1".
 * The damage is reported anyway through the calls that need the data (as DAMAGED_FILE), so these
 * strays are dropped. Any other unhandled rejection is still fatal: it is a bug of ours.
 */

/** pdf.js's own error classes (BaseException subclasses) and its FormatError. */
const PDFJS_ERRORS = new Set([
  'XRefEntryException',
  'XRefParseException',
  'FormatError',
  'InvalidPDFException',
  'MissingDataException',
  'UnknownErrorException',
  'ParserEOFException',
  'PasswordException',
  'ResponseException',
  'AbortException',
]);

/** True for a rejection that pdf.js raised in its own background work. */
export function isPdfjsStray(reason: unknown): boolean {
  const error = reason as { name?: unknown; stack?: unknown } | null;
  if (!error || typeof error.name !== 'string') return false;
  if (PDFJS_ERRORS.has(error.name)) return true;
  return typeof error.stack === 'string' && /pdfjs-dist[/\\]/.test(error.stack) && error.name !== 'TypeError';
}

/**
 * Installs the filter: pdf.js strays are counted and dropped, anything else ends the process as
 * Node would (exit code 1, after printing it).
 */
export function dropPdfjsStrayRejections(onDropped: (reason: unknown) => void = () => undefined): void {
  process.on('unhandledRejection', (reason) => {
    if (isPdfjsStray(reason)) {
      onDropped(reason);
      return;
    }
    console.error('Unhandled rejection in the OCR worker:', reason);
    process.exit(1);
  });
}
