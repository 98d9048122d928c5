/**
 * Replays one fuzz case in this process, the way the fuzz worker runs it (probe, then text layer
 * and render of the first pages), and prints the outcome and the time taken:
 *   node_modules/.bin/node test/fuzz/fuzzOne.ts FILE
 */
import { toErrorInfo } from '../../src/main/common/errors.ts';
import { openDocument } from '../../src/main/worker/pdfDocument.ts';
import { probeFile } from '../../src/main/worker/probe.ts';

const file = process.argv[2];
const started = performance.now();
const step = (what: string): void => console.log(`${Math.round(performance.now() - started)} ms  ${what}`);
process.on('uncaughtException', (e) => {
  step(`UNCAUGHT ${e.stack ?? String(e)}`);
  process.exit(1);
});
process.on('unhandledRejection', (e) => {
  step(
    `UNHANDLED REJECTION ${(e as Error).name}: ${(e as Error).message} ${(e as Error).stack ?? String(e)}`,
  );
  process.exit(1);
});
try {
  const probe = await probeFile(file);
  step(`probe: ${probe.kind}, ${probe.pageCount} page(s)`);
  const doc = await openDocument(file);
  for (let p = 1; p <= Math.min(2, probe.pageCount); p++) {
    try {
      if (doc.kind === 'pdf') {
        await doc.textLayer(p);
        step(`page ${p}: text layer`);
        const r = await doc.render(p, 100);
        step(`page ${p}: rendered ${r.raster.width} × ${r.raster.height}`);
      } else {
        await doc.raster(p);
        step(`page ${p}: decoded`);
      }
    } catch (error) {
      const e = toErrorInfo(error);
      step(`page ${p}: ${e.code} ${e.message}`);
    }
  }
  await doc.close();
} catch (error) {
  const e = toErrorInfo(error);
  step(`${e.code} ${e.message}`);
}
