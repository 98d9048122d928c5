import {
  DOCUMENT_STATES,
  type DocumentRow,
  type DocumentSource,
  type DocumentState,
  type OcrOptions,
  type OutputTarget,
  type QueueCounts,
} from '../../../shared/model.ts';
import type { Db } from './db.ts';
import { cachedStatement } from './statements.ts';
import { toDocumentRow, type DocumentRecord } from './rows.ts';
import { refreshDocumentState, TERMINAL_STATES } from './documentState.ts';
import { clampPriority } from './policy.ts';

/** A file found by ingest, ready to be queued. */
export interface NewDocument {
  path: string;
  root: string;
  size: number;
  mtimeMs: number;
  /** Explicit priority; else the caller's default by size. */
  priority: number;
  source: DocumentSource;
  options: OcrOptions;
  output: OutputTarget;
}

export interface InsertOutcome {
  id: number;
  /** false when the same file with the same options and outputs was already in the queue. */
  created: boolean;
  /** The existing document's state when it was reused (a failed or cancelled one is queued again). */
  previousState?: DocumentState;
}

/**
 * Queues many documents in one transaction with statements prepared once.
 *
 * The same file (path, size and mtime) with the same options and output is not queued twice: the
 * existing row is reused (taking this request's `overwrite`), and a failed or cancelled one is
 * given another go; a done one keeps its results (its outputs are looked at by outputReview.ts). Output stems that
 * collide with another document's (`a.pdf` and `a.png` in one folder) get the extension kept
 * (`a.png.txt`), so no two documents ever write the same output file.
 */
export function insertDocuments(db: Db, docs: readonly NewDocument[], now: number): InsertOutcome[] {
  const findSame = db.prepare(
    'SELECT id, state, size, mtime_ms, options, output FROM documents WHERE path = ? ORDER BY id DESC',
  );
  const stemTaken = db.prepare('SELECT 1 FROM documents WHERE output_stem = ? AND path != ? LIMIT 1');
  const insert = db.prepare(
    `INSERT INTO documents (path, root, size, mtime_ms, priority, source, options, output, output_stem, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const setOverwrite = db.prepare(
    `UPDATE documents SET output = json_set(output, '$.overwrite', json(?)), updated_at = ? WHERE id = ?`,
  );
  return db.transaction((): InsertOutcome[] => {
    const outcomes: InsertOutcome[] = [];
    const stemsInBatch = new Set<string>();
    for (const d of docs) {
      const options = JSON.stringify(d.options);
      const same = (
        findSame.all(d.path) as Pick<
          DocumentRecord,
          'id' | 'state' | 'size' | 'mtime_ms' | 'options' | 'output'
        >[]
      ).find(
        (r) =>
          r.size === d.size &&
          r.mtime_ms === Math.trunc(d.mtimeMs) &&
          r.options === options &&
          sameOutput(r.output, d),
      );
      if (same) {
        // `--overwrite` (or not) is the latest request's: it decides the export still to come.
        if ((JSON.parse(same.output) as OutputTarget).overwrite !== d.output.overwrite)
          setOverwrite.run(d.output.overwrite ? 'true' : 'false', now, same.id);
        if (same.state === 'failed' || same.state === 'cancelled') retryDocuments(db, [same.id], now);
        outcomes.push({ id: same.id, created: false, previousState: same.state as DocumentState });
        continue;
      }
      let stem = d.output.stem;
      if (stemsInBatch.has(stem) || stemTaken.get(stem, d.path)) stem = `${stem}${extensionOf(d.path)}`;
      stemsInBatch.add(stem);
      const output: OutputTarget = { ...d.output, stem };
      const info = insert.run(
        d.path,
        d.root,
        d.size,
        Math.trunc(d.mtimeMs),
        clampPriority(d.priority),
        d.source,
        options,
        JSON.stringify(output),
        stem,
        now,
        now,
      );
      outcomes.push({ id: Number(info.lastInsertRowid), created: true });
    }
    return outcomes;
  })();
}

/** The stored target is the one asked for (its stem may carry the extension after a collision). */
function sameOutput(stored: string, d: NewDocument): boolean {
  const prev = JSON.parse(stored) as OutputTarget;
  return (
    (prev.stem === d.output.stem || prev.stem === d.output.stem + extensionOf(d.path)) &&
    prev.formats.join() === d.output.formats.join()
  );
}

function extensionOf(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : '';
}

export function getDocument(db: Db, id: number): DocumentRow | null {
  const r = cachedStatement(db, 'SELECT * FROM documents WHERE id = ?').get(id) as DocumentRecord | undefined;
  return r ? toDocumentRow(r) : null;
}

export function getDocuments(db: Db, ids: readonly number[]): DocumentRow[] {
  const get = db.prepare('SELECT * FROM documents WHERE id = ?');
  return ids.flatMap((id) => {
    const r = get.get(id) as DocumentRecord | undefined;
    return r ? [toDocumentRow(r)] : [];
  });
}

/** A page's state now (`queued` again after a failure means it will be retried), or null when gone. */
export function pageState(db: Db, pageId: number): string | null {
  const r = cachedStatement(db, 'SELECT state FROM pages WHERE id = ?').get(pageId) as
    { state: string } | undefined;
  return r?.state ?? null;
}

/** Documents holding the same content as `docId` and following its state (duplicates of it). */
export function duplicateIds(db: Db, docId: number): number[] {
  return (
    cachedStatement(db, 'SELECT id FROM documents WHERE duplicate_of = ?').all(docId) as { id: number }[]
  ).map((r) => r.id);
}

/** Documents that ended with an error, newest first. */
export function recentFailures(db: Db, limit: number): DocumentRow[] {
  return (
    db
      .prepare(
        `SELECT * FROM documents WHERE state IN ('failed', 'done-with-errors') ORDER BY finished_at DESC, id DESC LIMIT ?`,
      )
      .all(limit) as DocumentRecord[]
  ).map(toDocumentRow);
}

export function queueCounts(db: Db): QueueCounts {
  const documents = Object.fromEntries(DOCUMENT_STATES.map((s) => [s, 0])) as QueueCounts['documents'];
  documents.total = 0;
  // A paused file never opened stays 'new' (with its paused flag) but is not about to be opened:
  // counted as paused, so "counting pages…" does not wait for it.
  for (const r of db
    .prepare(
      `SELECT CASE WHEN state = 'new' AND paused = 1 THEN 'paused' ELSE state END AS state, count(*) AS n
       FROM documents GROUP BY 1`,
    )
    .all() as {
    state: DocumentState;
    n: number;
  }[]) {
    documents[r.state] = r.n;
    documents.total += r.n;
  }
  const pages = { total: 0, queued: 0, running: 0, done: 0, failed: 0 };
  for (const r of db.prepare('SELECT state, count(*) AS n FROM pages GROUP BY state').all() as {
    state: string;
    n: number;
  }[]) {
    if (r.state in pages) pages[r.state as keyof typeof pages] = r.n;
    pages.total += r.n;
  }
  return { documents, pages };
}

/** Pauses documents: no new page of theirs is claimed; pages already running finish. */
export function pauseDocuments(db: Db, ids: readonly number[], now: number): void {
  setPaused(db, ids, true, now);
}

export function resumeDocuments(db: Db, ids: readonly number[], now: number): void {
  setPaused(db, ids, false, now);
}

function setPaused(db: Db, ids: readonly number[], paused: boolean, now: number): void {
  const flag = paused ? 1 : 0;
  const doc = db.prepare('UPDATE documents SET paused = ?, updated_at = ? WHERE id = ?');
  const pages = db.prepare(`UPDATE pages SET paused = ? WHERE doc_id = ? AND state = 'queued'`);
  db.transaction(() => {
    for (const id of ids) {
      doc.run(flag, now, id);
      pages.run(flag, id);
      refreshDocumentState(db, id, now);
    }
  })();
}

/** Cancels documents: what is done is kept, nothing more is started; terminal until retried. */
export function cancelDocuments(db: Db, ids: readonly number[], now: number): void {
  const doc = db.prepare(
    `UPDATE documents SET state = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, finished_at = ?, updated_at = ?
     WHERE id = ? AND state NOT IN ('done', 'done-with-errors', 'failed', 'cancelled')`,
  );
  const pages = db.prepare(
    `UPDATE pages SET state = 'cancelled', finished_at = ? WHERE doc_id = ? AND state = 'queued'`,
  );
  db.transaction(() => {
    for (const id of ids) {
      if (doc.run(now, now, id).changes > 0) {
        pages.run(now, id);
        refreshDocumentState(db, id, now);
        const dups = db
          .prepare(`SELECT id FROM documents WHERE duplicate_of = ? AND state IN ('queued', 'paused')`)
          .all(id) as { id: number }[];
        for (const d of dups) refreshDocumentState(db, d.id, now);
      }
    }
  })();
}

/**
 * Gives failed and cancelled work another go with a fresh attempt count: failed or cancelled pages
 * are queued again, a document whose file could not be opened is reopened, a failed export is redone.
 */
export function retryDocuments(db: Db, ids: readonly number[], now: number): void {
  const get = db.prepare('SELECT * FROM documents WHERE id = ?');
  const requeuePages = db.prepare(
    `UPDATE pages SET state = 'queued', attempts = 0, next_attempt_at = 0, error_code = NULL, error_message = NULL,
       finished_at = NULL, paused = ? WHERE doc_id = ? AND state IN ('failed', 'cancelled')`,
  );
  db.transaction(() => {
    for (const id of ids) {
      const d = get.get(id) as DocumentRecord | undefined;
      if (!d || !TERMINAL_STATES.includes(d.state as DocumentState)) continue;
      if (d.state === 'done') continue;
      const reset = `UPDATE documents SET attempts = 0, next_attempt_at = 0, error_code = NULL, error_message = NULL,
                       finished_at = NULL, updated_at = ?`;
      if (d.error_code === 'FILE_CHANGED') {
        // The file was replaced: what was read of the old version must not mix with the new one.
        db.prepare('DELETE FROM pages WHERE doc_id = ?').run(id);
      }
      if (d.page_count === null || d.duplicate_of !== null || d.error_code === 'FILE_CHANGED') {
        // Never opened, a copy of a failed original, or replaced since: start from the file again.
        db.prepare(`${reset}, state = 'new', duplicate_of = NULL, page_count = NULL WHERE id = ?`).run(
          now,
          id,
        );
        continue;
      }
      const requeued = requeuePages.run(d.paused, id).changes;
      db.prepare(`${reset}, state = ? WHERE id = ?`).run(now, requeued > 0 ? 'queued' : 'exporting', id);
      refreshDocumentState(db, id, now);
    }
  })();
}

/** Sets the priority of documents (clamped to 0–9); their queued pages follow. */
export function setPriority(db: Db, ids: readonly number[], priority: number, now: number): void {
  const p = clampPriority(priority);
  const doc = db.prepare('UPDATE documents SET priority = ?, updated_at = ? WHERE id = ?');
  const pages = db.prepare('UPDATE pages SET priority = ? WHERE doc_id = ?');
  db.transaction(() => {
    for (const id of ids) {
      doc.run(p, now, id);
      pages.run(p, id);
    }
  })();
}

/** Moves documents up (`delta` > 0) or down from where each is now, within 0–9; their queued pages follow. */
export function shiftPriority(db: Db, ids: readonly number[], delta: number, now: number): void {
  const get = db.prepare('SELECT priority FROM documents WHERE id = ?');
  const doc = db.prepare('UPDATE documents SET priority = ?, updated_at = ? WHERE id = ?');
  const pages = db.prepare('UPDATE pages SET priority = ? WHERE doc_id = ?');
  db.transaction(() => {
    for (const id of ids) {
      const r = get.get(id) as { priority: number } | undefined;
      if (!r) continue;
      const p = clampPriority(r.priority + delta);
      if (p === r.priority) continue;
      doc.run(p, now, id);
      pages.run(p, id);
    }
  })();
}

/** Removes documents from the queue (their files and outputs are not touched). */
export function removeDocuments(db: Db, ids: readonly number[], now: number): void {
  const orphans = db.prepare(
    `UPDATE documents SET duplicate_of = NULL, state = 'new', page_count = NULL, attempts = 0, next_attempt_at = 0, updated_at = ?
     WHERE duplicate_of = ? AND state IN ('queued', 'paused', 'exporting')`,
  );
  const del = db.prepare('DELETE FROM documents WHERE id = ?');
  db.transaction(() => {
    for (const id of ids) {
      orphans.run(now, id);
      del.run(id);
    }
  })();
}

/** The global pause, kept in settings so it survives a restart. Read before every dispatch. */
export function isGloballyPaused(db: Db): boolean {
  const r = cachedStatement(db, `SELECT value FROM settings WHERE key = 'paused'`).get() as
    { value: string } | undefined;
  return r?.value === '1';
}

export function setGloballyPaused(db: Db, paused: boolean): void {
  db.prepare(
    `INSERT INTO settings (key, value) VALUES ('paused', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  ).run(paused ? '1' : '0');
}
