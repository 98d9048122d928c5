import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import {
  IPC_CALL_CHANNEL,
  IPC_EVENT_CHANNEL,
  type ApiArgs,
  type ApiError,
  type ApiEvent,
  type ApiEvents,
  type ApiMethod,
  type ApiResult,
  type ApiValue,
} from '../../shared/api.ts';

/** One handler per API method, typed from the contract. */
export type ApiHandlers = { [M in ApiMethod]: (...args: ApiArgs<M>) => ApiValue<M> | Promise<ApiValue<M>> };

/**
 * The Electron side of the API: one `ipcMain.handle` channel for every call. Only this file (and
 * the preload) touch Electron IPC. Calls from any frame other than our own page's main frame are
 * refused: a sub-frame or a page we navigated to by mistake must not reach the engine.
 * Argument validation against schemas belongs to the router and comes with the full contract.
 */
export function bindApi(handlers: ApiHandlers, isOurUrl: (url: string) => boolean): () => void {
  ipcMain.handle(
    IPC_CALL_CHANNEL,
    async (event: IpcMainInvokeEvent, method: unknown, args: unknown): Promise<ApiResult<unknown>> => {
      if (!isOurFrame(event, isOurUrl)) return fail('FORBIDDEN', 'This page may not call the Bulk OCR API.');
      if (typeof method !== 'string' || !Object.hasOwn(handlers, method))
        return fail('UNKNOWN_METHOD', `Unknown method: ${String(method)}`);
      if (!Array.isArray(args)) return fail('BAD_REQUEST', 'Arguments must be an array.');
      try {
        const handler = handlers[method as ApiMethod] as (...a: unknown[]) => unknown;
        return { ok: true, value: await handler(...(args as unknown[])) };
      } catch (error) {
        console.error(`[api] ${method} failed:`, error);
        return fail('INTERNAL', error instanceof Error ? error.message : String(error));
      }
    },
  );
  return () => ipcMain.removeHandler(IPC_CALL_CHANNEL);
}

/** Pushes an event to every window (all of them show our page; the preload filters by name). */
export function pushEvent<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
  for (const win of BrowserWindow.getAllWindows()) {
    if (!win.webContents.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event, payload);
  }
}

function isOurFrame(event: IpcMainInvokeEvent, isOurUrl: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isOurUrl(frame.url);
}

function fail(code: ApiError['code'], message: string): ApiResult<never> {
  return { ok: false, error: { code, message } };
}
