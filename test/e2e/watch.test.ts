/**
 * Watched folders in the browser-served app: "Watch folder…" with originals moved aside, the
 * folder's state and what it ingested shown live, a file that arrives later OCR'd, and "Stop watching".
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { corpus, screenshotDir, startServe, type Served, startBrowser } from './serve.ts';

let browser: Browser;
let served: Served;

beforeAll(async () => {
  browser = await startBrowser();
  served = await startServe(['synthetic/s08-image-png.png']);
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

describe('watched folders in the window', () => {
  it('watches a folder, shows its state and what it ingested, and stops watching it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    await page.goto(served.url);
    await page.getByText('Connected').waitFor();

    await page.getByRole('button', { name: '+ Watch folder…' }).click();
    await page.getByLabel('Folder to watch').fill(served.inputDir);
    await page.getByLabel('Output folder').fill(join(served.dataDir, 'ocr'));
    await page.getByLabel('Move originals into processed/ and failed/ when done').check();
    await page.getByLabel('Priority').selectOption('7');
    await page.screenshot({ path: join(screenshotDir, 'watch-form.png') });
    await page.getByRole('button', { name: 'Watch', exact: true }).click();

    const item = page.getByRole('listitem', { name: served.inputDir });
    await page.locator(`li.watch-item[data-state="watching"]`).waitFor();
    await item
      .getByText(/· eng · priority 7 · with subfolders · originals to processed\/ and failed\//)
      .waitFor();
    // The file already there is taken, recognised, and its original moved aside.
    await item.getByText(/1 ingested · 1 done/).waitFor({ timeout: 90_000 });
    expect(existsSync(join(served.inputDir, 'processed/s08-image-png.png'))).toBe(true);
    expect(existsSync(join(served.dataDir, 'ocr/s08-image-png.txt'))).toBe(true);

    // A file that arrives later; a copy of the same scan is not OCR'd again.
    copyFileSync(join(corpus, 'bad/png-renamed.pdf'), join(served.inputDir, 'again.pdf'));
    await item.getByText(/1 duplicate skipped/).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(screenshotDir, 'watch-panel.png') });

    await page.getByRole('button', { name: `Stop watching ${served.inputDir}` }).click();
    await item.waitFor({ state: 'detached' });
    await page.close();
  });
});
