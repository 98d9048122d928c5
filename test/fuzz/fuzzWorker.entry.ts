/**
 * The fuzz run's worker process: the real probe and the real page path of the OCR worker
 * (open with pdf.js, read the text layer, render to grey pixels), minus the recognition itself —
 * Tesseract is handed a well-formed grey raster whatever the input was, so the mutated bytes end
 * before it. Speaks the pool's protocol (a 'probe' task carrying the whole case), so the real Pool
 * supplies time limits, memory limits and crash detection.
 */
import { toErrorInfo } from '../../src/main/common/errors.ts';
import { probeFile } from '../../src/main/worker/probe.ts';
import { openDocument } from '../../src/main/worker/pdfDocument.ts';
import type { WorkerReply, WorkerRequest } from '../../src/main/worker/protocol.ts';
import { dropPdfjsStrayRejections } from '../../src/main/worker/strayRejections.ts';

// As the real worker entry does.
dropPdfjsStrayRejections();

/** Pages rendered per case, and at what resolution (low: the parser is the target, not the pixels). */
const PAGES_PER_CASE = 2;
const DPI = 100;

const send = (reply: WorkerReply): void => void process.send?.(reply);

async function runCase(path: string): Promise<{ pages: number; rendered: number; pageErrors: string[] }> {
  const probe = await probeFile(path);
  const doc = await openDocument(path);
  const pageErrors: string[] = [];
  let rendered = 0;
  try {
    for (let p = 1; p <= Math.min(PAGES_PER_CASE, probe.pageCount); p++) {
      try {
        if (doc.kind === 'pdf') {
          await doc.textLayer(p);
          await doc.render(p, DPI);
        } else {
          await doc.raster(p);
        }
        rendered++;
      } catch (error) {
        // A page that fails with a reason is an outcome; anything else is reported as INTERNAL.
        pageErrors.push(toErrorInfo(error).code);
      }
    }
  } finally {
    await doc.close();
  }
  return { pages: probe.pageCount, rendered, pageErrors };
}

process.on('message', (m: WorkerRequest) => {
  if (m.type === 'shutdown') process.exit(0);
  if (m.type !== 'probe') return;
  runCase(m.path).then(
    (value) => send({ type: 'done', id: m.id, value, rss: process.memoryUsage().rss }),
    (error: unknown) =>
      send({ type: 'failed', id: m.id, error: toErrorInfo(error), rss: process.memoryUsage().rss }),
  );
});
process.on('disconnect', () => process.exit(0));
// pdf.js prints recoverable damage as warnings: thousands of them would drown the report.
console.warn = () => undefined;
console.log = () => undefined;
send({ type: 'ready', pid: process.pid });
