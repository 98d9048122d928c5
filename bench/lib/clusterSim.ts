/**
 * What the cluster simulation puts in place of recognition. A simulated node is the real
 * `WorkerNode` (BullMQ worker, heartbeats, file fetch and cache, results queue) whose OCR worker
 * processes are replaced through the node's `spawn` parameter by an in-process port that, for a
 * page task, waits for a per-page time recorded in a real run on this machine and answers with
 * that page's recorded result (text, words with boxes, timings). No node code is changed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import type { PageResult, PageTimings } from '../../src/shared/model.ts';
import type { SpawnWorker, WorkerPort, WorkerReply, WorkerRequest } from '../../src/main/worker/protocol.ts';

/** One page of a real run: how long its worker took and what it returned. */
export interface RecordedPage {
  ms: number;
  result: PageResult;
}

/** The OCR'd pages of a finished engine run (its database), in document and page order. */
export function recordPages(dbPath: string): RecordedPage[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT text, words, mean_confidence, source, width, height, dpi, timings FROM pages
         WHERE state = 'done' AND source = 'ocr' ORDER BY doc_id, page_no`,
      )
      .all() as {
      text: string;
      words: string;
      mean_confidence: number | null;
      source: 'ocr';
      width: number;
      height: number;
      dpi: number;
      timings: string;
    }[];
    return rows.map((r) => {
      const timings = JSON.parse(r.timings) as PageTimings;
      const words = (JSON.parse(r.words) as [string, number, number, number, number, number][]).map(
        ([text, x0, y0, x1, y1, confidence]) => ({ text, x0, y0, x1, y1, confidence }),
      );
      return {
        ms: timings.total,
        result: {
          text: r.text,
          words,
          meanConfidence: r.mean_confidence,
          source: r.source,
          width: r.width,
          height: r.height,
          dpi: r.dpi,
          timings,
        },
      };
    });
  } finally {
    db.close();
  }
}

export function saveRecorded(file: string, pages: RecordedPage[]): void {
  writeFileSync(file, JSON.stringify(pages));
}

export function loadRecorded(file: string): RecordedPage[] {
  return JSON.parse(readFileSync(file, 'utf8')) as RecordedPage[];
}

let fakePid = 900_000;

/**
 * A spawner of simulated OCR workers: each answers page tasks one at a time (as a real worker
 * does) after `ms × scale` of waiting, cycling through the recorded pages from its own offset.
 * `scale` 0: answer at once (the saturation run: what the cluster path itself can carry).
 */
export function recordedSpawner(pages: readonly RecordedPage[], scale = 1): SpawnWorker {
  let workers = 0;
  return (): WorkerPort => {
    const pid = fakePid++;
    let next = (workers++ * 7) % pages.length;
    const listeners: ((m: WorkerReply) => void)[] = [];
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    const timers = new Set<NodeJS.Timeout>();
    let gone = false;
    const reply = (m: WorkerReply): void => {
      if (!gone) for (const l of listeners) l(m);
    };
    const exit = (code: number | null, signal: string | null): void => {
      if (gone) return;
      gone = true;
      for (const t of timers) clearTimeout(t);
      for (const l of exitListeners) l(code, signal);
    };
    setImmediate(() => reply({ type: 'ready', pid, engine: 'recorded pages (simulation)' }));
    return {
      pid,
      send(message: WorkerRequest) {
        if (message.type === 'shutdown') return void setImmediate(() => exit(0, null));
        if (message.type !== 'page') {
          const error = { code: 'INTERNAL' as const, message: 'a simulated node runs page tasks only' };
          return void setImmediate(() => reply({ type: 'failed', id: message.id, error, rss: 0 }));
        }
        const page = pages[next++ % pages.length];
        const t = setTimeout(() => {
          timers.delete(t);
          reply({ type: 'done', id: message.id, value: page.result, rss: 60 * 2 ** 20 });
        }, page.ms * scale);
        timers.add(t);
      },
      onMessage: (l) => void listeners.push(l),
      onExit: (l) => void exitListeners.push(l),
      kill: () => setImmediate(() => exit(null, 'SIGKILL')),
    };
  };
}

/**
 * A PDF of `pages` pages with one line of text each, distinct per `seed` (documents with the same
 * bytes would be one document to the queue). Run in `force` mode, every page goes to the nodes.
 */
export async function simulationPdf(file: string, seed: number, pages: number): Promise<string> {
  const marker = `${file}.pages`;
  if (existsSync(file) && existsSync(marker) && readFileSync(marker, 'utf8') === String(pages)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++)
    doc
      .addPage([595.28, 841.89])
      .drawText(`Simulation document ${seed}, page ${n} of ${pages}`, { x: 56, y: 780, size: 12, font });
  writeFileSync(file, await doc.save());
  writeFileSync(marker, String(pages));
  return file;
}
