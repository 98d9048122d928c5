/**
 * The window as a new user meets it, on the repository's own sample scans: add a folder, watch it
 * go through, look at a page. The pictures in docs/screenshots/ (the README's and the docs') are
 * taken here: `npm run screenshots` runs this file with BULK_OCR_SCREENSHOTS=docs and writes
 * them there; a plain test run writes them to test-results/ only, so running the suite never
 * changes a tracked file.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { repo, screenshotDir, startServe, type Served, startBrowser } from './serve.ts';

const OCR_TIMEOUT = 90_000;
const docsShots = join(repo, 'docs/screenshots');

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

/** A screenshot in test-results/, and in docs/screenshots/ when asked for. */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  if (process.env.BULK_OCR_SCREENSHOTS === 'docs') {
    mkdirSync(docsShots, { recursive: true });
    copyFileSync(join(screenshotDir, `${name}.png`), join(docsShots, `${name}.png`));
  }
}

/** The samples the README's demo reads, copied into the served data folder's input folder. */
function copySamples(s: Served): void {
  for (const f of readdirSync(join(repo, 'samples')))
    if (/\.(pdf|jpg|tif)$/.test(f)) copyFileSync(join(repo, 'samples', f), join(s.inputDir, f));
}

const stateOf = (page: Page, name: string, state: string) =>
  page.locator(`[role=row][data-state="${state}"]`, { hasText: name });

describe('the first hour in the window', () => {
  it('adds the sample folder, reads every page, and shows a page with its words', async () => {
    served = await startServe([], 2);
    copySamples(served);
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, reducedMotion: 'reduce' });
    await page.goto(served.url);
    await page.getByText('Connected').waitFor();

    // A fresh queue asks where outputs go before the first folder is added, rather than writing
    // next to the originals unasked; nothing is chosen for the user.
    await page.getByRole('button', { name: '+ Add folder…' }).click();
    const question = page.getByRole('dialog', { name: 'Where should the outputs go?' });
    await question.getByRole('button', { name: 'Continue' }).click();
    await question.getByRole('alert').getByText('Choose where the outputs go.').waitFor();
    await question.getByRole('radio', { name: /In a folder of their own/ }).check();
    const outDir = join(served.dataDir, 'Scans-OCR');
    await question.getByLabel('Output folder').fill(outDir);
    await shot(page, 'outputs-question');
    await question.getByRole('button', { name: 'Continue' }).click();
    await question.waitFor({ state: 'detached' });

    // The add form says where they go.
    await page
      .getByTestId('add-folder-outputs')
      .getByText(`Outputs go to ${outDir}, sub-folders mirrored.`)
      .waitFor();
    await page.getByLabel('Folder or file path').fill(served.inputDir);
    await shot(page, 'add-folder');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    for (const name of ['letter.pdf', 'minutes.pdf', 'notice.jpg', 'memo.tif'])
      await stateOf(page, name, 'done').waitFor({ timeout: OCR_TIMEOUT });
    // Outputs in the chosen folder; nothing written beside the originals.
    expect(readdirSync(outDir).sort()).toEqual(
      expect.arrayContaining(['letter.pdf', 'letter.txt', 'memo.pdf', 'minutes.pdf', 'notice.pdf']),
    );
    expect(readdirSync(served.inputDir).filter((f) => f.includes('.ocr.'))).toEqual([]);
    await page.getByTestId('stat-pages').getByText('5 / 5').waitFor();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await shot(page, 'main-window');

    await page.getByRole('row', { name: 'minutes.pdf' }).dblclick();
    const view = page.getByRole('dialog', { name: 'minutes.pdf — page 1 of 2' });
    await view.getByRole('img', { name: 'Page 1' }).waitFor({ timeout: OCR_TIMEOUT });
    expect(await view.getByTestId('word-box').count()).toBeGreaterThan(100);
    await view
      .getByText(/Treasurer/)
      .first()
      .waitFor();
    await shot(page, 'page-view');
    await page.keyboard.press('Escape');
    await view.waitFor({ state: 'detached' });

    // An output deleted since, the folder added again: written again from the stored results.
    const pagesRecognised = await page.getByTestId('stat-pages').textContent();
    rmSync(join(outDir, 'letter.txt'));
    await page.getByRole('button', { name: '+ Add folder…' }).click();
    await page.getByLabel('Folder or file path').fill(served.inputDir);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page
      .getByRole('status')
      .getByText(/Rebuilding 1 output that was missing, from the stored results \(no OCR again\)\./)
      .waitFor();
    await expect.poll(() => existsSync(join(outDir, 'letter.txt')), { timeout: OCR_TIMEOUT }).toBe(true);
    await stateOf(page, 'letter.pdf', 'done').waitFor();
    expect(await page.getByTestId('stat-pages').textContent(), 'no page read again').toBe(pagesRecognised);
  });

  it('remembers the answer: the next folder is added without the question, and Settings shows the choice', async () => {
    served = await startServe([], 1);
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, reducedMotion: 'reduce' });
    await page.goto(served.url);
    await page.getByText('Connected').waitFor();
    await page.getByRole('button', { name: '+ Add folder…' }).click();
    const question = page.getByRole('dialog', { name: 'Where should the outputs go?' });
    await question.getByRole('radio', { name: /Next to each file/ }).check();
    await question.getByRole('button', { name: 'Continue' }).click();
    await page
      .getByTestId('add-folder-outputs')
      .getByText('Outputs go next to each file, as NAME.ocr.pdf, NAME.ocr.txt.')
      .waitFor();

    await page.reload();
    await page.getByText('Connected').waitFor();
    await page.getByRole('button', { name: '+ Add folder…' }).click();
    await page.getByLabel('Folder or file path').waitFor();
    expect(await question.count(), 'asked once only').toBe(0);
    await page.getByTestId('add-folder-outputs').getByRole('button', { name: 'Change…' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    expect(await settings.getByRole('radio', { name: /Next to each file/ }).isChecked()).toBe(true);
  });
});
