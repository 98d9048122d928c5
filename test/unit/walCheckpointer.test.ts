import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Db } from '../../src/main/engine/store/db.ts';
import { WalCheckpointer } from '../../src/main/engine/store/walCheckpointer.ts';

let dir: string;
let dbPath: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulk-ocr-wal-'));
  dbPath = join(dir, 'queue.db');
  db = openDatabase(dbPath);
  db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)');
});
afterEach(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

/** 8 MB in 64 commits: twice SQLite's auto-checkpoint threshold. */
function writeBurst(): void {
  const insert = db.prepare('INSERT INTO blobs (data) VALUES (?)');
  for (let i = 0; i < 64; i++) insert.run(Buffer.alloc(128 * 1024, i));
}

it('copies committed pages into the database file from its own thread, not in the commits', async () => {
  const checkpointer = new WalCheckpointer(db, dbPath, 100);
  const before = statSync(dbPath).size;
  writeBurst();
  // No commit checkpointed: everything is still in the log.
  expect(statSync(dbPath).size).toBe(before);
  await sleep(1_000);
  expect(statSync(dbPath).size).toBeGreaterThan(before + 8 * 2 ** 20);
  await checkpointer.stop();
  expect(db.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(64);
});

it('the engine checkpoints itself again once the thread is gone', async () => {
  const checkpointer = new WalCheckpointer(db, dbPath, 60_000);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  await checkpointer.stop();
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  const before = statSync(dbPath).size;
  writeBurst();
  expect(statSync(dbPath).size).toBeGreaterThan(before);
});

it('a thread that cannot run hands checkpoints back to the engine, and stopping it does not hang', async () => {
  const checkpointer = new WalCheckpointer(db, join(dir, 'missing', 'queue.db'), 100);
  await expect.poll(() => db.pragma('wal_autocheckpoint', { simple: true }), { timeout: 5_000 }).toBe(1000);
  await checkpointer.stop();
  const before = statSync(dbPath).size;
  writeBurst();
  expect(statSync(dbPath).size).toBeGreaterThan(before);
});
