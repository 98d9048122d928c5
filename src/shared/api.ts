/**
 * The one contract between the front ends (Electron renderer, browser) and the engine's host.
 * Requests are a method map, pushes an event map; the Electron IPC binding, the preload, the
 * WebSocket binding and the renderer's client all derive their types from these two interfaces.
 * Plain data and types only: no `node:*`, `electron` or `react` here.
 *
 * First cut (scaffold): the desktop issue grows the method and event maps.
 */
import type { ErrorCode, QueueCounts } from './model.ts';

/** Request methods, named `domain.verb`: each is `(...args) => result` as the caller sees it. */
export interface ApiMethods {
  /** The application's version (package.json). */
  'app.version': () => string;
  /** Documents per state and page totals. */
  'queue.counts': () => QueueCounts;
}

/** Pushed events and their payloads. Coalesced by the host (≤ 10 per second per window). */
export interface ApiEvents {
  /** The queue counts changed. */
  'queue.counts': QueueCounts;
}

export type ApiMethod = keyof ApiMethods;
export type ApiEvent = keyof ApiEvents;
export type ApiArgs<M extends ApiMethod> = Parameters<ApiMethods[M]>;
export type ApiValue<M extends ApiMethod> = Awaited<ReturnType<ApiMethods[M]>>;

/** Codes the API adds to the engine's own error codes. */
export type ApiErrorCode = ErrorCode | 'UNKNOWN_METHOD' | 'BAD_REQUEST' | 'FORBIDDEN';

/** An error as it crosses a process boundary: a code the UI can act on and a message for people. */
export interface ApiError {
  code: ApiErrorCode;
  message: string;
}

/** Errors cross process boundaries as values, never as thrown exceptions. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Electron IPC channels (used only by the main-side binding and the preload). */
export const IPC_CALL_CHANNEL = 'bulk-ocr:call';
export const IPC_EVENT_CHANNEL = 'bulk-ocr:event';

/** What the preload exposes as `window.bulkOcr`, and nothing more. */
export interface BulkOcrBridge {
  call<M extends ApiMethod>(method: M, ...args: ApiArgs<M>): Promise<ApiResult<ApiValue<M>>>;
  /** Subscribes to a pushed event; returns the unsubscribe function. */
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** The file-system path of a dropped `File` ('' for files that have none). */
  pathForFile(file: File): string;
}
