/**
 * `qpdf --check` on every PDF the app writes during the tests. test/helpers/recordWrittenPdfs.js
 * (preloaded into every process the tests start) lists them; `checkWrittenPdfs` runs qpdf on those
 * listed since the last call. Hooked after every test (test/helpers/qpdfAfterEach.ts) and at the
 * end of the run (test/globalSetup.ts), so a new test that writes a PDF gets the check for free.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, readSync, closeSync, statSync, writeFileSync } from 'node:fs';

/** A PDF qpdf finds errors or warnings in, and what it said. */
export interface QpdfProblem {
  path: string;
  output: string;
}

const MIN_PDF_BYTES = 64;

function isPdf(path: string): boolean {
  if (!existsSync(path) || statSync(path).size < MIN_PDF_BYTES) return false;
  const head = Buffer.alloc(5);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 5, 0);
  } finally {
    closeSync(fd);
  }
  return head.toString('latin1') === '%PDF-';
}

/**
 * Checks the PDFs written since the last call (the log's read position is kept beside it, so
 * files written after one test file's last test are checked with the next). Files already gone
 * (a test removed its folder) or that are not PDFs (a test of the writer itself writes a few
 * bytes) are passed over.
 */
export function checkWrittenPdfs(log = process.env.BULK_OCR_TEST_PDF_LOG): QpdfProblem[] {
  if (!log || !existsSync(log)) return [];
  const mark = `${log}.checked`;
  const from = existsSync(mark) ? Number(readFileSync(mark, 'utf8')) || 0 : 0;
  const all = readFileSync(log);
  // Only whole lines: a process may be appending right now.
  const end = all.lastIndexOf(0x0a) + 1;
  if (end <= from) return [];
  writeFileSync(mark, String(end));
  const paths = [...new Set(all.toString('utf8', from, end).split('\n').filter(Boolean))];
  const problems: QpdfProblem[] = [];
  for (const path of paths) {
    if (!isPdf(path)) continue;
    const r = spawnSync('qpdf', ['--check', path], { encoding: 'utf8', timeout: 60_000 });
    if (r.error) throw new Error(`qpdf cannot be run (${r.error.message}); install it: apt-get install qpdf`);
    // 0: clean; 2: errors; 3: warnings. Our outputs must be clean.
    if (r.status !== 0) problems.push({ path, output: `${r.stdout}${r.stderr}`.trim() });
  }
  return problems;
}

/** The problems as one message for a failed test. */
export function describeProblems(problems: readonly QpdfProblem[]): string {
  return problems
    .map((p) => `qpdf --check fails on a PDF the app wrote, ${p.path}:\n${p.output}`)
    .join('\n\n');
}
