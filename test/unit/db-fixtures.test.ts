import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  closeDatabase,
  DatabaseError,
  listBackups,
  openDatabase,
  SCHEMA_VERSION,
  type Db,
} from '../../src/main/engine/store/db.ts';
import { migrations } from '../../src/main/engine/store/migrations/index.ts';
import { getDocuments, queueCounts } from '../../src/main/engine/store/documents.ts';
import { recoverLeases } from '../../src/main/engine/store/tasks.ts';
import { listWatchFolders, seenSignatures } from '../../src/main/engine/store/watch.ts';
import { exportBatch } from '../../src/main/engine/store/exportTasks.ts';
import { recordedOutputFiles } from '../../src/main/engine/store/outputFiles.ts';
import { tempDir } from '../helpers/engineRun.ts';

/**
 * Databases left by released versions (test/fixtures/db/schema-N.db, written once by
 * test/fixtures-gen/makeDbFixture.ts with that version's code) open in this version: migrated to
 * the latest schema after a backup, every document and page kept. Databases this version must not
 * touch are refused with a message naming the file and a way out, and left byte for byte as they were.
 */
const FIXTURES = resolve(import.meta.dirname, '../fixtures/db');
const fixtures = readdirSync(FIXTURES)
  .filter((f) => /^schema-\d+\.db$/.test(f))
  .map((f) => ({ file: join(FIXTURES, f), version: Number(/\d+/.exec(f)![0]) }));
const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');

let dir: string;
beforeEach(() => {
  dir = tempDir('dbfix');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Snapshot {
  documents: unknown[];
  pages: unknown[];
}
/** The columns every schema has had since 1, read without our code. */
function snapshot(file: string): Snapshot {
  const raw = new Database(file, { readonly: true });
  try {
    return {
      documents: raw
        .prepare(
          'SELECT id, path, state, paused, pages_done, pages_failed, error_code, error_message FROM documents ORDER BY id',
        )
        .all(),
      pages: raw
        .prepare('SELECT doc_id, page_no, state, text, words, error_code FROM pages ORDER BY id')
        .all(),
    };
  } finally {
    raw.close();
  }
}
function versionOf(file: string): number {
  const raw = new Database(file, { readonly: true });
  try {
    return raw.pragma('user_version', { simple: true }) as number;
  } finally {
    raw.close();
  }
}
function refusal(fn: () => unknown): DatabaseError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseError);
    return error as DatabaseError;
  }
  throw new Error('expected the database to be refused');
}

describe('databases of released schemas', () => {
  it('there is a fixture for every schema up to the current one, made by its own version', () => {
    const versions = Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1);
    expect(fixtures.map((f) => f.version).sort((a, b) => a - b)).toEqual(versions);
    for (const f of fixtures) expect(versionOf(f.file), f.file).toBe(f.version);
  });

  for (const fixture of fixtures) {
    it(`schema ${fixture.version} migrates to ${SCHEMA_VERSION} keeping every document and page`, () => {
      const copy = join(dir, 'queue.db');
      copyFileSync(fixture.file, copy);
      const before = snapshot(copy);
      expect(before.documents.length).toBeGreaterThanOrEqual(8);

      const db = openDatabase(copy);
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const after = snapshot(copy);
        expect(after).toEqual(before);
        // The current code reads the old rows: states, texts, errors, the running page of a crash.
        const docs = getDocuments(db, [1, 2, 3, 4, 5, 6, 7, 8]);
        expect(docs.map((d) => [d.path.replace('/scans/', ''), d.state])).toEqual([
          ['done.pdf', 'done'],
          ['with-errors.pdf', 'done-with-errors'],
          ['probe-failed.pdf', 'failed'],
          ['queued.pdf', 'queued'],
          ['paused.pdf', 'paused'],
          ['cancelled.pdf', 'cancelled'],
          ['running.pdf', 'running'],
          ['never-opened.pdf', 'new'],
        ]);
        expect(docs[2].error).toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
        expect(queueCounts(db).pages).toMatchObject({ done: 4, failed: 1, running: 1 });
        // The watched folder and what it took (schema 2 on), the export dialog's batch (schema 3 on).
        if (fixture.version >= 2) {
          expect(listWatchFolders(db).map((f) => f.path)).toEqual(['/scans']);
          expect(seenSignatures(db, listWatchFolders(db)[0].id).size).toBe(2);
        }
        if (fixture.version >= 3) {
          const batch = exportBatch(db, 1, 10)!;
          expect(batch.items.map((i) => [i.path.replace('/scans/', ''), i.state, i.written])).toEqual([
            ['done.pdf', 'written', ['/exported/done.txt']],
            ['with-errors.pdf', 'queued', []],
          ]);
        }
        // What the queue wrote, file by file (schema 5 on); none recorded before.
        const written = recordedOutputFiles(db, 1);
        if (fixture.version >= 5)
          expect([...written.values()].map((f) => [f.path, f.size])).toEqual([
            ['/out/done.pdf', 20_480],
            ['/out/done.txt', 52],
          ]);
        else expect(written.size).toBe(0);
        // An engine starting on it puts the page that was running back in the queue.
        recoverLeases(db, Date.now());
        expect(queueCounts(db).pages.running).toBe(0);
      } finally {
        closeDatabase(db);
      }

      const backups = listBackups(copy);
      if (fixture.version < SCHEMA_VERSION) {
        expect(backups).toHaveLength(1);
        expect(backups[0]).toMatch(new RegExp(`queue\\.db\\.v${fixture.version}-\\d{8}T\\d{6}Z\\.bak$`));
        expect(versionOf(backups[0])).toBe(fixture.version);
        expect(snapshot(backups[0])).toEqual(before);
      } else {
        expect(backups).toEqual([]); // nothing to migrate, nothing copied
      }
    });
  }

  /** One more migration than this version has: what the next release will do to today's databases. */
  const nextRelease = [
    ...migrations,
    (db: Db) => db.exec('ALTER TABLE documents ADD COLUMN future_note TEXT'),
  ];

  it('makes a backup before migrating, named after the old schema, and keeps the newest three', () => {
    const latest = fixtures.at(-1)!;
    const copy = join(dir, 'queue.db');
    copyFileSync(latest.file, copy);
    const db = openDatabase(copy); // up to this version first (a backup if the fixture is older)
    closeDatabase(db);
    const before = snapshot(copy);
    for (const f of listBackups(copy)) rmSync(f);

    const upgraded = openDatabase(copy, {
      migrations: nextRelease,
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    closeDatabase(upgraded);
    const [backup] = listBackups(copy);
    expect(backup).toBe(`${copy}.v${SCHEMA_VERSION}-20260102T030405Z.bak`);
    expect(versionOf(backup)).toBe(SCHEMA_VERSION);
    expect(snapshot(backup)).toEqual(before);
    expect(snapshot(copy)).toEqual(before);

    // Repeated upgrades (each from a fresh copy of the old file) keep only the newest three copies.
    for (let i = 0; i < 4; i++) {
      const again = join(dir, 'again.db');
      copyFileSync(backup, again);
      closeDatabase(
        openDatabase(again, { migrations: nextRelease, now: () => Date.UTC(2026, 0, 3, 0, 0, i) }),
      );
    }
    expect(listBackups(join(dir, 'again.db'))).toHaveLength(3);
  });

  it('a migration that fails leaves the database at its old schema, rows intact, with the backup named', () => {
    const copy = join(dir, 'queue.db');
    copyFileSync(fixtures.at(-1)!.file, copy);
    closeDatabase(openDatabase(copy));
    const before = snapshot(copy);
    const broken = [
      ...migrations,
      (db: Db) => {
        db.exec('DELETE FROM pages');
        throw new Error('disk on fire');
      },
    ];
    const error = refusal(() => openDatabase(copy, { migrations: broken }));
    expect(error.code).toBe('DB_MIGRATION_FAILED');
    expect(error.message).toContain(copy);
    expect(error.message).toContain('disk on fire');
    expect(error.message).toContain(`${copy}.v${SCHEMA_VERSION}-`);
    expect(versionOf(copy)).toBe(SCHEMA_VERSION);
    expect(snapshot(copy)).toEqual(before);
  });
});

describe('databases this version refuses (and leaves untouched)', () => {
  it('a file that is not SQLite', () => {
    const file = join(dir, 'queue.db');
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    const bytes = readFileSync(file);
    const error = refusal(() => openDatabase(file));
    expect(error.code).toBe('DB_NOT_SQLITE');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/--db/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('a damaged database: quick_check fails; the message names the file, the backup and the way out', () => {
    const file = join(dir, 'queue.db');
    copyFileSync(fixtures.at(-1)!.file, file);
    writeFileSync(`${file}.v0-20250101T000000Z.bak`, 'an older copy');
    // Scribble over the middle of the file: b-tree pages of the tables, as a bad sector or a stray write would.
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    for (let i = pageSize * 2; i < bytes.length - pageSize; i += 7) bytes[i] = (i * 31) & 0xff;
    writeFileSync(file, bytes);
    const error = refusal(() => openDatabase(file));
    expect(error.code).toBe('DB_CORRUPT');
    expect(error.message).toContain(`the database ${file} is damaged`);
    expect(error.message).toContain(`${file}.v0-20250101T000000Z.bak`);
    expect(error.message).toMatch(/move it aside|--db/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('a database of a newer version', () => {
    const file = join(dir, 'queue.db');
    copyFileSync(fixtures.at(-1)!.file, file);
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    const before = snapshot(file);
    const error = refusal(() => openDatabase(file));
    expect(error.code).toBe('DB_NEWER');
    expect(error.message).toContain(file);
    expect(error.message).toContain(`schema ${SCHEMA_VERSION + 5}`);
    expect(error.message).toMatch(/--db/);
    expect(snapshot(file)).toEqual(before);
    expect(versionOf(file)).toBe(SCHEMA_VERSION + 5);
  });

  it("another program's SQLite database", () => {
    const file = join(dir, 'notes.sqlite');
    const raw = new Database(file);
    raw.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    raw.close();
    const error = refusal(() => openDatabase(file));
    expect(error.code).toBe('DB_NOT_OURS');
    const again = new Database(file, { readonly: true });
    expect(again.prepare('SELECT name FROM sqlite_master').all()).toEqual([{ name: 'notes' }]);
    again.close();
  });

  it('bulk-ocr status on a damaged file: one line naming it, exit code 1, no stack trace', () => {
    const file = join(dir, 'queue.db');
    writeFileSync(file, 'not a database');
    const r = spawnSync(process.execPath, [BIN, 'status', '--db', file], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(file, 'utf8')).toBe('not a database');
  });
});
