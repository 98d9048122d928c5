import { closeDatabase, DatabaseError, openDatabase, type Db } from './db.ts';
import { refreshDocumentState } from './documentState.ts';

/** Opens the queue for one engine (`owner`): refused, with the database closed again, if another holds it. */
export function openOwnedDatabase(path: string, owner: string, now: number): Db {
  const db = openDatabase(path);
  try {
    acquireEngineLock(db, owner, now);
    return db;
  } catch (error) {
    closeDatabase(db);
    throw error;
  }
}

/**
 * One engine per database: two would hand the same page to two workers. The holder's pid is
 * recorded; a lock whose process is gone (crash, kill) is taken over.
 */
export function acquireEngineLock(db: Db, owner: string, now: number): void {
  db.transaction(() => {
    const held = db.prepare('SELECT owner, pid FROM engine_lock WHERE id = 1').get() as
      { owner: string; pid: number } | undefined;
    if (held && held.pid !== process.pid && isAlive(held.pid)) {
      throw new DatabaseError(
        `another Bulk OCR process (pid ${held.pid}) is working on this queue; wait for it to finish, stop it, or use another --db`,
        'DB_LOCKED',
      );
    }
    db.prepare(
      `INSERT INTO engine_lock (id, owner, pid, started_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, started_at = excluded.started_at`,
    ).run(owner, process.pid, now);
  })();
}

/** The process working on this queue now, if any (read by `bulk-ocr status` without taking the lock). */
export function engineLockHolder(db: Db): { pid: number; startedAt: number } | null {
  const r = db.prepare('SELECT pid, started_at FROM engine_lock WHERE id = 1').get() as
    { pid: number; started_at: number } | undefined;
  return r ? { pid: r.pid, startedAt: r.started_at } : null;
}

export function releaseEngineLock(db: Db, owner: string): void {
  if (db.open) db.prepare('DELETE FROM engine_lock WHERE id = 1 AND owner = ?').run(owner);
}

/**
 * On an orderly stop, tasks still leased by this engine go back to the queue, and the attempt is
 * not counted against them: stopping the app is not the page's fault.
 */
export function releaseLeases(db: Db, owner: string): void {
  if (!db.open) return;
  db.transaction(() => {
    const pages = db
      .prepare(
        `UPDATE pages SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = max(0, attempts - 1)
         WHERE state = 'running' AND lease_owner = ? RETURNING doc_id`,
      )
      .all(owner) as { doc_id: number }[];
    db.prepare(
      `UPDATE documents SET lease_owner = NULL, lease_expires_at = NULL, attempts = max(0, attempts - 1) WHERE lease_owner = ?`,
    ).run(owner);
    const now = Date.now();
    for (const id of new Set(pages.map((p) => p.doc_id))) refreshDocumentState(db, id, now);
  })();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
