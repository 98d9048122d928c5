/**
 * A thread that checkpoints the queue database's write-ahead log on its own connection, so the
 * engine's thread never does (see walCheckpointer.ts for why).
 *
 * PASSIVE checkpoints never wait for the engine's readers or writer: they copy what they can and
 * try again next time. Runs until the parent posts 'stop', then makes one last attempt and exits.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

interface CheckpointThreadData {
  dbPath: string;
  intervalMs: number;
}

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as typeof BetterSqlite3;
const { dbPath, intervalMs } = workerData as CheckpointThreadData;

const db = new Database(dbPath, { fileMustExist: true });
db.pragma('busy_timeout = 1000');

function checkpoint(): void {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY or a transient I/O error: the log keeps its frames; the next round copies them.
  }
}

const timer = setInterval(checkpoint, intervalMs);
parentPort?.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort?.close();
});
