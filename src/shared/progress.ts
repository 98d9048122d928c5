/**
 * Progress as a person reads it, shared by the CLI's progress line and the window's bar so both say
 * the same thing: pure (the clock is an input), no timers, no I/O.
 *
 * What it promises:
 * - The total is known before the bar starts: while a file of the run has not been opened yet its
 *   pages are not counted, and the reading says "counting" instead of a fraction that would shrink
 *   as files are opened.
 * - The bar never moves backwards: pages added later (a file dropped mid-run, a watched folder)
 *   slow it down, they do not pull it back.
 * - Rates are of this run: pages done before an interruption are not this run's work, so the rate
 *   comes from pages finished while this meter watched, over the time it watched.
 * - Idle time does not drag the rate down: time counts only while there is work (pages to do,
 *   files to open), and not while the queue is paused.
 * - The ETA comes from the recent rate (the last minute of work) and the pages left, and is not
 *   given until it means something: every file counted, a few pages done and some seconds of work.
 */

/** Pages of this run before a rate is given (one page is a start-up time, not a rate). */
export const RATE_MIN_PAGES = 2;
/** Pages of this run before a time left is given. */
export const ETA_MIN_PAGES = 5;
/** Work time of this run before a time left is given. */
export const ETA_MIN_WORK_MS = 10_000;
/** The rate is over this much recent work time: it follows the present speed, not the start-up. */
export const RATE_WINDOW_MS = 60_000;

/** What the caller knows at one moment, about the files it follows. */
export interface ProgressInput {
  now: number;
  /** Files of the run not opened yet: their pages are not counted. */
  filesUncounted: number;
  /** Pages finished (done or failed, or left behind by a finished file), as a running count. */
  pagesSettled: number;
  /** Counted pages still to do. */
  pagesOutstanding: number;
  /** Other work not counted in pages (outputs being written): the run is not over. */
  busy?: boolean;
  /** Nothing starts while the queue is paused: its time is not work time and there is no ETA. */
  paused?: boolean;
}

export interface ProgressReading {
  /** Some file's pages are not counted yet. */
  counting: boolean;
  filesUncounted: number;
  /** Pages finished of this run's total (see ProgressMeterOptions.scope). */
  pagesDone: number;
  /** Null while counting before the bar has started. */
  pagesTotal: number | null;
  /** 0–1, never lower than an earlier reading of the same run; null until the total is known. */
  fraction: number | null;
  pagesPerMinute: number | null;
  etaSeconds: number | null;
  /** Nothing to do: the run is over (a new one starts with the next work). */
  idle: boolean;
}

export interface ProgressMeterOptions {
  /**
   * `files`: pagesSettled counts every finished page of the run's files, earlier ones included (a
   * resumed CLI run starts its bar where the interruption left it). `sinceStart`: only pages
   * finished since the run started count (the window, whose queue holds every earlier run too).
   */
  scope: 'files' | 'sinceStart';
}

interface Sample {
  workMs: number;
  pages: number;
}

export class ProgressMeter {
  private readonly scope: ProgressMeterOptions['scope'];
  private fraction: number | null = null;
  private baseline: number | null = null;
  private lastSettled = 0;
  private lastNow: number | null = null;
  private lastWorking = false;
  private workMs = 0;
  /** Pages finished while this meter watched, this run. */
  private pagesThisRun = 0;
  private samples: Sample[] = [];
  private rate: number | null = null;

  constructor(options: ProgressMeterOptions) {
    this.scope = options.scope;
  }

  update(input: ProgressInput): ProgressReading {
    const outstanding = Math.max(0, input.pagesOutstanding);
    const uncounted = Math.max(0, input.filesUncounted);
    const hasWork = outstanding > 0 || uncounted > 0 || input.busy === true;
    // New work after the bar was full (or nothing was to do) is a new run: a bar of its own.
    if (this.baseline !== null && this.fraction === 1 && (outstanding > 0 || uncounted > 0)) this.newRun();
    if (this.lastNow !== null && this.lastWorking) this.workMs += Math.max(0, input.now - this.lastNow);
    this.lastNow = input.now;
    this.lastWorking = hasWork && input.paused !== true;

    if (this.baseline === null) {
      this.baseline = input.pagesSettled;
      this.lastSettled = input.pagesSettled;
    }
    const finished = Math.max(0, input.pagesSettled - this.lastSettled);
    this.lastSettled = input.pagesSettled;
    this.pagesThisRun += finished;
    this.sample();

    const done =
      this.scope === 'files' ? input.pagesSettled : Math.max(0, input.pagesSettled - this.baseline);
    const counted = done + outstanding;
    if (this.fraction === null) {
      if (uncounted === 0 && (counted > 0 || !hasWork)) this.fraction = counted > 0 ? done / counted : 1;
    } else {
      // Of the work there was just before this reading (what is left now plus what just finished),
      // the share that finished moves the bar by as much of what was left of it. With no pages
      // added this is exactly done/total; pages added only make the steps smaller.
      // A file not opened yet counts as one page until it is: the bar cannot fill while it waits.
      const estimatedLeft = outstanding + uncounted;
      if (estimatedLeft === 0 && !input.busy) this.fraction = 1;
      else if (finished > 0) this.fraction += (1 - this.fraction) * (finished / (finished + estimatedLeft));
      this.fraction = Math.min(this.fraction, estimatedLeft > 0 ? 0.999 : 1);
    }

    const counting = uncounted > 0;
    const enoughForEta =
      !counting &&
      input.paused !== true &&
      this.pagesThisRun >= ETA_MIN_PAGES &&
      this.workMs >= ETA_MIN_WORK_MS &&
      this.rate !== null &&
      this.rate > 0;
    return {
      counting,
      filesUncounted: uncounted,
      pagesDone: done,
      pagesTotal: counting && this.fraction === null ? null : counted,
      fraction: this.fraction,
      pagesPerMinute: this.rate,
      etaSeconds: !hasWork ? 0 : enoughForEta ? Math.round((outstanding / this.rate!) * 60) : null,
      idle: !hasWork,
    };
  }

  private sample(): void {
    this.samples.push({ workMs: this.workMs, pages: this.pagesThisRun });
    // Keep one sample at or before the window's start, as the anchor of the rate.
    while (this.samples.length > 2 && this.samples[1].workMs <= this.workMs - RATE_WINDOW_MS)
      this.samples.shift();
    const anchor = this.samples[0];
    const pages = this.pagesThisRun - anchor.pages;
    const ms = this.workMs - anchor.workMs;
    // Idle readings add no work time and no pages: the rate stays what it was while working.
    if (this.pagesThisRun >= RATE_MIN_PAGES && ms > 0) this.rate = (pages / ms) * 60_000;
  }

  private newRun(): void {
    this.fraction = null;
    this.baseline = null;
    this.workMs = 0;
    this.pagesThisRun = 0;
    this.samples = [];
    this.rate = null;
  }
}
