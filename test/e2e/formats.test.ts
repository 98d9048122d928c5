/**
 * ALTO and hOCR chosen in the window (issue 17, part 2): a watched folder's own formats (its form),
 * and the default for added folders (Settings). Each writes NAME.alto.xml and NAME.hocr beside the
 * other outputs, read back as a digitisation platform would: the ALTO valid against the ALTO 4.4
 * schema (xmllint, offline), the hOCR with the page's image and words with boxes and confidence.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { corpus, startServe, startBrowser, type Served } from './serve.ts';

const OCR_TIMEOUT = 120_000;
const SCHEMA = join(corpus, '../schemas/alto-4-4.xsd');
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

/** The ALTO validates against the 4.4 schema and names its source; the hOCR has words with boxes. */
function checkStructured(stem: string, source: string, word: RegExp): void {
  const alto = `${stem}.alto.xml`;
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', SCHEMA, alto], { encoding: 'utf8' });
  expect(r.stderr).toContain('validates');
  expect(r.status).toBe(0);
  const altoText = readFileSync(alto, 'utf8');
  expect(altoText).toContain(`<fileName>${source}</fileName>`);
  expect(altoText).toMatch(new RegExp(`<String ID="p1_b\\d+_l\\d+_w\\d+" CONTENT="${word.source}" HPOS=`));
  const hocr = readFileSync(`${stem}.hocr`, 'utf8');
  expect(hocr).toContain(`title="image &quot;${source}&quot;; bbox 0 0 `);
  expect(hocr).toMatch(
    new RegExp(
      `<span class="ocrx_word" id="word_1_\\d+_\\d+_\\d+" title="bbox \\d+ \\d+ \\d+ \\d+; x_wconf \\d+">${word.source}</span>`,
    ),
  );
}

describe('ALTO and hOCR from the window', () => {
  it("a watched folder's form and Settings choose them; each writes NAME.alto.xml and NAME.hocr", async () => {
    served = await startServe([], 1);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    await page.goto(served.url);
    await page.getByText('Connected').waitFor();

    // A watched folder with ALTO and hOCR instead of plain text (Settings still say txt + pdf).
    const watched = join(served.dataDir, 'inbox');
    const watchOut = join(served.dataDir, 'watch-out');
    mkdirSync(watched);
    await page.getByRole('button', { name: '+ Watch folder…' }).click();
    const form = page.getByRole('form', { name: 'Watch a folder' });
    await form.getByLabel('Folder to watch').fill(watched);
    await form.getByLabel('Output folder').fill(watchOut);
    expect(await form.getByLabel('ALTO XML').isChecked()).toBe(false);
    await form.getByLabel('Plain text').uncheck();
    await form.getByLabel('ALTO XML').check();
    await form.getByLabel('hOCR').check();
    await form.getByRole('button', { name: 'Watch', exact: true }).click();
    const item = page.getByRole('listitem', { name: watched });
    await page.locator(`li.watch-item[data-state="watching"]`).waitFor();
    copyFileSync(join(corpus, 'real/phototest.tif'), join(watched, 'phototest.tif'));
    await item.getByText(/1 ingested · 1 done/).waitFor({ timeout: OCR_TIMEOUT });
    checkStructured(join(watchOut, 'phototest'), 'phototest.tif', /quick/);
    expect(existsSync(join(watchOut, 'phototest.pdf'))).toBe(true);
    expect(existsSync(join(watchOut, 'phototest.txt'))).toBe(false);

    // Settings: the default for added folders, in a folder of outputs.
    const addOut = join(served.dataDir, 'out');
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByRole('checkbox', { name: 'ALTO XML' }).check();
    await settings.getByRole('checkbox', { name: 'hOCR' }).check();
    await settings.getByRole('radio', { name: /In a folder/ }).check();
    await settings.getByLabel('Output folder').fill(addOut);
    await settings.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Settings saved\./).waitFor();
    copyFileSync(join(corpus, 'synthetic/s08-image-png.png'), join(served.inputDir, 's08-image-png.png'));
    await page.getByRole('button', { name: '+ Add folder…' }).click();
    await page.getByLabel('Folder or file path').fill(served.inputDir);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page
      .locator('[role=row][data-state="done"]', { hasText: 's08-image-png.png' })
      .waitFor({ timeout: OCR_TIMEOUT });
    checkStructured(join(addOut, 's08-image-png'), 's08-image-png.png', /Blackwood/);
    expect(readFileSync(join(addOut, 's08-image-png.txt'), 'utf8')).toMatch(/Samuel Blackwood/);
  });
});
