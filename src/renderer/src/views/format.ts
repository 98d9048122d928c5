import type { DocumentRow, DocumentState } from '../../../shared/model.ts';
import { STATE_WORDS } from '../../../shared/words.ts';

export function fileName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

export function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i > 0 ? path.slice(0, i) : path;
}

/**
 * A folder for a right-to-left cell (so a long path is cut at its start, keeping the end in view):
 * the marks keep the slashes where a left-to-right reader expects them.
 */
export function folderForRtl(path: string): string {
  return `\u200e${folderOf(path)}\u200e`;
}

/** State labels and icons as the table and filters show them (the words: src/shared/words.ts). */
export const STATE_LABEL = Object.fromEntries(
  Object.entries(STATE_WORDS).map(([state, w]) => [state, w.label]),
) as Record<DocumentState, string>;

export const STATE_ICON: Record<DocumentState, string> = {
  new: '○',
  queued: '○',
  running: '◐',
  paused: '❚❚',
  exporting: '↧',
  done: '✓',
  'done-with-errors': '!',
  failed: '✕',
  cancelled: '⊘',
};

export function progressOf(d: DocumentRow): { done: number; total: number | null; fraction: number } {
  const total = d.pageCount;
  const done = d.pagesDone + d.pagesFailed;
  return { done, total, fraction: total ? Math.min(1, done / total) : d.state === 'done' ? 1 : 0 };
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || seconds === 0) return '—';
  if (seconds < 60) return `${seconds} s`;
  const m = Math.round(seconds / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatRate(perMinute: number | null): string {
  if (perMinute === null) return '—';
  return perMinute >= 10 ? Math.round(perMinute).toLocaleString() : perMinute.toFixed(1);
}

const TERMINAL: ReadonlySet<DocumentState> = new Set(['done', 'done-with-errors', 'failed', 'cancelled']);

/** The state a user sees: a paused flag on a document that is not finished shows as paused. */
export function shownState(d: DocumentRow): DocumentState {
  return d.paused && !TERMINAL.has(d.state) ? 'paused' : d.state;
}
