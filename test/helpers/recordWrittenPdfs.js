// Test-only preload (NODE_OPTIONS=--import, set by test/globalSetup.ts for every process the tests
// start): records each PDF the app puts in place, so the suite runs `qpdf --check` on every PDF it
// writes (test/helpers/qpdfCheck.ts). The app's writer (src/main/common/atomicWrite.ts) writes a
// hidden temporary file `.NAME.random.tmp` and renames or links it into place: exactly those final
// steps are recorded, not the inputs the tests copy or generate (some are broken on purpose).
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { syncBuiltinESMExports } from 'node:module';

const log = process.env.BULK_OCR_TEST_PDF_LOG;
if (log) {
  const record = (from, to) => {
    if (typeof from !== 'string' || typeof to !== 'string') return;
    if (/^\..*\.tmp$/.test(path.basename(from)) && to.toLowerCase().endsWith('.pdf'))
      fs.appendFileSync(log, `${path.resolve(to)}\n`);
  };
  for (const name of ['rename', 'link']) {
    const original = fs.promises[name];
    fs.promises[name] = async function (from, to) {
      const result = await original.call(this, from, to);
      record(from, to);
      return result;
    };
    const originalSync = fs[`${name}Sync`];
    fs[`${name}Sync`] = function (from, to) {
      const result = originalSync.call(this, from, to);
      record(from, to);
      return result;
    };
  }
  // `import { rename } from 'node:fs/promises'` and friends see the wrapped functions too.
  syncBuiltinESMExports();
}
