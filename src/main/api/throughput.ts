/**
 * Pages per minute over a sliding window of recent page completions, and the ETA that follows.
 * Pure (the clock is a parameter) so it is unit-tested without timers.
 */
export class Throughput {
  private readonly stamps: number[] = [];
  private readonly windowMs: number;

  constructor(windowMs = 60_000) {
    this.windowMs = windowMs;
  }

  /** A page finished at `now`. */
  record(now: number): void {
    this.stamps.push(now);
    this.prune(now);
  }

  /**
   * Pages per minute between the first and last completion in the window; null with fewer than two
   * completions, or when nothing finished for a whole window (the queue stopped or is paused).
   */
  pagesPerMinute(now: number): number | null {
    this.prune(now);
    if (this.stamps.length < 2) return null;
    const first = this.stamps[0];
    const last = this.stamps[this.stamps.length - 1];
    // Count the time since the last completion too, so a stall shows up as a falling rate.
    const span = Math.max(last - first, now - first, 1);
    return ((this.stamps.length - 1) / span) * 60_000;
  }

  /** Seconds to finish `pagesLeft` pages at the current rate. */
  etaSeconds(pagesLeft: number, now: number): number | null {
    if (pagesLeft <= 0) return 0;
    const rate = this.pagesPerMinute(now);
    return rate && rate > 0 ? Math.round((pagesLeft / rate) * 60) : null;
  }

  private prune(now: number): void {
    while (this.stamps.length > 0 && this.stamps[0] < now - this.windowMs) this.stamps.shift();
  }
}
