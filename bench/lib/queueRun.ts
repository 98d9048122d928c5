import { fork } from 'node:child_process';
import path from 'node:path';
import type { QueueResult } from './report.ts';
import { BENCH_DIR, freshDir } from './util.ts';

/** The queue micro-benchmark (queueChild.ts) in a clean process of its own, for its idle memory. */
export function runQueueChild(docs: number, pages: number, dbPath: string): Promise<QueueResult> {
  freshDir(path.dirname(dbPath));
  return new Promise((resolve, reject) => {
    const child = fork(
      path.join(BENCH_DIR, 'lib', 'queueChild.ts'),
      ['--docs', String(docs), '--pages', String(pages), '--db', dbPath],
      {
        execArgv: ['--expose-gc'],
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      },
    );
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`queue benchmark exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as QueueResult);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
