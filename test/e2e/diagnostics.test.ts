/**
 * "Export diagnostics" in the browser-served window: the button downloads a JSON report with the
 * versions, the queue, the recent error and the log's end, and no text of the documents.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Diagnostics } from '../../src/shared/api.ts';
import { corpus, startBrowser, startServe, type Served, answerOutputsQuestion } from './serve.ts';

let browser: Browser;
let served: Served | null = null;

beforeAll(async () => {
  browser = await startBrowser();
});
afterAll(async () => {
  await served?.stop();
  await browser?.close();
});

describe('Export diagnostics', () => {
  it('downloads a report with versions, counts, the failure and the log, without document text', async () => {
    served = await startServe(['bad/empty.pdf', 'synthetic/s08-image-png.png']);
    const page = await browser.newPage({ acceptDownloads: true });
    await page.goto(served.url);
    await page.getByText('Connected').waitFor();
    await page.getByRole('button', { name: '+ Add folder…' }).click();
    await answerOutputsQuestion(page);
    await page.getByLabel('Folder or file path').fill(served.inputDir);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page
      .locator('[role=row][data-state="done"]', { hasText: 's08-image-png.png' })
      .waitFor({ timeout: 120_000 });
    await page.locator('[role=row][data-state="failed"]', { hasText: 'empty.pdf' }).waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export diagnostics' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^bulk-ocr-diagnostics-.*\.json$/);
    const report = JSON.parse(readFileSync(await download.path(), 'utf8')) as Diagnostics;
    expect(report.versions.pdfjs).toMatch(/^\d+\./);
    expect(report.versions.tesseractCore).toMatch(/^\d+\./);
    expect(report.queue.documents).toMatchObject({ total: 2, done: 1, failed: 1 });
    expect(report.recentErrors.map((e) => [e.file, e.code])).toEqual([['empty.pdf', 'EMPTY_FILE']]);
    expect(report.log.tail.some((r) => r.event === 'page.done')).toBe(true);
    // No two neighbouring words of the page (its ground truth) are in the report.
    const words = readFileSync(join(corpus, 'synthetic/s08-image-png.gt.txt'), 'utf8').match(
      /[A-Za-z]{3,}/g,
    )!;
    const json = JSON.stringify(report);
    for (let i = 1; i < words.length; i++) expect(json).not.toContain(`${words[i - 1]} ${words[i]}`);
    await page.getByText(/Diagnostics saved/).waitFor();
  });
});
