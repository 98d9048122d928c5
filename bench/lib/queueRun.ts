import path from 'node:path';
import type { QueueResult } from './report.ts';
import { freshDir, runJsonChild } from './util.ts';

/** The queue micro-benchmark (queueChild.ts) in a clean process of its own, for its idle memory. */
export function runQueueChild(docs: number, pages: number, dbPath: string): Promise<QueueResult> {
  freshDir(path.dirname(dbPath));
  return runJsonChild<QueueResult>(
    'queueChild.ts',
    ['--docs', String(docs), '--pages', String(pages), '--db', dbPath],
    'queue benchmark',
    ['--expose-gc'],
  );
}
