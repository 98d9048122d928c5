/**
 * The API's pushed events: the engine's events turned into what a window needs, coalesced so a
 * busy queue sends at most one push of each kind per interval (rows of changed documents, the
 * queue's status, watched folders, export batches), whatever the number of changes behind it.
 */
import type { ApiEvent, ApiEvents, QueueStatus, SearchIndexStatus } from '../../shared/api.ts';
import type { Engine } from '../engine/engine.ts';
import { NO_CLUSTER } from '../engine/clusterControl.ts';
import { ProgressMeter } from '../../shared/progress.ts';

/** Least time between two `watch.changed` pushes. */
const WATCH_PUSH_MS = 1_000;

/** Least time between two `search.changed` pushes while the index is catching up or being built. */
const SEARCH_PUSH_MS = 1_000;

/** Most rows one `document.changed` push carries; beyond that it says `truncated`. */
const MAX_PUSHED_ROWS = 200;

export type ApiListener = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;

export interface PushOptions {
  /** Pushes are at most one per this many ms (per event type). */
  coalesceMs?: number;
  /** While workers are busy, a `queue.changed` at least this often (rate and ETA move). */
  heartbeatMs?: number;
  clock?: () => number;
}

export class Pushes {
  private readonly engine: Engine;
  private readonly clock: () => number;
  private readonly coalesceMs: number;
  /** The work under way, as the window's bar shows it (src/shared/progress.ts). */
  private readonly meter = new ProgressMeter({ scope: 'sinceStart' });
  private readonly listeners = new Set<ApiListener>();
  private readonly dirtyDocs = new Set<number>();
  private readonly dirtyBatches = new Set<number>();
  private queueDirty = false;
  private watchDirty = false;
  private lastWatchPush = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  /** The index's latest status not pushed yet. */
  private search: SearchIndexStatus | null = null;
  private lastSearchPush = -Infinity;
  private searchTimer: NodeJS.Timeout | null = null;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;
  private readonly detach: () => void;

  constructor(engine: Engine, opts: PushOptions = {}) {
    this.engine = engine;
    this.clock = opts.clock ?? Date.now;
    this.coalesceMs = opts.coalesceMs ?? 100;
    const onDocument = (e: { id: number }): void => this.changed([e.id]);
    const onPage = (e: { docId: number }): void => this.changed([e.docId]);
    const onIdle = (): void => this.changed();
    const onWatch = (e: { docIds: number[] }): void => {
      this.watchDirty = true;
      this.changed(e.docIds);
    };
    const onExport = (e: { batchId: number }): void => this.batchChanged(e.batchId);
    const onSearch = (status: SearchIndexStatus): void => this.searchChanged(status);
    // Node lists change at most once per heartbeat (3 s): pushed as they come.
    const onNodes = (): void => {
      if (this.listeners.size > 0 && !this.closed)
        this.emit('cluster.changed', engine.cluster?.status() ?? NO_CLUSTER);
    };
    const events = engine.events;
    events.on('document', onDocument);
    events.on('page', onPage);
    events.on('idle', onIdle);
    events.on('export', onExport);
    events.on('watch', onWatch);
    events.on('search', onSearch);
    events.on('nodes', onNodes);
    this.detach = () => {
      events.off('nodes', onNodes);
      events.off('document', onDocument);
      events.off('page', onPage);
      events.off('idle', onIdle);
      events.off('export', onExport);
      events.off('watch', onWatch);
      events.off('search', onSearch);
    };
    this.heartbeat = setInterval(() => {
      if (engine.isOpen && engine.workers.busy > 0) this.changed();
    }, opts.heartbeatMs ?? 1_000);
    this.heartbeat.unref();
  }

  /** The queue's counts, rate and ETA, as `queue.status` returns and `queue.changed` pushes. */
  status(): QueueStatus {
    const counts = this.engine.read.counts();
    const now = this.clock();
    const workers = this.engine.workers;
    const d = counts.documents;
    const p = counts.pages;
    const run = this.meter.update({
      now,
      filesUncounted: d.new,
      pagesSettled: p.done + p.failed,
      pagesOutstanding: p.queued + p.running,
      busy: d.exporting > 0,
      paused: this.engine.paused,
    });
    return {
      counts,
      paused: this.engine.paused,
      pagesPerMinute: run.pagesPerMinute,
      etaSeconds: run.etaSeconds,
      run,
      workers: { total: workers.total, busy: workers.busy },
    };
  }

  /** Documents (and so the queue) changed by a call the engine does not announce itself. */
  changed(ids: Iterable<number> = []): void {
    for (const id of ids) this.dirtyDocs.add(id);
    this.queueDirty = true;
    this.schedule();
  }

  batchChanged(batchId: number): void {
    this.dirtyBatches.add(batchId);
    this.schedule();
  }

  subscribe(listener: ApiListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchTimer) clearTimeout(this.watchTimer);
    if (this.searchTimer) clearTimeout(this.searchTimer);
    clearInterval(this.heartbeat);
    this.detach();
    this.listeners.clear();
  }

  private schedule(): void {
    if (!this.timer && !this.closed) this.timer = setTimeout(() => this.flush(), this.coalesceMs);
  }

  private emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch (error) {
        console.error(`[api] a listener of ${event} failed:`, error);
      }
    }
  }

  /** Trailing-edge coalescing: changes within one interval become one push of each event. */
  private flush(): void {
    this.timer = null;
    if (this.closed || !this.engine.isOpen) return;
    const listening = this.listeners.size > 0;
    if (this.dirtyDocs.size > 0) {
      const ids = [...this.dirtyDocs];
      this.dirtyDocs.clear();
      const truncated = ids.length > MAX_PUSHED_ROWS;
      const { rows, removed } = this.engine.read.rowsOrRemoved(ids.slice(0, MAX_PUSHED_ROWS));
      if (listening) this.emit('document.changed', { rows, removed, truncated });
    }
    if (this.queueDirty) {
      this.queueDirty = false;
      if (listening) this.emit('queue.changed', this.status());
    }
    if (this.watchDirty) this.flushWatch();
    if (this.dirtyBatches.size > 0) {
      const batchIds = [...this.dirtyBatches];
      this.dirtyBatches.clear();
      if (listening) this.emit('export.changed', { batchIds });
    }
  }

  /**
   * The folders' counts aggregate their files (~50 ms for 100k): at most one push a second, the last
   * change always pushed (a later flush picks it up).
   */
  private flushWatch(): void {
    const now = this.clock();
    if (now - this.lastWatchPush >= WATCH_PUSH_MS) {
      this.watchDirty = false;
      this.lastWatchPush = now;
      if (this.listeners.size > 0) this.emit('watch.changed', { folders: this.engine.watch.list() });
    } else if (!this.watchTimer && !this.closed) {
      this.watchTimer = setTimeout(
        () => {
          this.watchTimer = null;
          this.flush();
        },
        WATCH_PUSH_MS - (now - this.lastWatchPush),
      );
    }
  }

  /**
   * The index's progress: the latest status at most once a second while it moves, and at once when
   * nothing is left to index (the window drops its "being built" note).
   */
  private searchChanged(status: SearchIndexStatus): void {
    this.search = status;
    if (this.searchTimer || this.closed) return;
    const wait =
      status.pending === 0 ? 0 : Math.max(0, SEARCH_PUSH_MS - (this.clock() - this.lastSearchPush));
    this.searchTimer = setTimeout(() => {
      this.searchTimer = null;
      const latest = this.search;
      this.search = null;
      if (!latest || this.closed || !this.engine.isOpen) return;
      this.lastSearchPush = this.clock();
      if (this.listeners.size > 0) this.emit('search.changed', latest);
    }, wait);
  }
}
