/**
 * E2E fixtures: a `bulk-ocr serve` child process with its own data folder, and Debian's Chromium
 * driven by playwright-core. Builds the renderer once if `out/renderer` is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const repo = resolve(import.meta.dirname, '../..');
export const corpus = resolve(repo, '../shared/corpus');
const node = process.execPath;

/** Newest modification time of the files under `dir` (0 when it does not exist). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  return t;
}

/**
 * Builds the renderer (electron-vite) when it is missing or older than its sources, so `npm test`
 * works on a fresh clone and never tests a stale build.
 */
export function ensureRendererBuilt(): void {
  const built = join(repo, 'out/renderer/index.html');
  const sources = Math.max(newest(join(repo, 'src/renderer')), newest(join(repo, 'src/shared')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const r = spawnSync(node, [join(repo, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: repo,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('electron-vite build failed');
}

export interface Served {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  /** A folder with copies of the given corpus files, for "Add folder…". */
  inputDir: string;
  stop(): Promise<void>;
}

/** Starts `bulk-ocr serve --port 0` on a fresh data folder and waits for its URL. */
export async function startServe(files: string[], jobs = 1): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bulk-ocr-e2e-'));
  const inputDir = join(dataDir, 'scans');
  mkdirSync(inputDir);
  for (const f of files) copyFileSync(join(corpus, f), join(inputDir, basename(f)));
  const child: ChildProcess = spawn(
    node,
    [
      join(repo, 'bin/bulk-ocr.js'),
      'serve',
      '--port',
      '0',
      '--jobs',
      String(jobs),
      '--db',
      join(dataDir, 'queue.db'),
    ],
    { cwd: repo, env: { ...process.env, BULK_OCR_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((ok, fail) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /http:\/\/\S+\?token=\S+/.exec(output);
      if (m) ok(m[0]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => fail(new Error(`serve exited (${code}):\n${output}`)));
  });
  const u = new URL(url);
  return {
    url,
    origin: u.origin,
    token: u.searchParams.get('token') ?? '',
    dataDir,
    inputDir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const screenshotDir = join(repo, 'test-results');

/** What every browser test file starts with: the renderer built, a screenshot folder, a Chromium. */
export async function startBrowser(): Promise<Browser> {
  ensureRendererBuilt();
  mkdirSync(screenshotDir, { recursive: true });
  return launchChromium();
}

/**
 * The first-run question a fresh queue asks at the first "Add folder…" ("Where should the outputs
 * go?"), answered "Next to each file", where the tests' outputs always went.
 */
export async function answerOutputsQuestion(page: Page): Promise<void> {
  const question = page.getByRole('dialog', { name: 'Where should the outputs go?' });
  await question.getByRole('radio', { name: /Next to each file/ }).check();
  await question.getByRole('button', { name: 'Continue' }).click();
  await question.waitFor({ state: 'detached' });
}
