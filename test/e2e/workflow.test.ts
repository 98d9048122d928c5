/**
 * The day's work in the browser-served app: a corpus folder goes in, is recognised, and is exported
 * through the export dialog into files with the expected text; the page view shows the words boxed;
 * settings are kept by the engine. Screenshots of each window go to test-results/ (git-ignored).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
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
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  await page.goto(s.url);
  await page.getByText('Connected').waitFor();
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `${name}.png`) });
const row = (page: Page, name: string) => page.getByRole('row', { name });
const stateOf = (page: Page, name: string, state: string) =>
  page.locator(`[role=row][data-state="${state}"]`, { hasText: name });

/** A corpus folder with a sub-folder (to see the structure mirrored) and a file that cannot be read. */
async function recognisedCorpus(): Promise<{ page: Page; served: Served }> {
  const s = await startServe(['synthetic/s08-image-png.png', 'bad/empty.pdf']);
  served = s;
  mkdirSync(join(s.inputDir, 'letters'));
  copyFileSync(join(corpus, 'real/phototest.tif'), join(s.inputDir, 'letters/phototest.tif'));
  const page = await open(s);
  await page.getByRole('button', { name: '+ Add folder…' }).click();
  await answerOutputsQuestion(page);
  await page.getByLabel('Folder or file path').fill(s.inputDir);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  for (const name of ['phototest.tif', 's08-image-png.png', 'empty.pdf']) await row(page, name).waitFor();
  await stateOf(page, 'phototest.tif', 'done').waitFor({ timeout: OCR_TIMEOUT });
  await stateOf(page, 's08-image-png.png', 'done').waitFor({ timeout: OCR_TIMEOUT });
  await page.getByTestId('stat-docs').getByText('3 / 3').waitFor();
  return { page, served: s };
}

describe('the desktop window, served to a browser', () => {
  it('exports what is done through the export dialog: the files exist and hold the recognised text', async () => {
    const { page, served: s } = await recognisedCorpus();
    // The review panel has the unreadable file with its reason and its location (copied in a browser).
    const review = page.getByRole('complementary', { name: 'Review' });
    const failure = review.getByRole('listitem', { name: 'empty.pdf' });
    await failure.getByTitle('Reason code: EMPTY_FILE').waitFor();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await shot(page, 'main');
    await failure.getByRole('button', { name: 'Copy path' }).click();
    await page
      .getByText(`${join(s.inputDir, 'empty.pdf')}`)
      .first()
      .waitFor();

    // Export everything done into a folder of its own.
    const out = join(s.dataDir, 'export');
    await page.getByRole('button', { name: '⤓ Export done…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export all done documents (2)' });
    await dialog.getByRole('radio', { name: /Into a folder/ }).check();
    await dialog.getByLabel('Export folder').fill(out);
    await shot(page, 'export-dialog');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await dialog.getByText('Done: 2 exported.').waitFor({ timeout: OCR_TIMEOUT });
    await dialog
      .getByRole('listitem', { name: 'phototest.tif' })
      .getByText(join(out, 'letters/phototest.txt'))
      .waitFor();
    await shot(page, 'export-result');
    expect(readFileSync(join(out, 'letters/phototest.txt'), 'utf8')).toMatch(/lot of 12 point text/);
    expect(readFileSync(join(out, 'letters/phototest.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(join(out, 's08-image-png.txt'), 'utf8')).toMatch(/Samuel Blackwood/);
    await dialog.getByRole('button', { name: 'Done' }).click();

    // The selection's own export: next to the source, where the queue already wrote: skipped…
    await row(page, 's08-image-png.png').click();
    await page
      .getByRole('toolbar', { name: 'Selected documents' })
      .getByRole('button', { name: '⤓ Export…' })
      .click();
    const one = page.getByRole('dialog', { name: 'Export 1 document' });
    await one.getByRole('button', { name: 'Export', exact: true }).click();
    await one
      .getByText('Done: 0 exported, 1 skipped (files already there).')
      .waitFor({ timeout: OCR_TIMEOUT });
    await one.getByRole('button', { name: 'Done' }).click();
    // …or kept beside it with a number.
    await page
      .getByRole('toolbar', { name: 'Selected documents' })
      .getByRole('button', { name: '⤓ Export…' })
      .click();
    await one.getByRole('radio', { name: /Keep both/ }).check();
    await one.getByRole('checkbox', { name: /Searchable PDF/ }).uncheck();
    await one.getByRole('checkbox', { name: /ALTO XML \(\.alto\.xml\)/ }).check();
    await one.getByRole('checkbox', { name: /hOCR \(\.hocr\)/ }).check();
    await one.getByRole('button', { name: 'Export', exact: true }).click();
    await one.getByText('Done: 1 exported.').waitFor({ timeout: OCR_TIMEOUT });
    expect(readFileSync(join(s.inputDir, 's08-image-png.ocr (1).txt'), 'utf8')).toMatch(/Samuel Blackwood/);
    expect(existsSync(join(s.inputDir, 's08-image-png.ocr (1).pdf'))).toBe(false);
    expect(readFileSync(join(s.inputDir, 's08-image-png.ocr (1).alto.xml'), 'utf8')).toMatch(
      /<String ID="p1_b\d+_l\d+_w\d+" CONTENT="Blackwood" HPOS="\d+"/,
    );
    expect(readFileSync(join(s.inputDir, 's08-image-png.ocr (1).hocr'), 'utf8')).toMatch(
      /class="ocrx_word"[^>]*title="bbox \d+ \d+ \d+ \d+; x_wconf \d+">Blackwood</,
    );
    await one.getByRole('button', { name: 'Done' }).click();

    // An export that fails says why under "Needs attention", and can be retried once fixed.
    const source = join(s.inputDir, 'letters/phototest.tif');
    renameSync(source, `${source}.moved`);
    await row(page, 'phototest.tif').click();
    await page
      .getByRole('toolbar', { name: 'Selected documents' })
      .getByRole('button', { name: '⤓ Export…' })
      .click();
    await one.getByRole('radio', { name: /Replace it/ }).check();
    await one.getByRole('button', { name: 'Export', exact: true }).click();
    await one.getByText('Done: 0 exported, 1 failed.').waitFor({ timeout: OCR_TIMEOUT });
    await one
      .getByRole('listitem', { name: 'phototest.tif' })
      .getByText(/no longer exists/)
      .waitFor();
    await one.getByRole('button', { name: 'Done' }).click();
    const failedExport = review.getByRole('listitem', { name: 'export of phototest.tif' });
    await failedExport.getByTitle('Reason code: NOT_FOUND').waitFor();
    await review.screenshot({ path: join(screenshotDir, 'review.png') });
    renameSync(`${source}.moved`, source);
    await failedExport.getByRole('button', { name: '↻ Retry export' }).click();
    await failedExport.waitFor({ state: 'detached', timeout: OCR_TIMEOUT });
    expect(readFileSync(join(s.inputDir, 'letters/phototest.ocr.pdf')).subarray(0, 5).toString()).toBe(
      '%PDF-',
    );
  });

  it('shows a page with its words boxed by confidence, and a word’s confidence on click', async () => {
    const { page, served: s } = await recognisedCorpus();
    await row(page, 'phototest.tif').click();
    await shot(page, 'selection');
    // A small window (the desktop app's minimum is 640 × 420) still shows everything, wrapped.
    await page.setViewportSize({ width: 760, height: 560 });
    await shot(page, 'main-small');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page
      .getByRole('toolbar', { name: 'Selected documents' })
      .getByRole('button', { name: 'View pages' })
      .click();
    const view = page.getByRole('dialog', { name: 'phototest.tif — page 1 of 1' });
    await view.getByRole('img', { name: 'Page 1' }).waitFor({ timeout: OCR_TIMEOUT });
    expect(await view.getByRole('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(
      300,
    );
    const boxes = view.getByTestId('word-box');
    expect(await boxes.count()).toBeGreaterThan(40);
    // Boxes sit on the page: inside the picture's frame.
    const frame = (await view.locator('.page-canvas').boundingBox())!;
    const first = (await boxes.first().boundingBox())!;
    expect(first.x).toBeGreaterThanOrEqual(frame.x);
    expect(first.y + first.height).toBeLessThanOrEqual(frame.y + frame.height);
    await view
      .getByRole('button', { name: /^This \d+%$/ })
      .first()
      .click();
    await view
      .getByRole('status')
      .getByText(/confidence \d+%/)
      .waitFor();
    await view.getByRole('status').getByText('This', { exact: true }).waitFor();
    await view.getByText(/lot of 12 point text/).waitFor();
    await shot(page, 'page-view');

    // The picture comes over HTTP only with the token.
    const bare = await fetch(`${s.origin}/page-image?doc=1&page=1`);
    expect(bare.status).toBe(403);
    await view.getByRole('button', { name: 'Close' }).click();
    // A double-click on a row opens the same view.
    await row(page, 's08-image-png.png').dblclick();
    await page
      .getByRole('dialog', { name: 's08-image-png.png — page 1 of 1' })
      .getByTestId('word-box')
      .first()
      .waitFor();
  });

  it('keeps settings in the engine: languages, workers (applied at once), output defaults', async () => {
    served = await startServe([]);
    const page = await open(served);
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('checkbox', { name: /German/ }).waitFor();
    // Which Tesseract recognises, in words: the native library where the addon was built.
    expect(await dialog.getByLabel('Recognition engine').textContent()).toMatch(
      /^native libtesseract 5\.\d+|^WebAssembly Tesseract/,
    );
    await shot(page, 'settings');
    await dialog.getByRole('checkbox', { name: /German/ }).check();
    await dialog.getByRole('checkbox', { name: /One per core/ }).uncheck();
    await dialog.getByLabel('Number of workers').fill('2');
    await dialog.getByLabel('Resolution (DPI)').selectOption('200');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved. Workers: 2, in effect now.').waitFor();
    await page.getByTestId('stat-workers').getByText('/ 2').waitFor();

    await page.reload();
    await page.getByText('Connected').waitFor();
    await page.getByRole('button', { name: 'Settings' }).click();
    const again = page.getByRole('dialog', { name: 'Settings' });
    expect(await again.getByRole('checkbox', { name: /German/ }).isChecked()).toBe(true);
    expect(await again.getByLabel('Number of workers').inputValue()).toBe('2');
    expect(await again.getByLabel('Resolution (DPI)').inputValue()).toBe('200');
    // An unusable value is refused with a reason, nothing is saved.
    await again.getByRole('radio', { name: /In a folder/ }).check();
    await again.getByLabel('Output folder').fill('relative/out');
    await again.getByRole('button', { name: 'Save' }).click();
    await again.getByRole('alert').getByText('The output folder must be a full path.').waitFor();
  });

  it('has a page limit: a bad value gets its reason; a saved one refuses a longer document at once', async () => {
    served = await startServe(['synthetic/s02-report-5p.pdf']);
    const page = await open(served);
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    const limit = dialog.getByLabel('Most pages per document');
    expect(await limit.inputValue()).toBe('10000');
    await limit.fill('0');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog
      .getByRole('alert')
      .getByText('The page limit must be a whole number of pages from 1 to 1,000,000.')
      .waitFor();
    await limit.fill('4');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();

    // In effect without a restart: the five-page report is refused, with the limit in its reason.
    await page.getByRole('button', { name: '+ Add folder…' }).click();
    await answerOutputsQuestion(page);
    await page.getByLabel('Folder or file path').fill(served.inputDir);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await stateOf(page, 's02-report-5p.pdf', 'failed').waitFor({ timeout: OCR_TIMEOUT });
    await page
      .getByRole('complementary', { name: 'Review' })
      .getByRole('listitem', { name: 's02-report-5p.pdf' })
      .getByText(/5 pages; the limit is 4 pages per document/)
      .waitFor();

    await page.reload();
    await page.getByText('Connected').waitFor();
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    expect(await settings.getByLabel('Most pages per document').inputValue()).toBe('4');

    // The image limit beside it: 150 megapixels unless changed; a bad value gets its reason.
    const images = settings.getByLabel('Largest image in megapixels');
    expect(await images.inputValue()).toBe('150');
    await images.fill('0');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings
      .getByRole('alert')
      .getByText('The image limit must be a whole number of megapixels from 1 to 10,000.')
      .waitFor();
  });
});
