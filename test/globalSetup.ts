/**
 * Every temporary file of a test run goes into one folder, removed when the run ends: the tests
 * (and the CLI and worker processes they start) take their scratch folders from os.tmpdir(), which
 * follows TMPDIR. Set KEEP_TEST_FILES=1 to keep the folder for a look after a failure; its path is
 * printed then (and when a PDF the app wrote fails `qpdf --check`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkWrittenPdfs, describeProblems } from './helpers/qpdfCheck.ts';

export default function setup(): () => void {
  const folder = mkdtempSync(path.join(tmpdir(), 'bulk-ocr-tests-'));
  process.env.TMPDIR = folder;
  // Every process the tests start records the PDFs the app writes; each is checked with qpdf
  // after the test that wrote it (helpers/qpdfAfterEach.ts) and, for stragglers, here at the end.
  process.env.BULK_OCR_TEST_PDF_LOG = path.join(folder, 'written-pdfs.log');
  const preload = path.join(import.meta.dirname, 'helpers', 'recordWrittenPdfs.js');
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${JSON.stringify(preload)}`.trim();
  return () => {
    const problems = checkWrittenPdfs();
    if (process.env.KEEP_TEST_FILES === '1' || problems.length > 0)
      console.log(`test files kept in ${folder}`);
    else rmSync(folder, { recursive: true, force: true });
    if (problems.length > 0) throw new Error(describeProblems(problems));
  };
}
