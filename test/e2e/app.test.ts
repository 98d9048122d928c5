/**
 * The browser-served app end to end: `bulk-ocr serve` as a child process (own data folder per
 * test), Debian's Chromium through playwright-core. Every wait is on what the page shows.
 */
import { copyFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  corpus,
  screenshotDir,
  startServe,
  type Served,
  startBrowser,
  answerOutputsQuestion,
} from './serve.ts';

const FILES = ['real/phototest.tif', 'synthetic/s08-image-png.png', 'bad/empty.pdf'];
const OCR_TIMEOUT = 90_000;

let browser: Browser;
let served: Served | null = null;

beforeAll(async () => {
  browser = await startBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await served?.stop();
  served = null;
});

async function open(s: Served): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, reducedMotion: 'reduce' });
  await page.goto(s.url);
  await page.getByText('Connected').waitFor();
  return page;
}

async function addFolder(page: Page, path: string): Promise<void> {
  await page.getByRole('button', { name: '+ Add folder…' }).click();
  await answerOutputsQuestion(page);
  await page.getByLabel('Folder or file path').fill(path);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}

const row = (page: Page, name: string) => page.getByRole('row', { name });
const stateOf = (page: Page, name: string, state: string) =>
  page.locator(`[role=row][data-state="${state}"]`, { hasText: name });

describe('bulk-ocr serve in a browser', () => {
  it('queues a folder, shows progress, finishes, and lists the failure with its reason', async () => {
    served = await startServe(FILES);
    const page = await open(served);
    await page.getByText('The queue is empty').waitFor();
    // Every value the overall bar takes, from here to the end of this batch.
    await page.evaluate(() => {
      const w = window as unknown as { barValues: number[] };
      const bar = document.querySelector('[role=progressbar]')!;
      w.barValues = [Number(bar.getAttribute('aria-valuenow'))];
      new MutationObserver(() => w.barValues.push(Number(bar.getAttribute('aria-valuenow')))).observe(bar, {
        attributes: true,
        attributeFilter: ['aria-valuenow'],
      });
    });
    await addFolder(page, served.inputDir);

    // Documents appear…
    for (const name of ['phototest.tif', 's08-image-png.png', 'empty.pdf']) await row(page, name).waitFor();
    // …progress moves to the end…
    await stateOf(page, 'phototest.tif', 'done').waitFor({ timeout: OCR_TIMEOUT });
    await stateOf(page, 's08-image-png.png', 'done').waitFor({ timeout: OCR_TIMEOUT });
    await page.getByTestId('stat-pages').getByText('2 / 2').waitFor();
    await page.getByTestId('stat-docs').getByText('3 / 3').waitFor();
    await page.locator('[role=progressbar][aria-valuenow="100"]').waitFor();
    // The bar went from empty to full and never moved back while files were opened.
    const barValues = await page.evaluate(() => (window as unknown as { barValues: number[] }).barValues);
    expect(barValues.at(-1)).toBe(100);
    for (let i = 1; i < barValues.length; i++) expect(barValues[i]).toBeGreaterThanOrEqual(barValues[i - 1]);
    // …and the empty file is in the review panel with its reason.
    const review = page.getByRole('complementary', { name: 'Review' });
    const failure = review.getByRole('listitem', { name: 'empty.pdf' });
    await failure.getByTitle('Reason code: EMPTY_FILE').waitFor();
    await failure.getByText(/empty/).first().waitFor();
    await page.screenshot({ path: join(screenshotDir, 'main-window.png') });

    // Retry: the file has been fixed meanwhile (a real scan put in its place); it now succeeds.
    copyFileSync(join(corpus, 'real/phototest.tif'), join(served.inputDir, 'empty.pdf'));
    await failure.getByRole('button', { name: /Retry/ }).click();
    await stateOf(page, 'empty.pdf', 'done').waitFor({ timeout: OCR_TIMEOUT });
    await review.getByText('Nothing failed').waitFor();

    // Filter and search run in the engine.
    await page.getByRole('radio', { name: 'Failed' }).click();
    await page.getByText('No documents match this filter.').waitFor();
    await page.getByRole('radio', { name: 'All' }).click();
    await page.getByLabel('Search by name').fill('photo');
    await page.getByText('1 document', { exact: true }).waitFor();
    expect(await page.getByRole('row', { name: 's08-image-png.png' }).count()).toBe(0);
  });

  it('pause all stops new pages, resume continues; a selected document can be paused on its own', async () => {
    served = await startServe(FILES.slice(0, 2));
    const page = await open(served);
    await page.getByRole('button', { name: '❚❚ Pause all' }).click();
    await page.getByText('The queue is paused').waitFor();
    await addFolder(page, served.inputDir);
    await row(page, 'phototest.tif').waitFor();
    await row(page, 's08-image-png.png').waitFor();
    // Paused before anything was claimed: nothing is opened, no page is done.
    await page.getByTestId('stat-pages').getByText('0 / 0').waitFor();
    expect(await page.locator('[role=row][data-state="new"]').count()).toBe(2);
    // Both are Queued; the tooltip says they are not opened yet (their pages not counted).
    expect(await page.locator('[role=row][data-state="new"]', { hasText: 'Queued' }).count()).toBe(2);
    expect(await page.getByTitle(/not opened yet/).count()).toBe(2);

    // Select one document and pause it on its own; then resume the queue.
    await row(page, 's08-image-png.png').click();
    await page.getByText('1 selected').waitFor();
    await page
      .getByRole('toolbar', { name: 'Selected documents' })
      .getByRole('button', { name: 'Pause' })
      .click();
    await stateOf(page, 's08-image-png.png', 'paused').waitFor();
    await page.getByRole('radio', { name: 'Paused' }).click();
    await page.getByText('1 document', { exact: true }).waitFor();
    await page.getByRole('radio', { name: 'All' }).click();
    await page.screenshot({ path: join(screenshotDir, 'paused.png') });
    await page.getByRole('button', { name: '▶ Resume all' }).click();
    await stateOf(page, 'phototest.tif', 'done').waitFor({ timeout: OCR_TIMEOUT });
    expect(await stateOf(page, 's08-image-png.png', 'paused').count()).toBe(1);

    // Resume the paused one: it finishes too.
    await page
      .getByRole('toolbar', { name: 'Selected documents' })
      .getByRole('button', { name: 'Resume' })
      .click();
    await stateOf(page, 's08-image-png.png', 'done').waitFor({ timeout: OCR_TIMEOUT });

    // Ctrl-A selects every document of the filter.
    await row(page, 'phototest.tif').click();
    await page.keyboard.press('Control+a');
    await page.getByText('2 selected').waitFor();
  });

  it('uploads files picked in the browser into the inbox and queues them', async () => {
    served = await startServe([]);
    const page = await open(served);
    await page.getByLabel('Files to upload').setInputFiles(join(corpus, 'real/phototest.tif'));
    await page.getByText('Added 1 file.').waitFor();
    await page
      .locator('[role=row][data-state="done"]', { hasText: 'phototest.tif' })
      .waitFor({ timeout: OCR_TIMEOUT });
    expect(await page.locator('[role=row]', { hasText: join(served.dataDir, 'inbox') }).count()).toBe(1);
  });

  it('keeps the table virtualised: thousands of rows, a few in the DOM, ctrl-A selects all', async () => {
    const n = 3_000;
    served = await startServe([]);
    const src = join(corpus, 'synthetic/s08-image-png.png');
    for (let i = 0; i < n; i++)
      linkSync(src, join(served.inputDir, `scan-${String(i).padStart(4, '0')}.png`));
    const page = await open(served);
    await page.getByRole('button', { name: '❚❚ Pause all' }).click();
    await page.getByText('The queue is paused').waitFor();
    await addFolder(page, served.inputDir);
    await page.getByText(`${n.toLocaleString('en-US')} documents`).waitFor();
    await page.getByRole('columnheader', { name: 'Name' }).click();
    await row(page, 'scan-0000.png').waitFor();
    expect(await page.locator('.tbody [role=row]').count()).toBeLessThan(60);

    await page.locator('.tbody').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await row(page, 'scan-2999.png').waitFor();
    expect(await page.locator('.tbody [role=row]').count()).toBeLessThan(60);

    await row(page, 'scan-2999.png').click();
    await page.keyboard.press('Control+a');
    await page.getByText(`${n.toLocaleString('en-US')} selected`).waitFor();
    await page
      .getByRole('toolbar', { name: 'Selected documents' })
      .getByRole('button', { name: '↑ Priority' })
      .click();
    // A new order starts at the top again.
    await page.getByRole('columnheader', { name: 'Priority' }).click();
    await page.getByRole('columnheader', { name: 'Priority ▾' }).waitFor();
    expect(await page.locator('.tbody').evaluate((el) => el.scrollTop)).toBe(0);
    await row(page, 'scan-0000.png').waitFor();
    await page.screenshot({ path: join(screenshotDir, 'big-queue.png') });
  });

  it('refuses requests without the right token, and WebSockets from other origins', async () => {
    served = await startServe([]);
    expect((await fetch(`${served.origin}/`)).status).toBe(403);
    expect((await fetch(`${served.origin}/?token=wrong`)).status).toBe(403);
    expect((await fetch(`${served.origin}/assets/x.js`)).status).toBe(403);
    const ok = await fetch(served.url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<div id="root">');

    const { WebSocket } = await import('ws');
    const closeCode = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number | string>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('close', (code) => resolve(code));
        ws.on('error', (e) => resolve(e.message));
      });
    const wsBase = `${served.origin.replace('http', 'ws')}/api`;
    expect(await closeCode(wsBase)).toBe(4403);
    expect(await closeCode(`${wsBase}?token=nope`)).toBe(4403);
    expect(
      String(await closeCode(`${wsBase}?token=${served.token}`, { origin: 'http://evil.example' })),
    ).toMatch(/403/);

    // Uploads need the token and this server's origin too.
    expect((await fetch(`${served.origin}/upload?name=a.png`, { method: 'POST', body: 'x' })).status).toBe(
      403,
    );
    const crossSite = await fetch(`${served.origin}/upload?name=a.png&token=${served.token}`, {
      method: 'POST',
      body: 'x',
      headers: { origin: 'http://evil.example' },
    });
    expect(crossSite.status).toBe(403);

    // The token leaves the address bar once read; a reload still works (kept for this tab).
    const app = await open(served);
    expect(app.url()).not.toContain('token');
    await app.reload();
    await app.getByText('Connected').waitFor();
    await app.close();

    // The page opened without a token says what to do instead of showing an empty app.
    const page = await browser.newPage();
    const response = await page.goto(served.origin);
    expect(response?.status()).toBe(403);
    await page.getByText(/needs its access token/).waitFor();
    await page.close();
  });
});
