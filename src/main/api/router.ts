/**
 * The API router: the one place where API methods become engine calls, for every front end.
 * The Electron IPC binding and the WebSocket server hand it `(method, args)` exactly as they arrived
 * and pass its results and events on; neither knows a method name. Plain Node: no `electron` here.
 *
 * Every call returns a value (`ApiResult`), never throws: unknown methods, bad arguments (checked
 * with the schemas in schemas.ts) and engine failures come back as `{ ok: false, error: { code } }`.
 */
import type {
  ApiError,
  ApiEvent,
  ApiEvents,
  ApiMethod,
  ApiMethods,
  ApiResult,
  QueueStatus,
} from '../../shared/api.ts';
import type { Engine } from '../engine/engine.ts';
import { recentFailures } from '../engine/store/documents.ts';
import { lowConfidencePages } from '../engine/store/review.ts';
import {
  documentPriorities,
  documentsOrRemoved,
  listDocumentIds,
  listDocuments,
} from '../engine/store/listing.ts';
import { clampPriority } from '../engine/store/policy.ts';
import { InputError } from '../worker/errors.ts';
import { describeIssues, schemas } from './schemas.ts';
import { readSettings, writeSettings } from './settings.ts';
import { Throughput } from './throughput.ts';

/** Most rows one `document.changed` push carries; beyond that it says `truncated`. */
const MAX_PUSHED_ROWS = 200;

export type ApiListener = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;

export interface Router {
  /** Runs one call as it arrived from a front end (nothing about it is trusted). */
  call(method: unknown, args: unknown): Promise<ApiResult<unknown>>;
  /** Receives every pushed event (already coalesced); returns the unsubscribe function. */
  subscribe(listener: ApiListener): () => void;
  /** Stops listening to the engine and drops pending pushes. */
  close(): void;
}

export interface RouterOptions {
  engine: Engine;
  version: string;
  /** Pushes are at most one per this many ms (per event type). */
  coalesceMs?: number;
  /** While workers are busy, a `queue.changed` at least this often (rate and ETA move). */
  heartbeatMs?: number;
  clock?: () => number;
}

type Handlers = { [M in ApiMethod]: (...args: Parameters<ApiMethods[M]>) => unknown };

export function createRouter(opts: RouterOptions): Router {
  const { engine } = opts;
  const clock = opts.clock ?? Date.now;
  const coalesceMs = opts.coalesceMs ?? 100;
  const throughput = new Throughput();
  const listeners = new Set<ApiListener>();
  const dirtyDocs = new Set<number>();
  let queueDirty = false;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const status = (): QueueStatus => {
    const counts = engine.counts();
    const now = clock();
    const workers = engine.workers;
    return {
      counts,
      paused: engine.paused,
      pagesPerMinute: throughput.pagesPerMinute(now),
      etaSeconds: throughput.etaSeconds(counts.pages.queued + counts.pages.running, now),
      workers: { total: workers.total, busy: workers.busy },
    };
  };

  const emit = <E extends ApiEvent>(event: E, payload: ApiEvents[E]): void => {
    for (const l of listeners) {
      try {
        l(event, payload);
      } catch (error) {
        console.error(`[api] a listener of ${event} failed:`, error);
      }
    }
  };

  /** Trailing-edge coalescing: changes within one interval become one push of each event. */
  const flush = (): void => {
    timer = null;
    if (closed || !engine.db.open) return;
    if (dirtyDocs.size > 0) {
      const ids = [...dirtyDocs];
      dirtyDocs.clear();
      const truncated = ids.length > MAX_PUSHED_ROWS;
      const { rows, removed } = documentsOrRemoved(engine.db, ids.slice(0, MAX_PUSHED_ROWS));
      if (listeners.size > 0) emit('document.changed', { rows, removed, truncated });
    }
    if (queueDirty) {
      queueDirty = false;
      if (listeners.size > 0) emit('queue.changed', status());
    }
  };
  const schedule = (): void => {
    if (!timer && !closed) timer = setTimeout(flush, coalesceMs);
  };
  const changed = (ids: Iterable<number> = []): void => {
    for (const id of ids) dirtyDocs.add(id);
    queueDirty = true;
    schedule();
  };

  const onDocument = (e: { id: number }): void => changed([e.id]);
  const onPage = (e: { docId: number; ok: boolean }): void => {
    if (e.ok) throughput.record(clock());
    changed([e.docId]);
  };
  const onIdle = (): void => changed();
  engine.events.on('document', onDocument);
  engine.events.on('page', onPage);
  engine.events.on('idle', onIdle);
  const heartbeat = setInterval(() => {
    if (engine.db.open && engine.workers.busy > 0) changed();
  }, opts.heartbeatMs ?? 1_000);
  heartbeat.unref();

  /** Mutations the engine does not announce itself: announce the ids and the queue. */
  const mutate =
    (op: (ids: number[]) => void) =>
    (ids: number[]): void => {
      op(ids);
      changed(ids);
    };

  const handlers: Handlers = {
    'app.version': () => opts.version,
    'queue.counts': () => engine.counts(),
    'queue.status': status,
    'queue.list': (query) => listDocuments(engine.db, query),
    'queue.ids': (query) => listDocumentIds(engine.db, query),
    'queue.add': async (request) => {
      const s = readSettings(engine.db);
      const summary = await engine.ingest({
        paths: request.paths,
        source: 'drop',
        options: { languages: s.languages, dpi: s.dpi, mode: s.mode },
        outDir: s.outDir,
        formats: s.formats,
        overwrite: s.overwrite,
        priority: request.priority,
      });
      const ids = [...new Set(summary.outcomes.map((o) => o.id))];
      changed(ids);
      return {
        queued: ids.length,
        created: summary.outcomes.filter((o) => o.created).length,
        skipped: summary.skipped,
      };
    },
    'queue.pause': mutate((ids) => engine.pause(ids)),
    'queue.resume': mutate((ids) => engine.resume(ids)),
    'queue.cancel': mutate((ids) => engine.cancel(ids)),
    'queue.retry': mutate((ids) => engine.retry(ids)),
    'queue.remove': mutate((ids) => engine.remove(ids)),
    'queue.setPriority': (ids, priority) => {
      engine.setPriority(ids, priority);
      changed(ids);
    },
    'queue.shiftPriority': (ids, delta) => {
      // Grouped by target priority so each group is one engine call (one transaction).
      const groups = new Map<number, number[]>();
      for (const [id, p] of documentPriorities(engine.db, ids)) {
        const target = clampPriority(p + delta);
        if (target !== p) groups.set(target, [...(groups.get(target) ?? []), id]);
      }
      for (const [p, group] of groups) engine.setPriority(group, p);
      changed(ids);
    },
    'queue.setPaused': (paused) => {
      engine.setPaused(paused);
      changed();
    },
    'review.failures': (limit) => recentFailures(engine.db, limit ?? 100),
    'review.lowConfidence': (limit) => lowConfidencePages(engine.db, limit ?? 100),
    'settings.get': () => readSettings(engine.db),
    'settings.set': (patch) => writeSettings(engine.db, patch),
  };

  return {
    async call(method, args) {
      if (closed) return fail('DISCONNECTED', 'The engine has stopped.');
      if (typeof method !== 'string' || !Object.hasOwn(handlers, method))
        return fail('UNKNOWN_METHOD', `Unknown method: ${String(method)}`);
      const m = method as ApiMethod;
      const parsed = schemas[m].safeParse(args);
      if (!parsed.success) return fail('BAD_REQUEST', `${m}: ${describeIssues(parsed.error)}`);
      try {
        const handler = handlers[m] as (...a: unknown[]) => unknown;
        return { ok: true, value: await handler(...parsed.data) };
      } catch (error) {
        if (error instanceof InputError) return fail(error.code, error.message);
        console.error(`[api] ${m} failed:`, error);
        return fail('INTERNAL', error instanceof Error ? error.message : String(error));
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      clearInterval(heartbeat);
      engine.events.off('document', onDocument);
      engine.events.off('page', onPage);
      engine.events.off('idle', onIdle);
      listeners.clear();
    },
  };
}

function fail(code: ApiError['code'], message: string): ApiResult<never> {
  return { ok: false, error: { code, message } };
}
