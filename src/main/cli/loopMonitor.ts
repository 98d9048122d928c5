import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';

/** How responsive the engine's event loop stayed over a run, in milliseconds. */
export interface EventLoopReport {
  maxMs: number;
  p99Ms: number;
  meanMs: number;
  /** The worst delay of each minute of the run, in order: a trend, not only a peak. */
  perMinuteMaxMs: number[];
}

const ms = (ns: number): number => Math.round(ns / 1e5) / 10;

/**
 * Samples event-loop delay for the `--json` summary of `bulk-ocr run`. Every engine call (claims,
 * commits, events) runs on this loop, so its delay is how long a click in the app, a status
 * query or a worker's result can wait. perf_hooks' histogram costs next to nothing.
 */
export class LoopMonitor {
  private readonly whole: ELDHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly minute: ELDHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly perMinute: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.whole.enable();
    this.minute.enable();
    this.timer = setInterval(() => this.closeMinute(), 60_000);
    this.timer.unref();
  }

  private closeMinute(): void {
    if (this.minute.count > 0) this.perMinute.push(ms(this.minute.max));
    this.minute.reset();
  }

  stop(): EventLoopReport {
    clearInterval(this.timer);
    this.closeMinute();
    this.whole.disable();
    this.minute.disable();
    const h = this.whole;
    return {
      maxMs: h.count > 0 ? ms(h.max) : 0,
      p99Ms: h.count > 0 ? ms(h.percentile(99)) : 0,
      meanMs: h.count > 0 ? ms(h.mean) : 0,
      perMinuteMaxMs: this.perMinute,
    };
  }
}
