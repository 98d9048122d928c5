import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations, SCHEMA_VERSION } from './migrations/index.ts';

export type Db = Database.Database;

/** The database cannot be used by this version of the app; the message says what to do. */
export class DatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseError';
  }
}

/**
 * Opens (creating if needed) the queue database and brings its schema up to date.
 *
 * WAL lets `bulk-ocr status` read while a run writes. `synchronous = NORMAL` in WAL mode keeps every
 * committed transaction across a process crash (only an OS crash or power loss can drop the last few),
 * at a fraction of FULL's fsync cost per page.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
  } catch (error) {
    throw new DatabaseError(`cannot open the database ${path}: ${(error as Error).message}`);
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, path);
  return db;
}

function migrate(db: Db, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new DatabaseError(
      `the database ${path} was written by a newer version of Bulk OCR (schema ${version}, this version knows ${SCHEMA_VERSION}); update the app or use another --db`,
    );
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      migrations[v](db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** Closes the database, letting SQLite refresh its query planner statistics first. */
export function closeDatabase(db: Db): void {
  if (!db.open) return;
  try {
    db.pragma('optimize');
  } finally {
    db.close();
  }
}
