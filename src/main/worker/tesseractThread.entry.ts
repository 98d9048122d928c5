/**
 * The thread tesseract.js runs its WASM core in (its `workerPath`). It is tesseract.js's own Node
 * worker script with two adapter functions replaced:
 *
 * - `getCore` loads the core named by the `corePath` option. Upstream ignores `corePath` in Node
 *   and, through a boolean-vs-OEM comparison, always loads the full legacy+LSTM core; we pick the
 *   LSTM-only SIMD build, which starts in half the time (docs/engine-choice.md).
 * - `readCache` reads language models from the @tesseract.js-data package layout: tesseract.js
 *   asks for `<langPath>/<code>.traineddata.gz`; with `langPath = <root>/<variant>` (see
 *   recognize.ts) that becomes `<root>/<code>/<variant>/<code>.traineddata.gz`. This is how
 *   several languages from different package folders load offline: tesseract.js's
 *   `{ code, data }` language objects are broken for initialisation (it joins `data`, not `code`).
 *
 * `fetch` always fails: nothing is downloaded at run time.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);

interface WorkerScript {
  dispatchHandlers(packet: unknown, send: (message: unknown) => void): void;
  setAdapter(adapter: Record<string, unknown>): void;
}

const script = require('tesseract.js/src/worker-script/index.js') as WorkerScript;
const gunzip = require('tesseract.js/src/worker-script/node/gunzip.js') as (data: Uint8Array) => Uint8Array;
const upstreamGetCore = require('tesseract.js/src/worker-script/node/getCore.js') as (
  ...args: unknown[]
) => Promise<unknown>;

let core: unknown = null;

async function getCore(lstmOnly: boolean, corePath: string | undefined, res: unknown): Promise<unknown> {
  if (core) return core;
  core = corePath ? (require(corePath) as unknown) : await upstreamGetCore(lstmOnly, corePath, res);
  return core;
}

/** Maps `<root>/<variant>/<code>.traineddata(.gz)` to the package layout when the flat file does not exist. */
async function readCache(file: string): Promise<Uint8Array> {
  if (!existsSync(file)) {
    const name = path.basename(file);
    const code = name.replace(/\.traineddata(\.gz)?$/, '');
    const variantDir = path.dirname(file);
    const mapped = path.join(path.dirname(variantDir), code, path.basename(variantDir), name);
    if (existsSync(mapped)) return readFile(mapped);
    throw new Error(`language data for "${code}" not found (looked for ${mapped})`);
  }
  return readFile(file);
}

const port = parentPort;
if (!port) throw new Error('tesseractThread.entry.ts must run in a worker thread');

port.on('message', (packet) => {
  script.dispatchHandlers(packet, (message) => port.postMessage(message));
});

script.setAdapter({
  getCore,
  gunzip,
  fetch: (url: string) =>
    Promise.reject(new Error(`refusing to download ${url}: language data is read from local packages only`)),
  readCache,
  writeCache: () => Promise.resolve(),
  deleteCache: () => Promise.resolve(),
  checkCache: () => Promise.resolve(false),
});
