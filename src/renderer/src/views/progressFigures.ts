import type { QueueStatus } from '../../../shared/api.ts';
import { count } from '../../../shared/words.ts';
import { formatEta } from './format.ts';

/** What the progress strip shows, worked out from the queue's status (pure, unit-tested). */
export interface StripFigures {
  documents: string;
  pages: string;
  /** 0–1: the work under way (never goes back while it runs); full when all is finished. */
  fraction: number;
  timeLeft: string;
  /** A line under the bar while pages are being counted, else null. */
  note: string | null;
}

export function stripFigures(status: QueueStatus): StripFigures {
  const d = status.counts.documents;
  const p = status.counts.pages;
  const run = status.run;
  const docsDone = d.done + d['done-with-errors'] + d.failed + d.cancelled;
  const pagesDone = p.done + p.failed;
  // Idle: the bar is full when something was done and nothing is left; while work runs, it is that
  // work's share done, from the shared meter, which never moves back as files are opened.
  const fraction = run.idle ? (d.total > 0 ? 1 : 0) : (run.fraction ?? 0);
  let timeLeft: string;
  if (status.paused) timeLeft = 'Paused';
  else if (run.counting) timeLeft = 'Counting pages…';
  else timeLeft = formatEta(status.etaSeconds);
  return {
    documents: `${docsDone.toLocaleString()} / ${d.total.toLocaleString()}`,
    pages: `${pagesDone.toLocaleString()} / ${p.total.toLocaleString()}`,
    fraction,
    timeLeft,
    note: run.counting ? `Counting the pages of ${count(run.filesUncounted, 'file')} not opened yet…` : null,
  };
}
