/**
 * The API router: the one place where API methods become engine calls, for every front end.
 * The Electron IPC binding and the WebSocket server hand it `(method, args)` exactly as they arrived
 * and pass its results and events on; neither knows a method name. Plain Node: no `electron` here.
 *
 * Every call returns a value (`ApiResult`), never throws: unknown methods, bad arguments (checked
 * with the schemas in schemas.ts) and engine failures come back as `{ ok: false, error: { code } }`.
 * The handlers live in one map per domain (`handlers/`); pushes are coalesced in `pushes.ts`.
 */
import type { ApiError, ApiMethod, ApiResult } from '../../shared/api.ts';
import type { Engine } from '../engine/engine.ts';
import { SettingsError } from '../engine/settings.ts';
import { InputError } from '../common/errors.ts';
import type { RenderResult } from '../worker/protocol.ts';
import { describeIssues, issueFields, schemas } from './schemas.ts';
import { ApiFailure } from './failure.ts';
import { Pushes, type ApiListener, type PushOptions } from './pushes.ts';
import { Previews } from './previews.ts';
import type { HandlerContext, HandlerMap, HostShell } from './handlers/context.ts';
import { appHandlers } from './handlers/app.ts';
import { queueHandlers } from './handlers/queue.ts';
import { reviewHandlers } from './handlers/review.ts';
import { exportHandlers } from './handlers/exports.ts';
import { watchHandlers } from './handlers/watch.ts';
import { searchHandlers } from './handlers/search.ts';
import { clusterHandlers } from './handlers/cluster.ts';

export { ApiFailure } from './failure.ts';
export type { ApiListener } from './pushes.ts';
export type { HostShell } from './handlers/context.ts';

export interface Router {
  /** Runs one call as it arrived from a front end (nothing about it is trusted). */
  call(method: unknown, args: unknown): Promise<ApiResult<unknown>>;
  /** A page's picture as bytes (the HTTP endpoint of `bulk-ocr serve`); same checks as `review.pageImage`. */
  pageImage(docId: unknown, pageNo: unknown, kind?: unknown): Promise<ApiResult<RenderResult>>;
  /** Receives every pushed event (already coalesced); returns the unsubscribe function. */
  subscribe(listener: ApiListener): () => void;
  /** Stops listening to the engine and drops pending pushes. */
  close(): void;
}

export interface RouterOptions extends PushOptions {
  engine: Engine;
  version: string;
  host?: HostShell;
}

export function createRouter(opts: RouterOptions): Router {
  const pushes = new Pushes(opts.engine, opts);
  const context: HandlerContext = {
    engine: opts.engine,
    pushes,
    previews: new Previews(opts.engine),
    host: opts.host,
    version: opts.version,
  };
  // Typed as the whole contract: a method without a handler does not compile.
  const handlers: HandlerMap<ApiMethod> = {
    ...appHandlers(context),
    ...queueHandlers(context),
    ...reviewHandlers(context),
    ...exportHandlers(context),
    ...watchHandlers(context),
    ...searchHandlers(context),
    ...clusterHandlers(context),
  };
  let closed = false;

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
    async pageImage(docId, pageNo, kind) {
      if (closed) return fail('DISCONNECTED', 'The engine has stopped.');
      const parsed = schemas['review.pageImage'].safeParse(
        kind === undefined ? [docId, pageNo] : [docId, pageNo, kind],
      );
      if (!parsed.success) return fail('BAD_REQUEST', `page image: ${describeIssues(parsed.error)}`);
      try {
        const [doc, page, picture] = parsed.data;
        return { ok: true, value: await context.previews.picture(doc, page, picture) };
      } catch (error) {
        if (error instanceof InputError || error instanceof ApiFailure)
          return fail(error.code, error.message);
        return fail('INTERNAL', error instanceof Error ? error.message : String(error));
      }
    },
    subscribe: (listener) => pushes.subscribe(listener),
    close() {
      closed = true;
      pushes.close();
    },
  };
}

function fail(code: ApiError['code'], message: string, fields?: Record<string, string>): ApiResult<never> {
  return { ok: false, error: fields ? { code, message, fields } : { code, message } };
}
