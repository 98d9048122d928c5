import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from './db.ts';

/** SQLite's own default: checkpoint when the log reaches 1,000 pages (4 MB). */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
const WAL_SIZE_LIMIT_BYTES = 64 * 2 ** 20;

/**
 * Moves the write-ahead log's checkpoints off the engine's thread.
 *
 * With SQLite's default auto-checkpoint, the commit that pushes the log past 4 MB copies it into
 * the database file and syncs it, inside that commit: one page result in ~30 took 5–20 ms instead
 * of 0.3 ms (the queue benchmark's p99), stalling the event loop that feeds the workers. Here the
 * engine's connection never checkpoints; a thread with its own connection does, every second,
 * without blocking the engine (PASSIVE). Durability is unchanged: a committed transaction is in
 * the log either way, and a log left by a crash is replayed at the next open.
 *
 * If the thread cannot run (a build without its script, or it died), the engine's connection goes
 * back to checkpointing itself, so the log never grows without bound.
 */
export class WalCheckpointer {
  private readonly db: Db;
  private readonly worker: Worker | null;
  private stopped = false;

  constructor(db: Db, dbPath: string, intervalMs = 1_000) {
    this.db = db;
    const script = threadScript();
    this.worker =
      dbPath === ':memory:' || !script ? null : new Worker(script, { workerData: { dbPath, intervalMs } });
    if (!this.worker) return;
    db.pragma('wal_autocheckpoint = 0');
    // Once a checkpoint has caught up, the next commit starts the log again from its beginning and
    // cuts the file back to this size: a burst (a big add) does not leave a huge -wal file behind.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    this.worker.unref();
    const fallBack = (): void => {
      if (!this.stopped && db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    };
    this.worker.once('error', fallBack);
    this.worker.once('exit', fallBack);
  }

  /** Lets the thread make a last checkpoint and close its connection; resolves when it has exited. */
  async stop(): Promise<void> {
    if (this.stopped || !this.worker) return;
    this.stopped = true;
    const exited = new Promise<void>((resolve) => this.worker?.once('exit', () => resolve()));
    this.worker.postMessage('stop');
    const timeout = setTimeout(() => void this.worker?.terminate(), 5_000);
    await exited;
    clearTimeout(timeout);
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
  }
}

/** The thread's script: the .ts source next to this file, or the .js bundle next to the main bundle. */
function threadScript(): string | null {
  for (const ext of ['.ts', '.js']) {
    const candidate = fileURLToPath(new URL(`./walCheckpoint.entry${ext}`, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
