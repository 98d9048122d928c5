import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './db.ts';

/** SQLite's own default: checkpoint when the log reaches 1,000 pages (4 MB). */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
const WAL_SIZE_LIMIT_BYTES = 64 * 2 ** 20;

/**
 * The thread's code. Plain JavaScript evaluated as a script (not a module file): no TypeScript
 * loader and no bundle entry of its own, which keeps the thread at ~18 MB instead of ~30 MB.
 * PASSIVE checkpoints never wait for the engine's readers or writer: they copy what they can and
 * try again next round. On 'stop' it makes a last attempt, closes its connection and exits.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.dbPath, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
db.pragma('cache_size = -256');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY or a transient I/O error: the log keeps its frames; the next round copies them.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/**
 * Moves the write-ahead log's checkpoints off the engine's thread.
 *
 * With SQLite's default auto-checkpoint, the commit that pushes the log past 4 MB copies it into
 * the database file and syncs it, inside that commit: about one page result in 30 took 5–10 ms
 * instead of 0.3 ms (the queue benchmark's p99), stalling the event loop that feeds the workers.
 * Here the engine's connection never checkpoints; a thread with its own connection does, every
 * second, without blocking the engine. Durability is unchanged: a committed transaction is in the
 * log either way, and a log left by a crash is replayed at the next open.
 *
 * If the thread cannot start or dies, the engine's connection goes back to checkpointing itself,
 * so the log never grows without bound.
 */
export class WalCheckpointer {
  private readonly db: Db;
  private readonly worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(db: Db, dbPath: string, intervalMs = 1_000) {
    this.db = db;
    if (dbPath === ':memory:') return;
    const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { betterSqlite3, dbPath, intervalMs },
      resourceLimits: { maxOldGenerationSizeMb: 16 },
    });
    this.worker.unref();
    db.pragma('wal_autocheckpoint = 0');
    // Once a checkpoint has caught up, the next commit starts the log again from its beginning and
    // cuts the file back to this size: a burst (a big add) does not leave a huge -wal file behind.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    this.exited = new Promise((resolve) => {
      this.worker?.once('exit', () => {
        this.checkpointHere();
        resolve();
      });
    });
    // An error ends the thread too ('exit' follows); the engine checkpoints itself from then on.
    this.worker.on('error', () => undefined);
  }

  /** Lets the thread make a last checkpoint and close its connection; resolves when it has exited. */
  async stop(): Promise<void> {
    if (this.stopped || !this.worker) return;
    this.stopped = true;
    this.worker.postMessage('stop');
    const timeout = setTimeout(() => void this.worker?.terminate(), 5_000);
    await this.exited;
    clearTimeout(timeout);
  }

  private checkpointHere(): void {
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
  }
}
