/**
 * The part of the queue the table shows: a window of rows (offset + rows) out of `total`, fetched
 * from the engine, which filters and sorts. Pure functions here; the store is in queue.ts.
 */
import type { DocumentRow } from '../../../shared/model.ts';
import type { ApiEvents } from '../../../shared/api.ts';

export interface RowWindow {
  total: number;
  offset: number;
  rows: DocumentRow[];
}

/** Rows fetched beyond the visible ones on each side, so scrolling a little needs no fetch. */
export const OVERSCAN = 100;
export const MAX_WINDOW = 500;

/** True when rows start..end (exclusive) are all inside the loaded window. */
export function covers(w: RowWindow, start: number, end: number): boolean {
  const last = Math.min(end, w.total);
  return start >= w.offset && last <= w.offset + w.rows.length;
}

/** The offset and limit to fetch for visible rows start..end. */
export function windowFor(start: number, end: number): { offset: number; limit: number } {
  const offset = Math.max(0, start - OVERSCAN);
  return { offset, limit: Math.min(MAX_WINDOW, end - offset + OVERSCAN) };
}

/**
 * Applies a `document.changed` push to the loaded rows: changed rows are replaced where they are,
 * removed ones dropped. Whether the window must be refetched too (order or membership may have
 * changed) is decided by the caller; this keeps what is on screen current at once.
 */
export function patchWindow(w: RowWindow, change: ApiEvents['document.changed']): RowWindow {
  if (change.rows.length === 0 && change.removed.length === 0) return w;
  const byId = new Map(change.rows.map((r) => [r.id, r]));
  const removed = new Set(change.removed);
  let touched = false;
  const rows: DocumentRow[] = [];
  for (const r of w.rows) {
    if (removed.has(r.id)) {
      touched = true;
      continue;
    }
    const next = byId.get(r.id);
    if (next) touched = true;
    rows.push(next ?? r);
  }
  return touched ? { ...w, rows, total: w.total - (w.rows.length - rows.length) } : w;
}
