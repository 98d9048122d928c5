/**
 * The security policy of the desktop window, as plain data and functions with no runtime import of
 * `electron`, so a Node test can read exactly what the app applies (test/unit/electron-policy.test.ts).
 * window.ts applies it; nothing else decides these settings.
 */
import type { BrowserWindowConstructorOptions, HandlerDetails, WindowOpenHandlerResponse } from 'electron';

/**
 * The content security policy of the renderer. It is the one in src/renderer/index.html (a test
 * checks they match) and is also sent as a response header for our pages: our own scripts and
 * styles only, no eval, no inline script, no plugins, no frames, no remote anything.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * `electron-vite dev` only: Vite injects imported CSS as <style> elements (electron.vite.config.ts
 * relaxes the page's meta tag the same way). Never used for the built app.
 */
export const DEV_SERVER_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "style-src 'self'",
  "style-src 'self' 'unsafe-inline'",
);

/** The main window: sandboxed, isolated, no Node in the page, web security on, only our preload. */
export function mainWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
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
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

/** What web contents offer for hardening (a subset of Electron's WebContents). */
export interface HardenableContents {
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
  on(
    event: 'will-navigate' | 'will-redirect' | 'will-attach-webview',
    listener: (event: { preventDefault(): void }) => void,
  ): unknown;
}

/**
 * Every web contents (our window and anything it could create): no new windows, no navigation or
 * redirect away from the page (it is a single-page app and never navigates), no <webview>.
 */
export function hardenContents(contents: HardenableContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * Links the app may open in the user's browser: https pages of these hosts, nothing else (no
 * file:, no custom protocols, no http). Anything that reaches `shell.openExternal` must pass here;
 * today the app opens no external link at all.
 */
const EXTERNAL_HOSTS = new Set(['github.com', 'tesseract-ocr.github.io']);

export function isSafeExternalUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const u = new URL(url);
  return (
    u.protocol === 'https:' &&
    u.username === '' &&
    u.password === '' &&
    u.port === '' &&
    EXTERNAL_HOSTS.has(u.hostname)
  );
}
