/**
 * The desktop app itself, through Playwright's `_electron`: the preload's one object, native
 * "Add folder…" (the dialog answered from the main process), a document through to done, the page
 * view over IPC, and the file manager call behind "Show in folder".
 *
 * Runs only where the Electron binary is installed. The `electron` npm package fetches it on first
 * use from a host these build machines cannot reach, so here the test is skipped, saying so; the
 * same window is tested in Chromium against `bulk-ocr serve` (app.test.ts, workflow.test.ts).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication } from 'playwright-core';
import { corpus, repo, screenshotDir, answerOutputsQuestion } from './serve.ts';

/** The Electron executable if it is installed, without triggering the package's download. */
function electronBinary(): string | null {
  const pkg = join(repo, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const rel = readFileSync(pathFile, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist');
  const full = join(dist, rel);
  return existsSync(full) ? full : null;
}

const binary = electronBinary();
const built = existsSync(join(repo, 'out/main/index.js'));
const skipReason = !binary
  ? 'the Electron binary is not installed (node_modules/electron/dist is missing: it is downloaded on first run from a host this machine cannot reach)'
  : !built
    ? 'the app is not built (run npm run build)'
    : null;

if (skipReason) console.warn(`[electron e2e] skipped: ${skipReason}`);

let app: ElectronApplication | null = null;
const dirs: string[] = [];
afterAll(async () => {
  await app?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(skipReason !== null)('the Electron app', () => {
  it('exposes one narrow bridge, adds a folder through the native dialog, recognises it and shows its page', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bulk-ocr-electron-'));
    dirs.push(dataDir);
    const scans = join(dataDir, 'scans');
    mkdirSync(scans);
    copyFileSync(join(corpus, 'real/phototest.tif'), join(scans, 'phototest.tif'));
    app = await _electron.launch({
      executablePath: binary!,
      args: [join(repo, 'out/main/index.js')],
      env: { ...process.env, BULK_OCR_DATA_DIR: dataDir },
    });
    const win = await app.firstWindow();
    await win.getByText('Connected').waitFor();

    // The preload exposes call, on, pathForFile — and the page has no Node.
    expect(await win.evaluate(() => Object.keys(window.bulkOcr ?? {}).sort())).toEqual([
      'call',
      'on',
      'pathForFile',
    ]);
    expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');

    // "Add folder…" opens the native dialog: answered here from the main process.
    await app.evaluate(({ dialog }, folder) => {
      dialog.showOpenDialog = () => Promise.resolve({ canceled: false, filePaths: [folder] });
    }, scans);
    await win.getByRole('button', { name: '+ Add folder…' }).click();
    await answerOutputsQuestion(win);
    await win
      .locator('[role=row][data-state="done"]', { hasText: 'phototest.tif' })
      .waitFor({ timeout: 120_000 });

    // The page view gets its picture through the contract (no HTTP server in the desktop app).
    await win.getByRole('row', { name: 'phototest.tif' }).click();
    await win
      .getByRole('toolbar', { name: 'Selected documents' })
      .getByRole('button', { name: 'View pages' })
      .click();
    await win.getByRole('img', { name: 'Page 1' }).waitFor({ timeout: 60_000 });
    expect(await win.getByTestId('word-box').count()).toBeGreaterThan(40);
    await win.screenshot({ path: join(screenshotDir, 'electron-page-view.png') });
    await win.getByRole('button', { name: 'Close' }).click();

    // "Show in folder" reaches shell.showItemInFolder with the document's path.
    await app.evaluate(({ shell }) => {
      (globalThis as { revealed?: string[] }).revealed = [];
      shell.showItemInFolder = (p: string) => void (globalThis as { revealed?: string[] }).revealed!.push(p);
    });
    await win
      .getByRole('toolbar', { name: 'Selected documents' })
      .getByRole('button', { name: 'Show in folder' })
      .click();
    await expect
      .poll(() => app!.evaluate(() => (globalThis as { revealed?: string[] }).revealed))
      .toEqual([join(scans, 'phototest.tif')]);
  });
});
