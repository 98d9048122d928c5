/**
 * Sandboxed preload: exposes exactly one object, `window.bulkOcr`, and never `ipcRenderer` or an
 * IPC event object. Built as one self-contained CommonJS file (electron.vite.config.ts): a
 * sandboxed preload can `require('electron')` and nothing of ours.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  IPC_CALL_CHANNEL,
  IPC_EVENT_CHANNEL,
  type ApiArgs,
  type ApiEvent,
  type ApiEvents,
  type ApiMethod,
  type ApiResult,
  type ApiValue,
  type BulkOcrBridge,
} from '../shared/api.ts';

const bridge: BulkOcrBridge = {
  call<M extends ApiMethod>(method: M, ...args: ApiArgs<M>) {
    return ipcRenderer.invoke(IPC_CALL_CHANNEL, method, args) as Promise<ApiResult<ApiValue<M>>>;
  },
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void) {
    // One IPC listener per subscription, filtered by event name; the renderer sees only the payload.
    const relay = (_e: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload as ApiEvents[E]);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, relay);
    };
  },
  pathForFile(file) {
    return webUtils.getPathForFile(file);
  },
};

contextBridge.exposeInMainWorld('bulkOcr', bridge);
