import type { DocumentRow, DocumentState } from '../../shared/model.ts';
import type { ProgressSnapshot } from './progress.ts';

const FINISHED: readonly DocumentState[] = ['done', 'done-with-errors', 'failed', 'cancelled'];

interface Tracked {
  state: DocumentState;
  pageCount: number | null;
  pagesDone: number;
}

/**
 * Follows the documents of one run through the engine's events and answers "how far along, how
 * fast, how long still". Page rate is measured over the last minute, so it follows the present
 * speed rather than the start-up.
 */
export class RunTracker {
  private readonly docs = new Map<number, Tracked>();
  private readonly pageTimes: number[] = [];
  private readonly clock: () => number;
  readonly startedAt: number;
  pagesDoneThisRun = 0;

  constructor(rows: DocumentRow[], clock: () => number = Date.now) {
    this.clock = clock;
    this.startedAt = clock();
    for (const r of rows)
      this.docs.set(r.id, { state: r.state, pageCount: r.pageCount, pagesDone: r.pagesDone });
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
    d.pageCount = pageCount;
    return !wasFinished && FINISHED.includes(state);
  }

  onPageDone(docId: number): void {
    const d = this.docs.get(docId);
    if (!d) return;
    d.pagesDone++;
    this.pagesDoneThisRun++;
    this.pageTimes.push(this.clock());
  }

  snapshot(workersBusy: number): ProgressSnapshot {
    let documentsDone = 0;
    let documentsFailed = 0;
    let pagesDone = 0;
    let knownPages = 0;
    let opened = 0;
    let unopened = 0;
    for (const d of this.docs.values()) {
      if (d.state === 'failed' || d.state === 'cancelled') documentsFailed++;
      else if (FINISHED.includes(d.state)) documentsDone++;
      pagesDone += d.pagesDone;
      if (d.pageCount !== null) {
        knownPages += d.pageCount;
        opened++;
      } else if (!FINISHED.includes(d.state)) unopened++;
    }
    const perDoc = opened > 0 ? knownPages / opened : 1;
    const pagesTotal = Math.max(pagesDone, Math.round(knownPages + unopened * perDoc));
    const now = this.clock();
    while (this.pageTimes.length > 0 && this.pageTimes[0] < now - 60_000) this.pageTimes.shift();
    const windowStart = Math.max(this.startedAt, now - 60_000);
    const windowMinutes = (now - windowStart) / 60_000;
    const pagesPerMinute =
      this.pageTimes.length >= 2 && windowMinutes > 0 ? this.pageTimes.length / windowMinutes : null;
    const remaining = pagesTotal - pagesDone;
    const etaSeconds = pagesPerMinute ? (remaining / pagesPerMinute) * 60 : remaining === 0 ? 0 : null;
    return {
      documentsDone,
      documentsFailed,
      documentsTotal: this.docs.size,
      pagesDone,
      pagesTotal,
      pagesPerMinute,
      etaSeconds,
      workersBusy,
    };
  }
}
