/**
 * The renderer's way to the engine: the preload's `window.bulkOcr` in Electron, else the WebSocket
 * of `bulk-ocr serve` (same interface). Results arrive as values (`ApiResult`); `call` turns a
 * failure into a thrown `ApiCallError` carrying the code.
 */
import type {
  ApiArgs,
  ApiError,
  ApiEvent,
  ApiEvents,
  ApiMethod,
  ApiValue,
  BulkOcrBridge,
} from '../../../shared/api.ts';
import { createWsBridge, wsUrlFromLocation, type ConnectionState } from './wsBridge.ts';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser. */
    bulkOcr?: BulkOcrBridge;
  }
}

export class ApiCallError extends Error {
  readonly code: ApiError['code'];
  /** The request fields to blame, for a form (see `ApiError.fields`). */
  readonly fields: Record<string, string> | undefined;
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.fields = error.fields;
  }
}

const stateListeners = new Set<(s: ConnectionState) => void>();
let connection: ConnectionState = 'connecting';
let bridge: BulkOcrBridge | null = null;

/** True inside Electron (native dialogs and file paths); false in a browser. */
export const isDesktop = (): boolean => typeof window !== 'undefined' && window.bulkOcr !== undefined;

function getBridge(): BulkOcrBridge {
  if (bridge) return bridge;
  if (window.bulkOcr) {
    bridge = window.bulkOcr;
    setConnection('open');
  } else {
    bridge = createWsBridge(wsUrlFromLocation(window.location), setConnection);
  }
  return bridge;
}

function setConnection(s: ConnectionState): void {
  connection = s;
  for (const l of stateListeners) l(s);
}

export function onConnection(listener: (s: ConnectionState) => void): () => void {
  stateListeners.add(listener);
  listener(connection);
  return () => stateListeners.delete(listener);
}

export async function call<M extends ApiMethod>(method: M, ...args: ApiArgs<M>): Promise<ApiValue<M>> {
  const result = await getBridge().call(method, ...args);
  if (!result.ok) throw new ApiCallError(result.error);
  return result.value;
}

export function on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
  return getBridge().on(event, listener);
}

/** The path of a dropped file ('' when it has none, e.g. in a browser). */
export function pathForFile(file: File): string {
  return getBridge().pathForFile(file);
}

export type { ConnectionState };
