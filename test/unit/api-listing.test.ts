import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Db } from '../../src/main/engine/store/db.ts';
import { insertDocuments, type NewDocument } from '../../src/main/engine/store/documents.ts';
import { listDocuments, listingSql } from '../../src/main/engine/store/listing.ts';
import type { QueueListQuery } from '../../src/shared/api.ts';

let dir: string;
let db: Db;
const N = 20_000;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulk-ocr-listing-'));
  db = openDatabase(join(dir, 'queue.db'));
  const docs: NewDocument[] = [];
  for (let i = 0; i < N; i++) {
    const path = `/scans/box-${i % 50}/scan-${String(i).padStart(6, '0')}.pdf`;
    docs.push({
      path,
      root: '/scans',
      size: 1000 + i,
      mtimeMs: 0,
      priority: i % 10,
      source: 'cli',
      options: { languages: ['eng'], dpi: 300, mode: 'auto' },
      output: { formats: ['txt'], stem: path.slice(0, -4), overwrite: false },
    });
  }
  insertDocuments(db, docs, 0);
  db.prepare(`UPDATE documents SET state = 'failed' WHERE id % 100 = 0`).run();
  db.pragma('optimize');
  db.exec('ANALYZE');
});
afterAll(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

function plan(query: QueueListQuery): string {
  const { where, params, orderBy } = listingSql(query);
  const rows = db
    .prepare(`EXPLAIN QUERY PLAN SELECT * FROM documents ${where} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
    .all(...params, query.limit, query.offset) as { detail: string }[];
  return rows.map((r) => r.detail).join(' | ');
}

describe('queue listing', () => {
  it('pages, filters by state and searches by file name in SQL', () => {
    const page = listDocuments(db, { offset: 100, limit: 50, sort: 'added' });
    expect(page.total).toBe(N);
    expect(page.rows).toHaveLength(50);
    expect(page.rows[0].id).toBe(101);

    const failed = listDocuments(db, { offset: 0, limit: 500, states: ['failed'] });
    expect(failed.total).toBe(N / 100);
    expect(failed.rows.every((r) => r.state === 'failed')).toBe(true);

    // Folder names do not match a name search; names do, case-insensitively.
    expect(listDocuments(db, { offset: 0, limit: 10, search: 'box-1' }).total).toBe(0);
    expect(listDocuments(db, { offset: 0, limit: 10, search: 'SCAN-00012' }).total).toBe(10);
    expect(listDocuments(db, { offset: 0, limit: 10, search: '_' }).total).toBe(0);

    const byName = listDocuments(db, { offset: 0, limit: 3, sort: 'name', descending: true });
    expect(byName.rows[0].path).toMatch(/scan-019999\.pdf$/);
    const byQueue = listDocuments(db, { offset: 0, limit: 3 });
    expect(byQueue.rows.map((r) => r.priority)).toEqual([9, 9, 9]);
    expect(listDocuments(db, { offset: 0, limit: 100_000 }).rows).toHaveLength(500);
  });

  it('uses indexes: the state filter is an index search, "added" order walks the primary key', () => {
    expect(plan({ offset: 0, limit: 50, states: ['failed'] })).toMatch(
      /SEARCH documents USING INDEX documents_by_state/,
    );
    const added = plan({ offset: 0, limit: 50, sort: 'added' });
    expect(added).not.toMatch(/TEMP B-TREE/);
    // Queue order over all rows has no index of its own (it would be one more index written on
    // every priority change): SQLite does a top-N sort with the LIMIT, O(n log k).
    expect(plan({ offset: 0, limit: 50 })).toMatch(/SCAN documents/);
  });
});
