/**
 * Electron entry: a thin shell around the Engine. It decides where the queue lives, spawns workers
 * as utility processes, opens the window and binds the API; everything else is the engine's.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { join } from 'node:path';
import { defaultDataDir } from './engine/dataDir.ts';
import { Engine } from './engine/engine.ts';
import { limitsOf, workerCount } from './engine/settings.ts';
import { desktopRouter } from './electron/api.ts';
import { bindApi } from './electron/ipc.ts';
import { utilitySpawner } from './electron/spawnUtility.ts';
import {
  createMainWindow,
  hardenWebContents,
  rendererUrlMatcher,
  type RendererLocation,
} from './electron/window.ts';

/** Longest we hold up quitting for the workers to finish their page and the queue to close. */
const QUIT_GRACE_MS = 5_000;

// Built layout (electron.vite.config.ts): out/main/{index,worker}.js, out/preload/index.cjs,
// out/renderer/index.html. This file is out/main/index.js.
const here = import.meta.dirname;
const workerPath = join(here, 'worker.js');
const preloadPath = join(here, '../preload/index.cjs');
const renderer: RendererLocation = {
  devUrl: app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL,
  file: join(here, '../renderer/index.html'),
};

// The CLI and `bulk-ocr serve` find the queue through defaultDataDir(); pin userData to the same
// folder (it is what Electron derives from the product name "Bulk OCR" anyway, and it honours
// BULK_OCR_DATA_DIR). Must happen before `ready` and before the single-instance lock, which is
// keyed on userData.
app.setPath('userData', defaultDataDir());

if (!app.requestSingleInstanceLock()) {
  // Another window of Bulk OCR owns the queue; it gets focused through 'second-instance'.
  app.quit();
} else {
  main();
}

function main(): void {
  let engine: Engine | null = null;
  let mainWindow: BrowserWindow | null = null;
  let quit: 'running' | 'stopping' | 'stopped' = 'running';

  const showWindow = (): void => {
    if (mainWindow && !mainWindow.isDestroyed()) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
      return;
    }
    mainWindow = createMainWindow(preloadPath, renderer);
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  };

  app.on('second-instance', showWindow);

  app.on('window-all-closed', () => {
    // macOS apps stay alive without windows (and keep working through the queue).
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('before-quit', (event) => {
    if (!engine || quit === 'stopped') return;
    event.preventDefault();
    if (quit === 'stopping') return;
    quit = 'stopping';
    const running = engine;
    void stopWithin(running, QUIT_GRACE_MS).finally(() => {
      quit = 'stopped';
      app.quit();
    });
  });

  void app.whenReady().then(() => {
    hardenWebContents(renderer.devUrl !== undefined);
    const dbPath = join(app.getPath('userData'), 'queue.db');
    try {
      // Settings → Cluster: with a Redis there, this app also hands pages to worker nodes.
      engine = new Engine({
        dbPath,
        spawn: utilitySpawner(workerPath),
        jobs: 1,
        clusterFromSettings: true,
        version: app.getVersion(),
      });
      // The worker count and the page and image limits are settings (changed in the window, applied at once).
      const settings = engine.read.settings();
      engine.setWorkers(workerCount(settings.workers));
      engine.setLimits(limitsOf(settings));
    } catch (error) {
      // Typically: `bulk-ocr run` holds the queue, or the database is from a newer version.
      dialog.showErrorBox(
        'Bulk OCR cannot open its queue',
        `${dbPath}\n\n${error instanceof Error ? error.message : String(error)}`,
      );
      app.exit(1);
      return;
    }
    const running = engine;
    running.events.on('fatal', (error) => {
      console.error('[engine] fatal:', error);
      dialog.showErrorBox('Bulk OCR cannot run its OCR workers', error.message);
    });
    bindApi(desktopRouter(running), rendererUrlMatcher(renderer));
    running.start();
    running.watch.start(); // stored watched folders resume with the app
    showWindow();
    app.on('activate', showWindow);
  });
}

/** Stops the engine, giving up after `ms` (the workers are killed by then; the queue reopens cleanly). */
async function stopWithin(engine: Engine, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`[engine] did not stop within ${ms} ms; quitting anyway`);
      resolve();
    }, ms);
  });
  try {
    await Promise.race([
      engine.stop().catch((error: unknown) => console.error('[engine] stop failed:', error)),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
