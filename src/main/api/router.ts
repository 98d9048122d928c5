/**
 * The API router: the one place where API methods become engine calls, for every front end.
 * The Electron IPC binding and the WebSocket server hand it `(method, args)` exactly as they arrived
 * and pass its results and events on; neither knows a method name. Plain Node: no `electron` here.
 *
 * Every call returns a value (`ApiResult`), never throws: unknown methods, bad arguments (checked
 * with the schemas in schemas.ts) and engine failures come back as `{ ok: false, error: { code } }`.
 */
import { isAbsolute } from 'node:path';
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
import type { RenderResult } from '../worker/protocol.ts';
import { createExportBatchFor, exportBatchOf, revealablePath } from './exports.ts';
import { failedPages, pageDetail, pageGeometry } from '../engine/store/review.ts';
import { failedExports } from '../engine/store/exportTasks.ts';
import { recentFailures } from '../engine/store/documents.ts';
import { lowConfidencePages } from '../engine/store/review.ts';
import {
  documentPriorities,
  documentsOrRemoved,
  listDocumentIds,
  listDocuments,
} from '../engine/store/listing.ts';
import { clampPriority } from '../engine/store/policy.ts';
import { InputError } from '../common/errors.ts';
import { describeOcrEngine } from '../worker/recognize.ts';
import { describeIssues, issueFields, schemas } from './schemas.ts';
import { installedLanguages, readSettings, SettingsError, workerCount, writeSettings } from './settings.ts';
import { Throughput } from './throughput.ts';
import { buildDiagnostics } from './diagnostics.ts';
import { watchHandlers } from './watch.ts';

/** Least time between two `watch.changed` pushes. */
const WATCH_PUSH_MS = 1_000;

/** Most rows one `document.changed` push carries; beyond that it says `truncated`. */
const MAX_PUSHED_ROWS = 200;

export type ApiListener = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;

export interface Router {
  /** Runs one call as it arrived from a front end (nothing about it is trusted). */
  call(method: unknown, args: unknown): Promise<ApiResult<unknown>>;
  /** A page's picture as bytes (the HTTP endpoint of `bulk-ocr serve`); same checks as `review.pageImage`. */
  pageImage(docId: unknown, pageNo: unknown): Promise<ApiResult<RenderResult>>;
  /** Receives every pushed event (already coalesced); returns the unsubscribe function. */
  subscribe(listener: ApiListener): () => void;
  /** Stops listening to the engine and drops pending pushes. */
  close(): void;
}

/**
 * What the host process adds to the engine: the Electron shell passes native dialogs and the file
 * manager; `bulk-ocr serve` passes nothing, and those methods answer `UNAVAILABLE`.
 */
export interface HostShell {
  /** Shows a file selected in the system file manager. */
  reveal?: (path: string) => void | Promise<void>;
  /** The native "choose folders" dialog; null when cancelled. */
  pickFolder?: (request: { title?: string; multiple?: boolean }) => Promise<string[] | null>;
}

/** A refusal with an API code, thrown inside a handler and returned as a value by `call`. */
export class ApiFailure extends Error {
  readonly code: ApiError['code'];
  /** The request fields to blame (see `ApiError.fields`). */
  readonly fields: Record<string, string> | undefined;
  constructor(code: ApiError['code'], message: string, fields?: Record<string, string>) {
    super(message);
    this.code = code;
    this.fields = fields;
  }
}

/** Largest side of a page picture, in pixels: sharp on a screen, quick to render and send. */
const PREVIEW_MAX_SIDE = 1600;
/** Resolution for pages whose recognition resolution is not known (text-layer pages). */
const PREVIEW_FALLBACK_DPI = 110;
/** Page pictures kept, so flipping back and forth does not take a worker each time. */
const PREVIEW_CACHE = 12;

export interface RouterOptions {
  engine: Engine;
  version: string;
  host?: HostShell;
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
  const dirtyBatches = new Set<number>();
  const previews = new Map<string, RenderResult>();
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
    if (watchDirty) {
      // The folders' counts aggregate their files (~50 ms for 100k): at most one push a second,
      // the last change always pushed (a later flush picks it up).
      const now = clock();
      if (now - lastWatchPush >= WATCH_PUSH_MS) {
        watchDirty = false;
        lastWatchPush = now;
        if (listeners.size > 0) emit('watch.changed', { folders: engine.watch.list() });
      } else if (!watchTimer && !closed) {
        watchTimer = setTimeout(
          () => {
            watchTimer = null;
            flush();
          },
          WATCH_PUSH_MS - (now - lastWatchPush),
        );
      }
    }
    if (dirtyBatches.size > 0) {
      const batchIds = [...dirtyBatches];
      dirtyBatches.clear();
      if (listeners.size > 0) emit('export.changed', { batchIds });
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
  let watchDirty = false;
  let lastWatchPush = -Infinity;
  let watchTimer: NodeJS.Timeout | null = null;
  const onWatch = (e: { docIds: number[] }): void => {
    watchDirty = true;
    changed(e.docIds);
  };
  const onExport = (e: { batchId: number }): void => {
    dirtyBatches.add(e.batchId);
    schedule();
  };
  engine.events.on('document', onDocument);
  engine.events.on('page', onPage);
  engine.events.on('idle', onIdle);
  engine.events.on('export', onExport);
  engine.events.on('watch', onWatch);
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
    'app.diagnostics': () =>
      buildDiagnostics({
        db: engine.db,
        dbPath: engine.db.name,
        appVersion: opts.version,
        logFiles: engine.log.files(),
        workers: engine.workers,
      }),
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
    'review.failedPages': (docIds, perDocument) => failedPages(engine.db, docIds, perDocument ?? 5),
    'settings.get': () => readSettings(engine.db),
    'settings.set': (patch) => {
      const next = writeSettings(engine.db, patch);
      if (patch.workers !== undefined) {
        engine.setWorkers(workerCount(next.workers));
        changed();
      }
      if (patch.maxPages !== undefined) engine.setLimits({ maxPages: next.maxPages });
      return next;
    },
    'settings.languages': () => installedLanguages(),
    'app.capabilities': () => ({
      reveal: opts.host?.reveal !== undefined,
      pickFolder: opts.host?.pickFolder !== undefined,
      cores: workerCount(null),
      ocrEngine: describeOcrEngine(engine.workers.ocrEngines),
    }),
    'export.start': (request) => {
      const dest = request.options.destination;
      if (dest.kind === 'folder' && !isAbsolute(dest.path))
        throw new ApiFailure('BAD_REQUEST', `the export folder must be a full path, not "${dest.path}"`);
      const result = createExportBatchFor(engine, request);
      if (result.batchId !== null) dirtyBatches.add(result.batchId);
      schedule();
      return result;
    },
    'export.batch': (batchId, limit) => exportBatchOf(engine, batchId, limit ?? 200),
    'export.failures': (limit) => failedExports(engine.db, limit ?? 100),
    'export.retry': (taskIds) => {
      for (const b of engine.retryExports(taskIds)) dirtyBatches.add(b);
      schedule();
    },
    'review.page': (docId, pageNo) => {
      const page = pageDetail(engine.db, docId, pageNo);
      if (!page) throw new ApiFailure('NOT_FOUND', `document ${docId} has no recognised page ${pageNo}`);
      return page;
    },
    'review.pageImage': async (docId, pageNo) => {
      const r = await renderPreview(docId, pageNo);
      return {
        mime: r.mime,
        base64: Buffer.from(r.image).toString('base64'),
        width: r.width,
        height: r.height,
      };
    },
    'files.reveal': async ({ docId, path }) => {
      if (!opts.host?.reveal)
        throw new ApiFailure('UNAVAILABLE', 'showing files in the file manager needs the desktop app');
      const target = revealablePath(engine, docId, path);
      if (!target) throw new ApiFailure('NOT_FOUND', 'that file does not belong to this document');
      await opts.host.reveal(target);
    },
    'files.pickFolder': async (request) => {
      if (!opts.host?.pickFolder) throw new ApiFailure('UNAVAILABLE', 'no folder dialog here: type the path');
      return opts.host.pickFolder(request);
    },
    ...watchHandlers(engine),
  };

  /** A page's picture from a worker (or the small cache), at a scale matching its word boxes. */
  async function renderPreview(docId: number, pageNo: number): Promise<RenderResult> {
    const g = pageGeometry(engine.db, docId, pageNo);
    if (!g) throw new ApiFailure('NOT_FOUND', `document ${docId} has no page ${pageNo}`);
    const key = `${docId}:${pageNo}:${g.width}x${g.height}`;
    const cached = previews.get(key);
    if (cached) return cached;
    const longer = Math.max(g.width, g.height);
    const dpi =
      g.dpi && longer > 0 ? Math.min(g.dpi, (g.dpi * PREVIEW_MAX_SIDE) / longer) : PREVIEW_FALLBACK_DPI;
    const outcome = await engine.renderPage({ path: g.path, pageNo, dpi, maxSide: PREVIEW_MAX_SIDE });
    if (!outcome.ok) throw new InputError(outcome.error.code, outcome.error.message);
    previews.set(key, outcome.value);
    if (previews.size > PREVIEW_CACHE) previews.delete(previews.keys().next().value!);
    return outcome.value;
  }

  return {
    async call(method, args) {
      if (closed) return fail('DISCONNECTED', 'The engine has stopped.');
      if (typeof method !== 'string' || !Object.hasOwn(handlers, method))
        return fail('UNKNOWN_METHOD', `Unknown method: ${String(method)}`);
      const m = method as ApiMethod;
      const parsed = schemas[m].safeParse(args);
      if (!parsed.success)
        return fail('BAD_REQUEST', `${m}: ${describeIssues(parsed.error)}`, issueFields(parsed.error));
      try {
        const handler = handlers[m] as (...a: unknown[]) => unknown;
        return { ok: true, value: await handler(...parsed.data) };
      } catch (error) {
        if (error instanceof ApiFailure) return fail(error.code, error.message, error.fields);
        if (error instanceof InputError) return fail(error.code, error.message);
        if (error instanceof SettingsError) return fail('BAD_REQUEST', `${m}: ${error.message}`);
        console.error(`[api] ${m} failed:`, error);
        return fail('INTERNAL', error instanceof Error ? error.message : String(error));
      }
    },
    async pageImage(docId, pageNo) {
      if (closed) return fail('DISCONNECTED', 'The engine has stopped.');
      const parsed = schemas['review.pageImage'].safeParse([docId, pageNo]);
      if (!parsed.success) return fail('BAD_REQUEST', `page image: ${describeIssues(parsed.error)}`);
      try {
        return { ok: true, value: await renderPreview(...parsed.data) };
      } catch (error) {
        if (error instanceof InputError || error instanceof ApiFailure)
          return fail(error.code, error.message);
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
      engine.events.off('export', onExport);
      engine.events.off('watch', onWatch);
      if (watchTimer) clearTimeout(watchTimer);
      listeners.clear();
    },
  };
}

function fail(code: ApiError['code'], message: string, fields?: Record<string, string>): ApiResult<never> {
  return { ok: false, error: fields ? { code, message, fields } : { code, message } };
}
