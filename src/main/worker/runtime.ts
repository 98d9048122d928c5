import { stat } from 'node:fs/promises';
import type { Word } from '../../shared/model.ts';
import { toErrorInfo } from '../common/errors.ts';
import { assertSameSource } from './sourceIdentity.ts';
import type { ExportWireJob, SourceIdentity, WorkerReply, WorkerRequest, WorkerRole } from './protocol.ts';
import { probeFile } from './probe.ts';
import { openDocument, type AnyDocument, type OpenedDocument } from './pdfDocument.ts';
import { createRecognizer, type Recognizer } from './recognize.ts';
import { ocrPage } from './ocrPage.ts';
import type { ExportJob } from './export/exportDocument.ts';
import { exportWithPolicy } from './export/exportPolicy.ts';
import { preparedPicture } from './preparedPicture.ts';
import { renderPreview } from './preview.ts';
import type { Limits } from './ocrTypes.ts';

/** How the worker talks to its host; the entry wires it to the process, tests to in-memory ports. */
export interface WorkerIo {
  /** `light`: no Tesseract is loaded and pages are refused (protocol.ts WorkerRole). Default `ocr`. */
  role?: WorkerRole;
  send(reply: WorkerReply): void;
  onMessage(handler: (request: WorkerRequest) => void): void;
  exit(code: number): void;
}

/**
 * The worker's whole life: load Tesseract once (not in a light helper), say ready, then run one
 * task at a time until told to shut down. The opened input stays open between pages of the same file (pages of one document
 * tend to follow each other), and is reopened if the file changed on disk.
 */
export async function runWorker(io: WorkerIo): Promise<void> {
  let recognizer: Recognizer | null = null;
  try {
    if (io.role !== 'light') recognizer = await createRecognizer();
  } catch (error) {
    io.send({
      type: 'fatal',
      error: { code: 'INTERNAL', message: `the OCR engine could not start: ${toErrorInfo(error).message}` },
    });
    io.exit(1);
    return;
  }

  let open: { path: string; mtimeMs: number; size: number; doc: OpenedDocument } | null = null;
  const closeOpen = async (): Promise<void> => {
    const o = open;
    open = null;
    if (o) await o.doc.close().catch(() => undefined);
  };
  /** The file (size, mtime) last proved to be the document the queue opened: not hashed again per page. */
  let verified = '';
  const documentFor = async (
    path: string,
    limits?: Partial<Limits>,
    identity?: SourceIdentity,
  ): Promise<OpenedDocument> => {
    const s = await stat(path);
    const key = `${path}\0${s.size}\0${s.mtimeMs}`;
    if (identity && key !== verified) {
      await assertSameSource(path, s, identity);
      verified = key;
    }
    if (open && open.path === path && open.mtimeMs === s.mtimeMs && open.size === s.size) return open.doc;
    await closeOpen();
    const doc = await openDocument(path, limits);
    open = { path, mtimeMs: s.mtimeMs, size: s.size, doc };
    return doc;
  };

  const handle = async (m: Exclude<WorkerRequest, { type: 'shutdown' }>): Promise<unknown> => {
    switch (m.type) {
      case 'probe':
        return probeFile(m.path, m.limits);
      case 'page':
        if (!recognizer) throw new Error('this helper process does not recognise pages');
        return ocrPage(await documentFor(m.path, m.limits, m.identity), m.pageNo, m.options, recognizer);
      case 'export':
        await closeOpen(); // the exporter reads the source itself
        return exportWithPolicy(fromWire(m.job), m.ifExists ?? 'fail');
      case 'render': {
        // The review window's picture: the file kept open for pages stays open when it is the same
        // one; another file is opened for this alone, so the page work's cache is not thrown away.
        const draw = (doc: AnyDocument) =>
          m.prepared
            ? preparedPicture(doc, m.pageNo, m.prepared, m.maxSide)
            : renderPreview(doc, m.pageNo, m.dpi, m.maxSide);
        if (open?.path === m.path) return draw((await documentFor(m.path)) as AnyDocument);
        const doc = await openDocument(m.path);
        try {
          return await draw(doc);
        } finally {
          await doc.close().catch(() => undefined);
        }
      }
    }
  };

  io.onMessage((m) => {
    if (m.type === 'shutdown') {
      void closeOpen()
        .then(() => recognizer?.terminate())
        .catch(() => undefined)
        .finally(() => io.exit(0));
      return;
    }
    handle(m).then(
      (value) => io.send({ type: 'done', id: m.id, value, rss: process.memoryUsage().rss }),
      (error: unknown) =>
        io.send({ type: 'failed', id: m.id, error: toErrorInfo(error), rss: process.memoryUsage().rss }),
    );
  });
  io.send({ type: 'ready', pid: process.pid, ...(recognizer ? { engine: recognizer.engine } : {}) });
}

function fromWire(job: ExportWireJob): ExportJob {
  return {
    sourcePath: job.sourcePath,
    ...(job.sourceIdentity ? { sourceIdentity: job.sourceIdentity } : {}),
    kind: job.kind,
    target: job.target,
    pages: job.pages.map((p) => ({
      text: p.text,
      width: p.width,
      height: p.height,
      dpi: p.dpi,
      source: p.source,
      failed: p.failed,
      words: (JSON.parse(p.words) as [string, number, number, number, number, number][]).map(
        ([text, x0, y0, x1, y1, confidence]): Word => ({ text, x0, y0, x1, y1, confidence }),
      ),
    })),
  };
}
