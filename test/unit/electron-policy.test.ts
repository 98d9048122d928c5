import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_METHODS } from '../../src/shared/api.ts';
import { createRouter } from '../../src/main/api/router.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import {
  CONTENT_SECURITY_POLICY,
  DEV_SERVER_CONTENT_SECURITY_POLICY,
  hardenContents,
  isSafeExternalUrl,
  mainWindowOptions,
} from '../../src/main/electron/windowPolicy.ts';

/**
 * The desktop window's hardening (STYLE.md §3), read from the modules the app uses. Electron cannot
 * start on these machines, so the policy lives in a module without a runtime `electron` import and
 * the wiring in window.ts / index.ts / ipc.ts is checked in their source.
 */
const SRC = resolve(import.meta.dirname, '../../src');
const source = (p: string): string => readFileSync(join(SRC, p), 'utf8');

/** Directives of a CSP string. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('Electron window options', () => {
  const prefs = mainWindowOptions('/app/preload.cjs').webPreferences!;

  it('sandbox, context isolation, no Node in the page, web security, only our preload', () => {
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      preload: '/app/preload.cjs',
    });
    expect(prefs).not.toHaveProperty('enableRemoteModule');
  });

  it('window.ts builds the window from these options and nothing else', () => {
    const win = source('main/electron/window.ts');
    expect(win).toMatch(/new BrowserWindow\(mainWindowOptions\(preload\)\)/);
    expect(win).not.toMatch(/webPreferences/);
  });

  it('loads only our own page (a file or the dev server), no remote content', () => {
    const win = source('main/electron/window.ts');
    const loads = [...win.matchAll(/\.load(URL|File)\(([^)]*)\)/g)].map((m) => m[2]);
    expect(loads.sort()).toEqual(['loc.devUrl', 'loc.file']);
    const index = source('main/index.ts');
    // The dev server URL is only honoured in an unpackaged (development) app.
    expect(index).toMatch(/devUrl: app\.isPackaged \? undefined : process\.env\.ELECTRON_RENDERER_URL/);
  });
});

describe('content security policy', () => {
  const html = readFileSync(join(SRC, 'renderer/index.html'), 'utf8');
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];

  it('the page carries the same policy the app sends as a header', () => {
    expect(meta).toBeDefined();
    expect(directives(meta!)).toEqual(directives(CONTENT_SECURITY_POLICY));
    expect(source('main/electron/window.ts')).toMatch(/'Content-Security-Policy': \[csp\]/);
  });

  it('is strict: nothing by default, own scripts only, no eval, no inline script, no remote origin', () => {
    const csp = directives(CONTENT_SECURITY_POLICY);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    for (const [name, values] of csp) {
      for (const v of values) {
        expect(v, name).not.toMatch(/unsafe-eval|unsafe-inline|wasm-unsafe-eval|\*|https?:|wss?:/);
      }
    }
    // The dev server's relaxation touches styles only.
    const dev = directives(DEV_SERVER_CONTENT_SECURITY_POLICY);
    expect(dev.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(dev.get('script-src')).toEqual(["'self'"]);
  });
});

describe('navigation, new windows, external links', () => {
  it('new windows are denied; navigation, redirects and <webview>s are prevented', () => {
    let openHandler: (() => { action: string }) | null = null;
    const listeners = new Map<string, (e: { preventDefault(): void }) => void>();
    hardenContents({
      setWindowOpenHandler: (h) => {
        openHandler = h as unknown as () => { action: string };
      },
      on: (event, listener) => listeners.set(event, listener),
    });
    expect(openHandler!()).toEqual({ action: 'deny' });
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      listeners.get(event)!({ preventDefault: () => (prevented = true) });
      expect(prevented, event).toBe(true);
    }
  });

  it('the handlers are wired for every web contents before the window opens', () => {
    const win = source('main/electron/window.ts');
    expect(win).toMatch(
      /app\.on\('web-contents-created', \(_event, contents\) => hardenContents\(contents\)\)/,
    );
    expect(win).toMatch(/setPermissionRequestHandler\([^)]*\) => callback\(false\)\)/);
    const index = source('main/index.ts');
    expect(index.indexOf('hardenWebContents(')).toBeGreaterThan(0);
    expect(index.indexOf('hardenWebContents(')).toBeLessThan(index.indexOf('showWindow();'));
  });

  it('shell.openExternal is never called with an unchecked URL', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
    for (const f of files) {
      const text = source(f);
      for (const m of text.matchAll(/openExternal\(([^)]*)\)/g)) {
        // Allowed only as `if (isSafeExternalUrl(x)) … openExternal(x)` in the same statement.
        const before = text.slice(Math.max(0, m.index - 200), m.index);
        expect(before, `${relative(SRC, join(SRC, f))}: openExternal(${m[1]})`).toMatch(
          new RegExp(`isSafeExternalUrl\\(${m[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`),
        );
      }
    }
  });

  it('the external-link allow-list takes https pages of known hosts only', () => {
    expect(isSafeExternalUrl('https://github.com/tesseract-ocr/tesseract')).toBe(true);
    for (const bad of [
      'http://github.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://github.com.evil.example/',
      'https://user:pw@github.com/',
      'https://github.com:8443/',
      'smb://server/share',
      'not a url',
    ])
      expect(isSafeExternalUrl(bad), bad).toBe(false);
  });
});

describe('IPC', () => {
  it('the binding refuses frames that are not our page and hands everything else to the router as it came', () => {
    const ipc = source('main/electron/ipc.ts');
    expect(ipc).toMatch(/if \(!isOurFrame\(event, isOurUrl\)\)/);
    expect(ipc).toMatch(/frame\.parent === null && isOurUrl\(frame\.url\)/);
    expect(ipc).toMatch(/return router\.call\(method, args\);/);
    // The preload exposes one object and never ipcRenderer itself.
    const preload = source('preload/index.ts');
    expect([...preload.matchAll(/exposeInMainWorld\(/g)]).toHaveLength(1);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });

  it('the router validates every argument list: garbage gets BAD_REQUEST or UNKNOWN_METHOD, never a call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulk-ocr-ipc-'));
    const engine = new Engine({
      dbPath: join(dir, 'queue.db'),
      spawn: () => {
        throw new Error('no workers');
      },
      jobs: 1,
    });
    const router = createRouter({ engine, version: '1' });
    try {
      const garbage: unknown[] = [
        'not an array',
        [{ __proto__: { polluted: true } }, 1, 2, 3],
        [[-1, 'x']],
        [{ paths: ['/etc'], extra: true }],
        Array.from({ length: 5 }, () => ({ deep: { deeper: 'x'.repeat(10_000) } })),
      ];
      for (const method of API_METHODS) {
        for (const args of garbage) {
          const r = await router.call(method, args);
          expect(r.ok, `${method} ${JSON.stringify(args).slice(0, 40)}`).toBe(false);
          if (!r.ok) expect(r.error.code).toBe('BAD_REQUEST');
        }
      }
      expect(await router.call('__proto__', [])).toMatchObject({
        ok: false,
        error: { code: 'UNKNOWN_METHOD' },
      });
      expect(await router.call('constructor', [])).toMatchObject({
        ok: false,
        error: { code: 'UNKNOWN_METHOD' },
      });
      expect(engine.read.counts().documents.total).toBe(0);
    } finally {
      router.close();
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
