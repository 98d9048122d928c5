import type { DocumentRow } from '../../../shared/model.ts';
import type { QueueListPage, QueueListQuery, QueueSort } from '../../../shared/api.ts';
import type { Db } from './db.ts';
import { toDocumentRow, type DocumentRecord } from './rows.ts';

/** Most rows one list call returns: a window of the table, never the whole queue. */
export const MAX_LIST_LIMIT = 500;

/**
 * The file name part of `path` in SQL: `rtrim(path, <every char but '/'>)` strips the name and
 * leaves the folder with its trailing slash, so the name starts right after it.
 */
const NAME_SQL = `substr(path, length(rtrim(path, replace(path, '/', ''))) + 1)`;

/**
 * ORDER BY per sort. Every order ends in `id` so paging is stable. `queue` (the default) is the
 * order the engine works in; `added` walks the primary key, so it needs no sort at all. The others
 * sort with LIMIT, which SQLite does as a top-N sort (O(n log k)): fine for 100k rows, and no index
 * of ours has to be kept up to date on every page completion for a column a user rarely sorts by.
 */
const ORDER_BY: Record<QueueSort, (desc: boolean) => string> = {
  queue: (d) => (d ? 'priority ASC, id DESC' : 'priority DESC, id ASC'),
  added: (d) => (d ? 'id DESC' : 'id ASC'),
  name: (d) => `${NAME_SQL} COLLATE NOCASE ${d ? 'DESC' : 'ASC'}, id ASC`,
  state: (d) => `state ${d ? 'DESC' : 'ASC'}, priority DESC, id ASC`,
  progress: (d) =>
    `CASE WHEN page_count > 0 THEN (pages_done + pages_failed) * 1.0 / page_count ELSE 0 END ${d ? 'DESC' : 'ASC'}, id ASC`,
};

/** The SQL and bound values for a filter; exported for the query-plan test. */
export function listingSql(query: QueueListQuery): { where: string; params: unknown[]; orderBy: string } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const states = [...new Set(query.states ?? [])];
  if (states.length > 0) {
    const inStates = `state IN (${states.map(() => '?').join(', ')})`;
    // A paused document that was never opened keeps state 'new' with its paused flag: "paused"
    // means both (the window shows it as paused too).
    clauses.push(
      states.includes('paused')
        ? `(${inStates} OR (paused = 1 AND state NOT IN ('done', 'done-with-errors', 'failed', 'cancelled')))`
        : inStates,
    );
    params.push(...states);
  }
  const search = query.search?.trim();
  if (search) {
    // LIKE is case-insensitive for ASCII; % and _ typed by the user are matched literally.
    clauses.push(`${NAME_SQL} LIKE ? ESCAPE '\\'`);
    params.push(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  return {
    where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '',
    params,
    orderBy: ORDER_BY[query.sort ?? 'queue'](query.descending === true),
  };
}

/** One page of the queue, filtered and sorted in SQL, and the number of rows that match. */
export function listDocuments(db: Db, query: QueueListQuery): QueueListPage {
  const { where, params, orderBy } = listingSql(query);
  const limit = Math.max(0, Math.min(MAX_LIST_LIMIT, Math.trunc(query.limit)));
  const offset = Math.max(0, Math.trunc(query.offset));
  const total = (db.prepare(`SELECT count(*) AS n FROM documents ${where}`).get(...params) as { n: number })
    .n;
  const rows =
    limit === 0
      ? []
      : (
          db
            .prepare(`SELECT * FROM documents ${where} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
            .all(...params, limit, offset) as DocumentRecord[]
        ).map(toDocumentRow);
  return { total, offset, rows };
}

/** Ids of every document that matches a filter, in list order (capped, for "select all"). */
export function listDocumentIds(
  db: Db,
  query: Omit<QueueListQuery, 'offset' | 'limit'>,
  cap = 100_000,
): number[] {
  const { where, params, orderBy } = listingSql({ ...query, offset: 0, limit: 0 });
  return (
    db.prepare(`SELECT id FROM documents ${where} ORDER BY ${orderBy} LIMIT ?`).all(...params, cap) as {
      id: number;
    }[]
  ).map((r) => r.id);
}

/** The priorities of documents, for moving them up or down relative to where they are. */
export function documentPriorities(db: Db, ids: readonly number[]): Map<number, number> {
  const get = db.prepare('SELECT priority FROM documents WHERE id = ?');
  const out = new Map<number, number>();
  for (const id of ids) {
    const r = get.get(id) as { priority: number } | undefined;
    if (r) out.set(id, r.priority);
  }
  return out;
}

/** Rows for ids that still exist, and the ids that do not (removed meanwhile). */
export function documentsOrRemoved(
  db: Db,
  ids: readonly number[],
): { rows: DocumentRow[]; removed: number[] } {
  const get = db.prepare('SELECT * FROM documents WHERE id = ?');
  const rows: DocumentRow[] = [];
  const removed: number[] = [];
  for (const id of ids) {
    const r = get.get(id) as DocumentRecord | undefined;
    if (r) rows.push(toDocumentRow(r));
    else removed.push(id);
  }
  return { rows, removed };
}
