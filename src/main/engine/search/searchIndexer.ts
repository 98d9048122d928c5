/**
 * Keeps the search index up to date from inside the engine's process, without holding it up:
 * pages recorded since the last round, and after an upgrade every page recognised before it, are
 * added in chunks of ~5 ms (one transaction each, store/search.ts `indexChunk`) with the event
 * loop free between them, so workers' results, claims and the window's calls are served at once.
 *
 * Why 5 ms: a chunk fills the CPU caches with index pages and text, and the claim and the page
 * result served right after it run cold. Measured (bench search section, 100,000 pages): claim +
 * complete p99 right among chunks 1.02 ms with 15 ms chunks, 0.81 with 8, 0.61 with 5; the build
 * took the same time (46, 42, 42 s) and queries the same (p95 12.7–13.7 ms).
 *
 * A recorded page is only queued (by trigger, in the transaction that records it); it is indexed
 * a moment later, gathered with the pages that finished meanwhile. An upgrade's build runs at half
 * duty (a chunk, then a pause as long) so OCR keeps most of the machine. Everything is in the
 * database: killed mid-way, the next start carries on from the last chunk committed.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { SearchIndexStatus } from '../../../shared/api.ts';
import type { Db } from '../store/db.ts';
import { indexChunk, searchIndexStatus, searchQueueLength, wordListComplete } from '../store/search.ts';
import type { EngineEmitter } from '../events.ts';
import type { Logger } from '../log/logger.ts';

export interface SearchIndexerOptions {
  db: Db;
  events: EngineEmitter;
  log: Logger;
  /** Most time one chunk holds the engine's thread while the engine works (default 5 ms). */
  chunkMs?: number;
  /** After a page is recorded, wait this long for others to join its chunk (default 200 ms). */
  gatherMs?: number;
  /** Least time between two progress events (default 500 ms). */
  progressMs?: number;
}

/** A chunk's budget while the engine works (see above); the benchmark builds with it too. */
export const SEARCH_CHUNK_MS = 5;
/** When nothing else is served (catching up for `bulk-ocr search`, the drain at stop): fewer commits. */
const FULL_SPEED_CHUNK_MS = 60;

/** After a failed chunk (a full disk…), the next try waits this long. */
const RETRY_MS = 10_000;

export class SearchIndexer {
  private readonly db: Db;
  private readonly events: EngineEmitter;
  private readonly log: Logger;
  private readonly chunkMs: number;
  private readonly gatherMs: number;
  private readonly progressMs: number;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private lastProgress = 0;
  private buildStarted: { at: number; done: number } | null = null;

  constructor(opts: SearchIndexerOptions) {
    this.db = opts.db;
    this.events = opts.events;
    this.log = opts.log;
    this.chunkMs = opts.chunkMs ?? SEARCH_CHUNK_MS;
    this.gatherMs = opts.gatherMs ?? 200;
    this.progressMs = opts.progressMs ?? 500;
    // A page recorded (by any executor) was queued for the index in the same transaction: add it
    // shortly, gathered with the others that finish meanwhile.
    this.events.on('page', (e) => {
      if (e.ok) this.pageRecorded();
    });
  }

  /** Starts working through whatever is waiting (a build after an upgrade, pages left by a crash). */
  start(): void {
    this.stopped = false;
    const s = this.status();
    if (s.building) {
      this.buildStarted = { at: performance.now(), done: s.building.done };
      this.log.info('search.build', { examined: s.building.done, of: s.building.total });
    }
    // The word list of an upgraded index (store/searchPlan.ts) is finished in the same chunks.
    if (s.pending > 0 || !wordListComplete(this.db)) this.kick(0);
  }

  /** A page was recorded: index it (with the others that finish meanwhile) shortly. */
  pageRecorded(): void {
    if (!this.stopped) this.kick(this.gatherMs);
  }

  status(): SearchIndexStatus {
    return searchIndexStatus(this.db);
  }

  /**
   * Stops after the chunk under way; then, within `drainMs`, indexes what recent pages are still
   * waiting, so a run that ends leaves its pages searchable. What does not fit waits for next time.
   */
  async stop(drainMs = 2_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    if (!this.db.open) return;
    const until = performance.now() + drainMs;
    try {
      while (performance.now() < until) {
        if (searchQueueLength(this.db) === 0) break;
        indexChunk(this.db, Math.min(FULL_SPEED_CHUNK_MS, until - performance.now()));
      }
    } catch (error) {
      this.log.warn('search.index.failed', { message: (error as Error).message });
    }
  }

  /**
   * Indexes everything waiting, at full speed, for a host that does nothing else meanwhile
   * (`bulk-ocr search` with no engine running). Reports progress after each chunk; stops early when
   * `cancelled()` says so (what was indexed is kept). True when nothing is left.
   */
  async catchUp(onProgress: (status: SearchIndexStatus) => void, cancelled: () => boolean): Promise<boolean> {
    for (;;) {
      if (cancelled() || !this.db.open) return false;
      const { more } = indexChunk(this.db, FULL_SPEED_CHUNK_MS);
      onProgress(this.status());
      if (!more) return true;
      await yieldToLoop();
    }
  }

  private kick(delayMs: number): void {
    if (this.running || this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.work().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async work(): Promise<void> {
    while (!this.stopped && this.db.open) {
      let more: boolean;
      try {
        more = indexChunk(this.db, this.chunkMs).more;
      } catch (error) {
        if (!this.db.open) return;
        this.log.warn('search.index.failed', { message: (error as Error).message });
        this.timer = setTimeout(() => {
          this.timer = null;
          this.kick(0);
        }, RETRY_MS);
        this.timer.unref();
        return;
      }
      const status = this.status();
      this.progress(status, more);
      if (!more) return;
      // An upgrade's build leaves the thread free half the time; recent pages go straight on.
      if (status.building || status.pending === 0) await sleep(this.chunkMs);
      else await yieldToLoop();
    }
  }

  private progress(status: SearchIndexStatus, more: boolean): void {
    const now = performance.now();
    if (more && now - this.lastProgress < this.progressMs) return;
    this.lastProgress = now;
    if (this.buildStarted && !status.building) {
      this.log.info('search.built', { seconds: Math.round((now - this.buildStarted.at) / 1000) });
      this.buildStarted = null;
    }
    this.events.emit('search', status);
  }
}
