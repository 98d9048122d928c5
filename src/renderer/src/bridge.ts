/**
 * The renderer's way to the engine. In Electron it is the preload's `window.bulkOcr`; the
 * browser-served mode will provide the same interface over a WebSocket. Results arrive as values
 * (`ApiResult`); `call` turns a failure into a thrown `ApiCallError` carrying the code.
 */
import type {
  ApiArgs,
  ApiError,
  ApiEvent,
  ApiEvents,
  ApiMethod,
  ApiValue,
  BulkOcrBridge,
} from '../../shared/api.ts';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser until the WebSocket client exists. */
    bulkOcr?: BulkOcrBridge;
  }
}

export class ApiCallError extends Error {
  readonly code: ApiError['code'];
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
  }
}

function bridge(): BulkOcrBridge {
  if (!window.bulkOcr)
    throw new ApiCallError({ code: 'INTERNAL', message: 'Not connected to the Bulk OCR engine.' });
  return window.bulkOcr;
}

export async function call<M extends ApiMethod>(method: M, ...args: ApiArgs<M>): Promise<ApiValue<M>> {
  const result = await bridge().call(method, ...args);
  if (!result.ok) throw new ApiCallError(result.error);
  return result.value;
}

export function on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
  return window.bulkOcr ? window.bulkOcr.on(event, listener) : () => {};
}

/** The path of a dropped file ('' when it has none, e.g. in a browser). */
export function pathForFile(file: File): string {
  return window.bulkOcr ? window.bulkOcr.pathForFile(file) : '';
}
