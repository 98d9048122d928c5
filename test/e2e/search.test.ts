/**
 * Search in the window, end to end: `bulk-ocr serve` OCRs two documents, then the search box finds
 * their pages as the user types, ↑/↓ move through the hits, Enter opens the page view at that
 * page with the matching words' boxes highlighted. Its screenshots (test-results/) are the ones in
 * docs/screenshots/ when run with BULK_OCR_SCREENSHOTS=docs (`npm run screenshots`).
 */
import { copyFileSync, mkdirSync, renameSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  repo,
  screenshotDir,
  startServe,
  startBrowser,
  type Served,
  answerOutputsQuestion,
} from './serve.ts';

const OCR_TIMEOUT = 120_000;
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
    mkdirSync(join(repo, 'docs/screenshots'), { recursive: true });
    copyFileSync(join(screenshotDir, `${name}.png`), join(repo, 'docs/screenshots', `${name}.png`));
  }
}

const stateOf = (page: Page, name: string, state: string) =>
  page.locator(`[role=row][data-state="${state}"]`, { hasText: name });

describe('searching from the window', () => {
  it('finds pages as you type, moves with ↑/↓, and opens a hit with its words highlighted', async () => {
    // The 30-page PDF keeps its own text layer ("Potato 0" … "Potato 29"): more hits than a page of results.
    served = await startServe(
      ['synthetic/s01-letter.pdf', 'synthetic/s11-mixed-3p.pdf', 'real/encrypted-aes256-ownerpw.pdf'],
      2,
    );
    // The minutes in a folder of their own and a year older than the letter, for the filters.
    const minutes = join(served.inputDir, 'minutes');
    mkdirSync(minutes);
    renameSync(join(served.inputDir, 's11-mixed-3p.pdf'), join(minutes, 's11-mixed-3p.pdf'));
    const day = (y: number, m: number, d: number): Date => new Date(y, m - 1, d, 12);
    utimesSync(join(served.inputDir, 's01-letter.pdf'), day(2024, 3, 15), day(2024, 3, 15));
    utimesSync(join(minutes, 's11-mixed-3p.pdf'), day(2023, 5, 2), day(2023, 5, 2));
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    await page.goto(served.url);
    await page.getByText('Connected').waitFor();
    await page.getByRole('button', { name: '+ Add folder…' }).click();
    await answerOutputsQuestion(page);
    await page.getByLabel('Folder or file path').fill(served.inputDir);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await stateOf(page, 's01-letter.pdf', 'done').waitFor({ timeout: OCR_TIMEOUT });
    await stateOf(page, 's11-mixed-3p.pdf', 'done').waitFor({ timeout: OCR_TIMEOUT });
    await stateOf(page, 'encrypted-aes256-ownerpw.pdf', 'done').waitFor({ timeout: OCR_TIMEOUT });

    // "committee" is on the letter (recognised) and on the minutes' three pages (two of them from
    // the PDF's own text layer): four hits, searched as the word is typed.
    const box = page.getByRole('combobox', { name: 'Search the text of every page' });
    await box.click();
    await box.pressSequentially('COMMITTEE', { delay: 20 });
    const options = page.getByRole('option');
    await page
      .getByRole('status')
      .filter({ hasText: '4 pages match, best first' })
      .waitFor({ timeout: 10_000 });
    expect(await options.count()).toBe(4);
    const names = await options.locator('.fulltext-where strong').allTextContents();
    expect(names.filter((n) => n === 's11-mixed-3p.pdf')).toHaveLength(3);
    expect(await options.locator('mark').first().textContent()).toMatch(/^committee$/i);

    // ↓ and ↑ move the active hit; the list says which one it is.
    await expect.poll(() => options.nth(0).getAttribute('aria-selected')).toBe('true');
    await box.press('ArrowDown');
    await box.press('ArrowDown');
    await expect.poll(() => options.nth(2).getAttribute('aria-selected')).toBe('true');
    await box.press('ArrowUp');
    await expect.poll(() => options.nth(1).getAttribute('aria-selected')).toBe('true');
    await shot(page, 'search-results');

    // The filters under the list narrow the same query: a folder (any depth), the files' dates.
    const summary = (text: string) =>
      page.getByRole('status').filter({ hasText: text }).waitFor({ timeout: 10_000 });
    const hitFiles = async () => [
      ...new Set(await options.locator('.fulltext-where strong').allTextContents()),
    ];
    const folder = page.getByLabel('Only files under this folder');
    await folder.fill(minutes);
    await summary('3 pages match, best first');
    expect(await hitFiles()).toEqual(['s11-mixed-3p.pdf']);
    await folder.fill('');
    await summary('4 pages match, best first');
    const from = page.getByLabel('Files dated from');
    const to = page.getByLabel('Files dated to');
    await from.fill('2024-01-01');
    await summary('1 page matches, best first');
    expect(await hitFiles()).toEqual(['s01-letter.pdf']);
    await from.fill('2023-05-02');
    await to.fill('2023-05-02');
    await summary('3 pages match, best first');
    expect(await hitFiles()).toEqual(['s11-mixed-3p.pdf']);
    await to.fill('2023-01-01');
    await summary('The dates are the wrong way round');
    await from.fill('');
    await to.fill('');
    await summary('4 pages match, best first');
    await box.focus();

    // Paged: 20 hits at a time, "More results" adds the rest, each page once.
    await box.fill('potato');
    await summary('30 pages match, best first');
    expect(await options.count()).toBe(20);
    await page.getByRole('button', { name: 'More results' }).click();
    await expect.poll(() => options.count()).toBe(30);
    const pageNos = (await options.locator('.fulltext-where span').allTextContents())
      .map((t) => /^page (\d+) of 30$/.exec(t)?.[1])
      .filter((n) => n !== undefined)
      .map(Number);
    expect(pageNos.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await page.getByRole('button', { name: 'More results' }).count()).toBe(0);

    // A phrase, and an accent that does not matter (Tesseract reads the letter's "François" as
    // "Francois"): the letter's page 1, opened with Enter.
    await box.fill('"temporary bridge" FRANÇOIS');
    await page
      .getByRole('status')
      .filter({ hasText: '1 page matches, best first' })
      .waitFor({ timeout: 10_000 });
    const hit = options.first();
    expect(await hit.locator('.fulltext-where strong').textContent()).toBe('s01-letter.pdf');
    expect(await hit.locator('mark').allTextContents()).toContain('temporary bridge');
    await box.press('Enter');
    const dialog = page.getByRole('dialog', { name: 's01-letter.pdf — page 1 of 1' });
    await dialog.waitFor();
    await dialog.locator('.page-canvas img').waitFor({ timeout: 60_000 });
    const highlighted = dialog.locator('[data-testid=word-box][data-hit=true]');
    await highlighted.first().waitFor();
    const labels = (
      await highlighted.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))
    ).map((l) => l.replace(/ \d+%$/, ''));
    // "temporary bridge" once, as a phrase (not "temporary permit"), and each François.
    const francois = labels.filter((l) => /^fran[cç]ois$/i.test(l));
    expect(francois.length).toBeGreaterThanOrEqual(1);
    expect(labels.filter((l) => !francois.includes(l)).sort()).toEqual(['bridge.', 'temporary']);
    expect(await dialog.locator('[data-testid=word-box]:not([data-hit])').count()).toBeGreaterThan(100);
    await dialog
      .getByRole('status')
      .filter({ hasText: `${labels.length} matching words highlighted` })
      .waitFor();
    const marked = await dialog.locator('.page-text mark').allTextContents();
    expect(marked.slice(0, 2)).toEqual(['temporary', 'bridge']);
    expect(marked.length).toBe(labels.length);
    await shot(page, 'search-page-view');

    // Escape closes the page; the hits are still there for the next one.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await box.press('Escape');
    await expect.poll(() => options.count()).toBe(0);

    // Enter pressed at once after typing (within the typing pause) opens a hit of what was typed,
    // never one of the query before it (the letter, still in the list a moment ago).
    await box.fill('potato');
    await box.press('Enter');
    const potatoPage = page.getByRole('dialog', { name: /^encrypted-aes256-ownerpw\.pdf — page \d+ of 30$/ });
    await potatoPage.waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');
    await potatoPage.waitFor({ state: 'detached' });

    // Nothing typed is an error: a query of syntax alone says what to do.
    await box.fill('NEAR( near');
    await page
      .getByRole('status')
      .filter({ hasText: /pages? match/ })
      .waitFor({ timeout: 10_000 });
    await box.fill('" ( * ; )');
    await page
      .getByRole('status')
      .filter({ hasText: 'Type a word to search for.' })
      .waitFor({ timeout: 10_000 });
    await box.fill('-bridge');
    await page.getByRole('status').filter({ hasText: 'Add a word to look for' }).waitFor({ timeout: 10_000 });
  });
});
