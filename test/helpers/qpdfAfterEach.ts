/**
 * Vitest setup file: after every test, `qpdf --check` on the PDFs the app wrote meanwhile (see
 * qpdfCheck.ts). A PDF that fails makes the test that just ran fail, with qpdf's words.
 */
import { afterEach } from 'vitest';
import { checkWrittenPdfs, describeProblems } from './qpdfCheck.ts';

afterEach(() => {
  const problems = checkWrittenPdfs();
  if (problems.length > 0) throw new Error(describeProblems(problems));
});
