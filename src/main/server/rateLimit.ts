/**
 * Fixed-window request counting per key (a client address, a WebSocket). Enough to stop a runaway
 * script or a token-guessing loop from starving the engine; not a defence against a flood of
 * connections (the server listens on this machine only unless told otherwise).
 */
export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly rule: RateLimit;
  private readonly clock: () => number;

  constructor(rule: RateLimit, clock: () => number = Date.now) {
    this.rule = rule;
    this.clock = clock;
  }

  /** Counts one request for `key`; refuses it once the window's allowance is used up. */
  take(key: string): RateDecision {
    const now = this.clock();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.rule.windowMs) {
      // Forget finished windows now and then, so the map stays as small as the set of active clients.
      if (this.windows.size > 1_000) this.prune(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count <= this.rule.limit) return { ok: true };
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((w.start + this.rule.windowMs - now) / 1000)),
    };
  }

  /** Whether `key` is over its allowance now, without counting a request. */
  check(key: string): RateDecision {
    const now = this.clock();
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.rule.windowMs || w.count < this.rule.limit) return { ok: true };
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((w.start + this.rule.windowMs - now) / 1000)),
    };
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.rule.windowMs) this.windows.delete(k);
  }
}
