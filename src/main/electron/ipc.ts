import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type ApiResult } from '../../shared/api.ts';
import type { Router } from '../api/router.ts';

/**
 * The Electron side of the API: one `ipcMain.handle` channel for every call, one channel for every
 * pushed event. Only this file (and the preload) touch Electron IPC; what a method does, and the
 * validation of its arguments, is the router's (src/main/api/router.ts), shared with `bulk-ocr serve`.
 * Calls from any frame other than our own page's main frame are refused: a sub-frame or a page we
 * navigated to by mistake must not reach the engine.
 */
export function bindApi(router: Router, isOurUrl: (url: string) => boolean): () => void {
  ipcMain.handle(
    IPC_CALL_CHANNEL,
    async (event: IpcMainInvokeEvent, method: unknown, args: unknown): Promise<ApiResult<unknown>> => {
      if (!isOurFrame(event, isOurUrl))
        return {
          ok: false,
          error: { code: 'FORBIDDEN', message: 'This page may not call the Bulk OCR API.' },
        };
      return router.call(method, args);
    },
  );
  // Events go to every window (all of them show our page; the preload filters by name).
  const unsubscribe = router.subscribe((name, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.webContents.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, name, payload);
    }
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CALL_CHANNEL);
  };
}

function isOurFrame(event: IpcMainInvokeEvent, isOurUrl: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isOurUrl(frame.url);
}
