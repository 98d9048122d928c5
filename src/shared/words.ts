/**
 * The words the CLI, the window and the README share, so a thing has one name everywhere. Plain
 * data and functions: imported by the engine, the CLI and the renderer alike.
 */
import type { DocumentState } from './model.ts';

/** `1 file`, `3 files`, `1,204 pages`: a count with its noun, never `file(s)`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

/** `were` / `was` and friends, for sentences that start with a count. */
export function verb(n: number, singular: string, plural: string): string {
  return n === 1 ? singular : plural;
}

/**
 * What adding files did, in one sentence for the window's notice and the CLI: files found already
 * done are said to be done (not "already queued", which reads as if they were waiting).
 */
export function addedSentence(a: { created: number; alreadyDone: number; alreadyQueued: number }): string {
  const parts: string[] = [];
  if (a.alreadyDone > 0)
    parts.push(`${count(a.alreadyDone, 'file')} ${verb(a.alreadyDone, 'was', 'were')} already done`);
  if (a.alreadyQueued > 0)
    parts.push(
      `${count(a.alreadyQueued, 'file')} ${verb(a.alreadyQueued, 'is', 'are')} already in the queue`,
    );
  const head =
    a.created === 0 && parts.length > 0 ? 'Nothing new to add' : `Added ${count(a.created, 'new file')}`;
  return parts.length > 0 ? `${head}: ${parts.join(', ')}.` : `${head}.`;
}

/**
 * A document's state in words, the same in the window's table, `bulk-ocr status` and the README:
 * a label and what it means (the window's tooltip). A file not opened yet and one whose pages are
 * counted are both "Queued": the difference is only whether its page count is known, which the
 * page column shows.
 */
export const STATE_WORDS: Record<DocumentState, { label: string; meaning: string }> = {
  new: {
    label: 'Queued',
    meaning: 'Waiting for its turn; not opened yet, so its pages are not counted yet.',
  },
  queued: { label: 'Queued', meaning: 'Waiting for its turn; its pages are counted.' },
  running: { label: 'Running', meaning: 'Its pages are being read.' },
  paused: { label: 'Paused', meaning: 'Paused: no new page of it starts until it is resumed.' },
  exporting: { label: 'Writing outputs', meaning: 'Every page is read; its output files are being written.' },
  done: { label: 'Done', meaning: 'Read, and its outputs written.' },
  'done-with-errors': {
    label: 'Done, some pages failed',
    meaning: 'Its outputs are written, but some pages could not be read; Review lists them with the reason.',
  },
  failed: { label: 'Failed', meaning: 'It could not be read; the reason is beside it.' },
  cancelled: { label: 'Cancelled', meaning: 'Cancelled by a person; Retry queues it again.' },
};

/** ` (3 pages)`, ` (3 pages, 1 failed)`, or nothing when the count is unknown: after a finished file's name. */
export function pagesNote(pageCount: number | null, pagesFailed = 0): string {
  if (pageCount === null) return '';
  return ` (${count(pageCount, 'page')}${pagesFailed > 0 ? `, ${pagesFailed} failed` : ''})`;
}
