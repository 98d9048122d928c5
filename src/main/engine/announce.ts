import type { ErrorInfo, PageTimings } from '../../shared/model.ts';
import type { EngineEmitter } from './events.ts';
import type { Db } from './store/db.ts';
import { duplicateIds, getDocument, pageState } from './store/documents.ts';

/**
 * Tells the front ends what the database now says, after a change was written: events carry the
 * state read back from SQLite, never the state a task hoped to reach.
 */
export class Announcer {
  private readonly db: Db;
  private readonly events: EngineEmitter;

  constructor(db: Db, events: EngineEmitter) {
    this.db = db;
    this.events = events;
  }

  /** A page finished, for good or not; its document (and the document's copies) may have moved. */
  page(
    docId: number,
    pageId: number,
    pageNo: number,
    outcome: { ok: true; timings: PageTimings } | { ok: false; error: ErrorInfo },
  ): void {
    if (!this.db.open) return;
    this.events.emit('page', {
      docId,
      pageNo,
      ok: outcome.ok,
      retrying: !outcome.ok && pageState(this.db, pageId) === 'queued',
      error: outcome.ok ? null : outcome.error,
      timings: outcome.ok ? outcome.timings : null,
    });
    this.document(docId);
  }

  /** A document's state as stored now, and that of the copies that follow it. */
  document(docId: number): void {
    if (!this.db.open) return;
    for (const id of [docId, ...duplicateIds(this.db, docId)]) {
      const d = getDocument(this.db, id);
      if (d)
        this.events.emit('document', { id: d.id, state: d.state, pageCount: d.pageCount, error: d.error });
    }
  }

  /** An export the user asked for (export dialog) finished, for good or not, or will be retried. */
  export(batchId: number, docId: number): void {
    if (this.db.open) this.events.emit('export', { batchId, docId });
  }
}
