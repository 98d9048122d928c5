import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { migrations as releasedMigrations, SCHEMA_VERSION } from './migrations/index.ts';

export type Db = Database.Database;

/** Why a database was refused; the CLI and the desktop app show the message, tests match the code. */
export type DatabaseErrorCode =
  | 'DB_CANNOT_OPEN'
  | 'DB_NOT_SQLITE'
  | 'DB_NOT_OURS'
  | 'DB_CORRUPT'
  | 'DB_NEWER'
  | 'DB_MIGRATION_FAILED'
  | 'DB_BACKUP_FAILED'
  | 'DB_LOCKED';

/** The database cannot be used by this version of the app; the message names the file and what to do. */
export class DatabaseError extends Error {
  readonly code: DatabaseErrorCode;

  constructor(message: string, code: DatabaseErrorCode = 'DB_CANNOT_OPEN') {
    super(message);
    this.name = 'DatabaseError';
    this.code = code;
  }
}

export type Migration = (db: Db) => void;

export interface OpenOptions {
  /** Backups made before a migration that are kept per database (older ones are deleted). Default 3. */
  backupsToKeep?: number;
  /** Replaces the released migrations (tests of the backup path use one more than exists). */
  migrations?: readonly Migration[];
  /** For backup names. */
  now?: () => number;
}

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * Opens (creating if needed) the queue database and brings its schema up to date.
 *
 * An existing file is refused, never emptied or recreated, when it is not SQLite, is someone
 * else's SQLite database, fails `PRAGMA quick_check`, or was written by a newer version; the
 * message names the file and a way out. Before a migration the database is copied next to itself
 * (`queue.db.v1-<time>.bak`), so a migration that goes wrong, or a downgrade, loses nothing.
 *
 * WAL lets `bulk-ocr status` read while a run writes. `synchronous = NORMAL` in WAL mode keeps every
 * committed transaction across a process crash (only an OS crash or power loss can drop the last few),
 * at a fraction of FULL's fsync cost per page.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const existed = !inMemory && fileSize(path) > 0;
  if (existed) checkHeader(path);
  let db: Db;
  try {
    db = new Database(path);
  } catch (error) {
    throw new DatabaseError(
      `cannot open the database ${path}: ${(error as Error).message}`,
      'DB_CANNOT_OPEN',
    );
  }
  try {
    if (existed) checkIntegrity(db, path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, path, options);
  } catch (error) {
    db.close();
    if (error instanceof DatabaseError) throw error;
    throw new DatabaseError(
      `cannot open the database ${path}: ${(error as Error).message}`,
      'DB_CANNOT_OPEN',
    );
  }
  return db;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A file that is not SQLite at all is refused before SQLite sees it (it would only say "not a database"). */
function checkHeader(path: string): void {
  const head = Buffer.alloc(16);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new DatabaseError(
      `cannot open the database ${path}: ${(error as Error).message}`,
      'DB_CANNOT_OPEN',
    );
  }
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_HEADER)
    throw new DatabaseError(
      `${path} is not a Bulk OCR queue database (it is not an SQLite file at all). Bulk OCR leaves it untouched: ` +
        `use --db to name another file, or move this one aside and a new, empty queue is created in its place.`,
      'DB_NOT_SQLITE',
    );
}

/**
 * `quick_check` reads every page of the file: O(size), about a second per few hundred MB, paid once
 * per start. It catches torn or overwritten pages before the engine trusts (or writes over) them.
 */
function checkIntegrity(db: Db, path: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check);
  } catch (error) {
    problems = [(error as Error).message];
  }
  if (problems.length === 1 && problems[0] === 'ok') return;
  const backups = listBackups(path);
  const restore = backups.length > 0 ? `restore the latest backup (copy ${backups[0]} over it), ` : '';
  throw new DatabaseError(
    `the database ${path} is damaged (SQLite reports: ${problems.slice(0, 2).join('; ')}). Bulk OCR will not use or empty it. ` +
      `Way out: ${restore}move it aside (a new, empty queue is created in its place), or use --db another file.`,
    'DB_CORRUPT',
  );
}

function migrate(db: Db, path: string, options: OpenOptions): void {
  const migrations = options.migrations ?? releasedMigrations;
  const latest = migrations.length;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > latest) {
    throw new DatabaseError(
      `the database ${path} was written by a newer version of Bulk OCR (schema ${version}, this version knows ${latest}). ` +
        `Bulk OCR will not change it. Update the app, or use --db another file` +
        `${backupHint(path)}.`,
      'DB_NEWER',
    );
  }
  if (version === 0) {
    // Version 0 and tables already there: an SQLite file of some other program. Never add ours to it.
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
      n: number;
    };
    if (tables.n > 0)
      throw new DatabaseError(
        `${path} is an SQLite database, but not a Bulk OCR queue (it has ${tables.n === 1 ? 'a table' : `${tables.n} tables`} of another program). ` +
          `Bulk OCR leaves it untouched: use --db to name another file.`,
        'DB_NOT_OURS',
      );
  }
  if (version === latest) return;
  if (version > 0 && path !== ':memory:') backupBeforeMigration(db, path, version, options);
  for (let v = version; v < latest; v++) {
    try {
      db.transaction(() => {
        migrations[v](db);
        db.pragma(`user_version = ${v + 1}`);
      })();
    } catch (error) {
      throw new DatabaseError(
        `the database ${path} could not be brought from schema ${v} to ${v + 1}: ${(error as Error).message}. ` +
          `Nothing was changed by this step${backupHint(path)}.`,
        'DB_MIGRATION_FAILED',
      );
    }
  }
}

/** " ; the copy made before the last migration is …" when there is one. */
function backupHint(path: string): string {
  const backups = listBackups(path);
  return backups.length > 0 ? `; the copy made before the last upgrade is ${backups[0]}` : '';
}

/**
 * Writes a consistent copy of the database next to it before its schema is changed, and keeps the
 * newest few. The WAL is checkpointed first so the copy holds every committed transaction, then
 * `VACUUM INTO` writes a compact, self-contained file (no -wal beside it).
 */
function backupBeforeMigration(db: Db, path: string, version: number, options: OpenOptions): void {
  const stamp = new Date((options.now ?? Date.now)())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let target = `${path}.v${version}-${stamp}.bak`;
  for (let i = 2; fileSize(target) > 0; i++) target = `${path}.v${version}-${stamp}-${i}.bak`;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.prepare('VACUUM INTO ?').run(target);
  } catch (error) {
    rmSync(target, { force: true });
    throw new DatabaseError(
      `the database ${path} needs an upgrade (schema ${version}), but the safety copy ${target} could not be written: ` +
        `${(error as Error).message}. Nothing was changed; free some space or fix the folder's permissions and start again.`,
      'DB_BACKUP_FAILED',
    );
  }
  const keep = options.backupsToKeep ?? 3;
  for (const old of listBackups(path).slice(keep)) rmSync(old, { force: true });
}

/** Backups of this database made before migrations, newest first. */
export function listBackups(path: string): string[] {
  const dir = dirname(path);
  const prefix = `${basename(path)}.v`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && n.endsWith('.bak'))
    .map((n) => join(dir, n))
    .map((file) => ({ file, mtime: statSync(file).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime || b.file.localeCompare(a.file))
    .map((b) => b.file);
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

export { SCHEMA_VERSION };
