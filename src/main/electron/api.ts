import { app, BrowserWindow, dialog, shell } from 'electron';
import type { Engine } from '../engine/engine.ts';
import { createRouter, type HostShell, type Router } from '../api/router.ts';

/**
 * What the desktop app adds to the engine's methods: the system file manager and the native
 * folder dialog (the router answers `UNAVAILABLE` for them in a browser).
 */
const desktopShell: HostShell = {
  reveal: (path) => shell.showItemInFolder(path),
  pickFolder: async ({ title, multiple }) => {
    const owner = BrowserWindow.getFocusedWindow();
    const options: Electron.OpenDialogOptions = {
      title: title ?? 'Choose a folder',
      properties: ['openDirectory', 'createDirectory', ...(multiple ? (['multiSelections'] as const) : [])],
    };
    const r = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths;
  },
};

/** The API router for the desktop app: the engine, the app's version, and the desktop shell. */
export function desktopRouter(engine: Engine): Router {
  return createRouter({ engine, version: app.getVersion(), host: desktopShell });
}
