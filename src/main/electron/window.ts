import { app, BrowserWindow, session } from 'electron';
import { pathToFileURL } from 'node:url';
import {
  CONTENT_SECURITY_POLICY,
  DEV_SERVER_CONTENT_SECURITY_POLICY,
  hardenContents,
  mainWindowOptions,
} from './windowPolicy.ts';

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
export function hardenWebContents(devServer: boolean): void {
  const csp = devServer ? DEV_SERVER_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY;
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // The page's CSP also as a header on our own responses (a meta tag applies only once parsed).
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] },
    });
  });
}

export function createMainWindow(preload: string, loc: RendererLocation): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preload));
  win.once('ready-to-show', () => win.show());
  const loading = loc.devUrl ? win.loadURL(loc.devUrl) : win.loadFile(loc.file);
  loading.catch((error: unknown) => console.error('[window] could not load the page:', error));
  return win;
}
