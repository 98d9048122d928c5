import { app, BrowserWindow, session } from 'electron';
import { pathToFileURL } from 'node:url';

export interface RendererLocation {
  /** `electron-vite dev` serves the renderer over http (ELECTRON_RENDERER_URL). */
  devUrl: string | undefined;
  /** The built renderer's index.html. */
  file: string;
}

/** True for URLs of our own page (dev server origin, or the built index.html), whatever the hash or query. */
export function rendererUrlMatcher(loc: RendererLocation): (url: string) => boolean {
  if (loc.devUrl) {
    const origin = new URL(loc.devUrl).origin;
    return (url) => URL.canParse(url) && new URL(url).origin === origin;
  }
  const page = pathToFileURL(loc.file).href;
  return (url) => {
    if (!URL.canParse(url)) return false;
    const u = new URL(url);
    u.hash = '';
    u.search = '';
    return u.href === page;
  };
}

/**
 * App-wide hardening, installed once before any window exists: every web contents (windows and
 * anything they might create) may not open windows, navigate away, attach <webview>s, or get
 * permissions (camera, notifications…). The page is a single-page app: it never navigates.
 */
export function hardenWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

export function createMainWindow(preload: string, loc: RendererLocation): BrowserWindow {
  const win = new BrowserWindow({
    title: 'Bulk OCR',
    width: 1100,
    height: 720,
    minWidth: 640,
    minHeight: 420,
    show: false,
    backgroundColor: '#f6f7f9',
    webPreferences: {
      preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  const loading = loc.devUrl ? win.loadURL(loc.devUrl) : win.loadFile(loc.file);
  loading.catch((error: unknown) => console.error('[window] could not load the page:', error));
  return win;
}
