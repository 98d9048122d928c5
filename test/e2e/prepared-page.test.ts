/**
 * The page view's "What Tesseract read", end to end in Chromium: a phone photo of a letter is
 * recognised by `bulk-ocr serve`; its page view shows the photo and, on the toggle, the page as it
 * was prepared for recognition beside it (cut out, flattened), with the steps that ran; the choice
 * stays on while flipping pages and goes away on a second click.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import { answerOutputsQuestion, screenshotDir, startServe, startBrowser, type Served } from './serve.ts';

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

/** The picture's decoded size in the browser (0 × 0 when it failed to load). */
const naturalSize = (img: Locator) =>
  img.evaluate((i: HTMLImageElement) => (i.complete ? [i.naturalWidth, i.naturalHeight] : [0, 0]));

describe('the page view beside what Tesseract read', () => {
  it('shows a phone photo and the flattened page recognised from it, with the steps', async () => {
    served = await startServe(['photo/c01-phone-letter.jpg']);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, reducedMotion: 'reduce' });
    await page.goto(served.url);
    await page.getByText('Connected').waitFor();
    await page.getByRole('button', { name: '+ Add folder…' }).click();
    await answerOutputsQuestion(page);
    await page.getByLabel('Folder or file path').fill(served.inputDir);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const done = page.locator('[role=row][data-state="done"]', { hasText: 'c01-phone-letter.jpg' });
    await done.waitFor({ timeout: OCR_TIMEOUT });
    await done.dblclick();

    const view = page.getByRole('dialog', { name: 'c01-phone-letter.jpg — page 1 of 1' });
    const original = view.getByRole('img', { name: 'Page 1', exact: true });
    await original.waitFor({ timeout: OCR_TIMEOUT });
    await view.getByTestId('word-box').first().waitFor();
    const toggle = view.getByRole('button', { name: 'What Tesseract read' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');

    const prepared = view.getByRole('img', { name: 'Page 1 as prepared for recognition' });
    await prepared.waitFor({ timeout: OCR_TIMEOUT });
    // Both pictures are there and decoded, side by side.
    const [ow, oh] = await naturalSize(original);
    const [pw, ph] = await naturalSize(prepared);
    expect(ow * oh).toBeGreaterThan(0);
    expect(pw * ph).toBeGreaterThan(0);
    const a = (await original.boundingBox())!;
    const b = (await prepared.boundingBox())!;
    expect(b.x, 'the prepared page is to the right of the original').toBeGreaterThanOrEqual(a.x + a.width);
    expect(Math.abs(b.y - a.y)).toBeLessThan(a.height / 4);
    // The steps say what was done to the photo.
    const steps = view.getByRole('list', { name: 'Preparation steps' });
    await steps.getByText(/^Photo.*perspective undone, light flattened$/).waitFor();
    await steps.getByText(/Tesseract told \d+ DPI/).waitFor();
    // The boxes are still on the original.
    expect(await view.getByTestId('word-box').count()).toBeGreaterThan(50);
    await page.screenshot({ path: join(screenshotDir, 'page-view-prepared.png') });

    // Closed and opened again, the choice is kept; a second click hides the prepared page.
    await view.getByRole('button', { name: 'Close' }).click();
    await done.dblclick();
    await prepared.waitFor({ timeout: OCR_TIMEOUT });
    await toggle.click();
    await prepared.waitFor({ state: 'detached' });
    await original.waitFor();
  });
});
