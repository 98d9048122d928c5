/**
 * Every temporary file of a test run goes into one folder, removed when the run ends: the tests
 * (and the CLI and worker processes they start) take their scratch folders from os.tmpdir(), which
 * follows TMPDIR. Set KEEP_TEST_FILES=1 to keep the folder for a look after a failure; its path is
 * printed then.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const folder = mkdtempSync(path.join(tmpdir(), 'bulk-ocr-tests-'));
  process.env.TMPDIR = folder;
  return () => {
    if (process.env.KEEP_TEST_FILES === '1') console.log(`test files kept in ${folder}`);
    else rmSync(folder, { recursive: true, force: true });
  };
}
