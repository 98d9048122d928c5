import type { DocumentRow, DocumentState } from '../../shared/model.ts';
import { ProgressMeter } from '../../shared/progress.ts';
import type { ProgressSnapshot } from './progress.ts';

const FINISHED: readonly DocumentState[] = ['done', 'done-with-errors', 'failed', 'cancelled'];

interface Tracked {
  state: DocumentState;
  pageCount: number | null;
  /** Pages done or failed for good. */
  pagesSettled: number;
}

/**
 * Follows the documents of one run through the engine's events and answers "how far along, how
 * fast, how long still" through the shared ProgressMeter (src/shared/progress.ts), so the CLI says
 * what the window says: "counting pages…" until every file is opened, a bar that never moves back,
 * a rate of this run's pages only.
 */
export class RunTracker {
  private readonly docs = new Map<number, Tracked>();
  private readonly clock: () => number;
  private readonly meter = new ProgressMeter({ scope: 'files' });
  readonly startedAt: number;
  pagesDoneThisRun = 0;

  constructor(rows: DocumentRow[], clock: () => number = Date.now) {
    this.clock = clock;
    this.startedAt = clock();
    for (const r of rows)
      this.docs.set(r.id, {
        state: r.state,
        pageCount: r.pageCount,
        pagesSettled: r.pagesDone + r.pagesFailed,
      });
  }

  has(id: number): boolean {
    return this.docs.has(id);
  }

  get finished(): boolean {
    for (const d of this.docs.values()) if (!FINISHED.includes(d.state)) return false;
    return true;
  }

  /** Returns true when this event finished the document. */
  onDocument(id: number, state: DocumentState, pageCount: number | null): boolean {
    const d = this.docs.get(id);
    if (!d) return false;
    const wasFinished = FINISHED.includes(d.state);
    d.state = state;
    if (pageCount !== null || d.pageCount === null) d.pageCount = pageCount;
    return !wasFinished && FINISHED.includes(state);
  }

  onPageDone(docId: number): void {
    const d = this.docs.get(docId);
    if (!d) return;
    d.pagesSettled++;
    this.pagesDoneThisRun++;
  }

  /** A page failed for good (no retry left). */
  onPageFailed(docId: number): void {
    const d = this.docs.get(docId);
    if (d) d.pagesSettled++;
  }

  snapshot(workersBusy: number, paused = false): ProgressSnapshot {
    let documentsDone = 0;
    let documentsFailed = 0;
    let filesUncounted = 0;
    let pagesSettled = 0;
    let pagesOutstanding = 0;
    let busy = false;
    for (const d of this.docs.values()) {
      const finished = FINISHED.includes(d.state);
      if (d.state === 'failed' || d.state === 'cancelled') documentsFailed++;
      else if (finished) documentsDone++;
      if (d.pageCount === null) {
        if (!finished) filesUncounted++;
        continue;
      }
      // A finished file has no page left to do, whatever became of them (cancelled, failed).
      const settled = finished ? d.pageCount : Math.min(d.pageCount, d.pagesSettled);
      pagesSettled += settled;
      pagesOutstanding += d.pageCount - settled;
      if (!finished) busy = true;
    }
    return {
      documentsDone,
      documentsFailed,
      documentsTotal: this.docs.size,
      progress: this.meter.update({
        now: this.clock(),
        filesUncounted,
        pagesSettled,
        pagesOutstanding,
        busy,
        paused,
      }),
      workersBusy,
    };
  }
}
