/**
 * Editing a watched folder in the browser-served app, by keyboard: Edit opens the folder's options,
 * Escape leaves them, the engine's refusal shows beside the field it concerns, Save keeps the new
 * options (they survive a reload) and they are in effect at once: a file that arrives next is
 * written to the new output folder, one in a subfolder is no longer taken.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { corpus, screenshotDir, startServe, type Served, startBrowser } from './serve.ts';

let browser: Browser;
let served: Served;

beforeAll(async () => {
  browser = await startBrowser();
  served = await startServe([]);
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

/** The aria-label of the element that has the focus. */
const focused = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);

describe('editing a watched folder in the window', () => {
  it('changes its options with the keyboard; bad ones are refused beside their field; the new ones persist and apply at once', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    await page.goto(served.url);
    await page.getByText('Connected').waitFor();
    const firstOut = join(served.dataDir, 'ocr-first');
    const newOut = join(served.dataDir, 'ocr-new');

    await page.getByRole('button', { name: '+ Watch folder…' }).click();
    await page.getByLabel('Folder to watch').fill(served.inputDir);
    await page.getByLabel('Output folder').fill(firstOut);
    await page.getByRole('button', { name: 'Watch', exact: true }).click();
    const item = page.getByRole('listitem', { name: served.inputDir });
    await page.locator(`li.watch-item[data-state="watching"]`).waitFor();
    await item.getByText(`→ ${firstOut} · eng · with subfolders`).waitFor();

    // Edit, from the keyboard: the form opens on its first field; Escape leaves it as it was.
    const edit = page.getByRole('button', { name: `Edit ${served.inputDir}` });
    await edit.focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: `Edit ${served.inputDir}` });
    await form.waitFor();
    expect(await focused(page)).toBe('Output folder');
    expect(await form.getByLabel('Output folder').inputValue()).toBe(firstOut);
    expect(await form.getByLabel('Include subfolders').isChecked()).toBe(true);
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    expect(await focused(page)).toBe(`Edit ${served.inputDir}`);

    // The engine refuses an output folder that is a file: the reason is beside that field.
    await page.keyboard.press('Enter');
    await form.waitFor();
    const outField = form.getByLabel('Output folder');
    writeFileSync(join(served.dataDir, 'not-a-folder'), 'x');
    await outField.fill(join(served.dataDir, 'not-a-folder'));
    await page.keyboard.press('Enter'); // submits the form
    const outError = form.getByRole('alert');
    await outError.getByText(/^The output folder is a file, not a folder: .*not-a-folder\.$/).waitFor();
    expect(await outField.getAttribute('aria-invalid')).toBe('true');
    expect(await outField.getAttribute('aria-describedby')).toBe(await outError.getAttribute('id'));
    expect(await focused(page)).toBe('Output folder');
    // … and one that contains the watched folder (it would take nothing).
    await outField.fill(served.dataDir);
    await form.getByRole('button', { name: 'Save' }).click();
    await form
      .getByRole('alert')
      .getByText(/cannot be the watched folder or a folder that contains it/)
      .waitFor();
    await page.screenshot({ path: join(screenshotDir, 'watch-edit-refused.png') });

    // Good options: saved, shown, and the form hands the focus back.
    await outField.fill(newOut);
    await form.getByLabel('Include subfolders').uncheck();
    await form.getByLabel('Priority').selectOption('3');
    await form.getByLabel('Plain text').uncheck(); // searchable PDF only
    await outField.focus();
    await page.keyboard.press('Enter');
    await page.getByText(`Saved. ${served.inputDir} is watched with the new options now.`).waitFor();
    await form.waitFor({ state: 'detached' });
    expect(await focused(page)).toBe(`Edit ${served.inputDir}`);
    const newLine = `→ ${newOut} · eng · searchable PDF only · priority 3 · this folder only`;
    await item.getByText(newLine).waitFor();
    await page.locator(`li.watch-item[data-state="watching"]`).waitFor();

    // Kept by the engine: a reload shows them, and the form opens with them.
    await page.reload();
    await page.getByText('Connected').waitFor();
    await item.getByText(newLine).waitFor();
    await page.getByRole('button', { name: `Edit ${served.inputDir}` }).click();
    expect(await form.getByLabel('Output folder').inputValue()).toBe(newOut);
    expect(await form.getByLabel('Include subfolders').isChecked()).toBe(false);
    expect(await form.getByLabel('Plain text').isChecked()).toBe(false);
    await form.getByRole('button', { name: 'Cancel' }).click();

    // In effect, without a restart: a file in a subfolder is left alone, one at the top is
    // recognised into the new output folder, as a searchable PDF only.
    mkdirSync(join(served.inputDir, 'sub'));
    writeFileSync(join(served.inputDir, 'sub', 'deep.pdf'), '%PDF-1.4\n% deep\ntrailer <<>>\n%%EOF\n');
    copyFileSync(join(corpus, 'synthetic/s08-image-png.png'), join(served.inputDir, 'top.png'));
    await item.getByText(/1 ingested · 1 done/).waitFor({ timeout: 90_000 });
    expect(existsSync(join(newOut, 'top.pdf'))).toBe(true);
    expect(existsSync(join(newOut, 'top.txt'))).toBe(false);
    expect(existsSync(join(firstOut, 'top.pdf'))).toBe(false);
    await item.getByRole('button', { name: /Rescan/ }).click();
    await item.getByText(/^1 ingested · 1 done$/).waitFor();
    expect(await page.getByRole('row', { name: /deep\.pdf/ }).count()).toBe(0);
    await page.screenshot({ path: join(screenshotDir, 'watch-edited.png') });
    await page.close();
  });
});
