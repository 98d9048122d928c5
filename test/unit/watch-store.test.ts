import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/main/engine/store/db.ts';
import { up as initial } from '../../src/main/engine/store/migrations/0001-initial.ts';
import { SCHEMA_VERSION } from '../../src/main/engine/store/migrations/index.ts';
import { listWatchFolders } from '../../src/main/engine/store/watch.ts';

const work = mkdtempSync(join(tmpdir(), 'bulk-ocr-watch-store-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('migration 0002 (watched folders)', () => {
  it('brings a version-1 database up to date and keeps its rows', () => {
    const path = join(work, 'v1.db');
    const old = new Database(path);
    initial(old);
    old.pragma('user_version = 1');
    old
      .prepare(
        `INSERT INTO watch_folders (path, options, created_at) VALUES ('/scans', '{"recursive":true}', 5)`,
      )
      .run();
    old.close();

    const db = openDatabase(path);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
      expect(listWatchFolders(db)).toEqual([
        { id: 1, path: '/scans', options: { recursive: true }, createdAt: 5, lastScanAt: null },
      ]);
      const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all();
      expect(tables).toContainEqual({ name: 'watch_files' });
    } finally {
      closeDatabase(db);
    }
  });

  it('finds content by hash and a path by folder with indexes, not scans', () => {
    const db = openDatabase(join(work, 'plan.db'));
    try {
      const plan = (sql: string): string =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
          .map((r) => r.detail)
          .join('; ');
      expect(
        plan(
          `SELECT d.id FROM watch_files w JOIN documents d ON d.id = w.doc_id WHERE w.sha256 = 'x' AND d.state NOT IN ('failed', 'cancelled')`,
        ),
      ).toMatch(/watch_files_by_hash/);
      expect(plan(`SELECT id FROM watch_files WHERE folder_id = 1 AND path = '/a'`)).toMatch(
        /USING (COVERING )?INDEX/,
      );
    } finally {
      closeDatabase(db);
    }
  });
});
