/**
 * The native Tesseract backend: the system's libtesseract 5 through our Node-API addon
 * (native/tesseract_addon.cc, built by scripts/build-native.js when libtesseract-dev is installed).
 * Same models as the WASM build (the @tesseract.js-data packs, un-gzipped once into a cache), fed
 * the raster's own pixels, recognising on a libuv thread. docs/engine-choice.md has the numbers
 * that made it the default where it is available.
 */
import { createRequire } from 'node:module';
import {
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  closeSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Word } from '../../shared/model.ts';
import type { RasterImage } from './ocrTypes.ts';
import { trainedDataPath, type ModelVariant } from './languages.ts';

/** An open TessBaseAPI inside the addon (opaque to JS). */
interface NativeEngine {
  readonly __brand: 'NativeEngine';
}

/** One page as the addon reads it: the text as Tesseract writes it, and its words side by side. */
export interface NativeResult {
  text: string;
  wordTexts: string[];
  /** left, top, right, bottom of each word, in page pixels. */
  wordBoxes: Int32Array;
  /** 0–100 per word. */
  wordConfidences: Float64Array;
  meanConfidence: number;
}

interface Addon {
  /** The addon's JS surface; `ADDON_INTERFACE` in native/tesseract_addon.cc. */
  interface?: number;
  version(): string;
  open(datapath: string, languages: string): NativeEngine;
  setVariable(engine: NativeEngine, name: string, value: string): boolean;
  recognize(
    engine: NativeEngine,
    pixels: Uint8Array,
    width: number,
    height: number,
    bytesPerPixel: number,
    bytesPerLine: number,
    dpi: number,
  ): Promise<NativeResult>;
  close(engine: NativeEngine): void;
}

const ADDON_FILE = path.join('native', 'build', 'bulk_ocr_tesseract.node');

/** Where the addon can be: the source tree (CLI, tests), or next to a bundle / a packaged app. */
function addonCandidates(): string[] {
  const candidates: string[] = [];
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    candidates.push(path.join(dir, ADDON_FILE));
    dir = path.dirname(dir);
  }
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) candidates.push(path.join(resources, 'app.asar.unpacked', ADDON_FILE));
  return candidates;
}

let loaded: { addon: Addon } | { reason: string } | null = null;

/** The addon, or why it cannot be used here. Loaded once per process. */
export function loadNativeAddon(): { addon: Addon } | { reason: string } {
  if (loaded) return loaded;
  const file = addonCandidates().find((candidate) => existsSync(candidate));
  if (!file) {
    loaded = {
      reason:
        'the native addon is not built: install libtesseract-dev, pkg-config and a C++ compiler, then run npm run build:native',
    };
    return loaded;
  }
  // Debian's libtesseract uses OpenMP; unbounded, its threads make each page ~4x slower on a busy
  // machine where every core already runs a worker. Read by libgomp when the library loads.
  process.env.OMP_THREAD_LIMIT ??= '1';
  try {
    const addon = createRequire(import.meta.url)(file) as Addon;
    const problem = addonProblem(addon);
    loaded = problem ? { reason: problem } : { addon };
  } catch (error) {
    loaded = {
      reason: `the native addon does not load: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  return loaded;
}

/** The interface this code speaks to; see ADDON_INTERFACE in native/tesseract_addon.cc. */
const ADDON_INTERFACE = 2;

/** Why a loaded addon cannot be used, or null: built from other sources, or not Tesseract 5. */
export function addonProblem(addon: Pick<Addon, 'interface' | 'version'>): string | null {
  if (addon.interface !== ADDON_INTERFACE) {
    return 'the native addon was built from older sources: run npm run build:native (or npm ci)';
  }
  const version = addon.version();
  return /^5\./.test(version) ? null : `libtesseract ${version} is not version 5`;
}

/** The folder the un-gzipped models go to: the user's cache (XDG), one folder per model variant. */
export function modelCacheDir(variant: ModelVariant, env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.BULK_OCR_MODEL_CACHE ??
    path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'bulk-ocr', 'models');
  return path.join(base, variant);
}

/** The uncompressed size a gzip file declares in its last four bytes (modulo 4 GiB). */
function gzipDeclaredSize(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const tail = Buffer.alloc(4);
    readSync(fd, tail, 0, 4, statSync(file).size - 4);
    return tail.readUInt32LE(0);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes `<cache>/<code>.traineddata` exist for each language (libtesseract reads uncompressed
 * models by path) and returns the cache folder. A file of the wrong size (an older pack, a torn
 * copy) is replaced; writes are atomic, so workers starting together cannot see half a model.
 */
export function ensureModels(
  languages: readonly string[],
  variant: ModelVariant,
  cacheDir = modelCacheDir(variant),
): string {
  mkdirSync(cacheDir, { recursive: true });
  for (const code of languages) {
    const packed = trainedDataPath(code, variant);
    const unpacked = path.join(cacheDir, `${code}.traineddata`);
    const expected = gzipDeclaredSize(packed);
    if (existsSync(unpacked) && statSync(unpacked).size % 2 ** 32 === expected) continue;
    const temporary = `${unpacked}.${process.pid}.tmp`;
    writeFileSync(temporary, gunzipSync(readFileSync(packed)));
    renameSync(temporary, unpacked);
  }
  return cacheDir;
}

/** One warm native engine, as the worker's recognizer uses it. */
export interface NativeTesseract {
  readonly version: string;
  recognize(image: RasterImage): Promise<{ text: string; words: Word[]; meanConfidence: number }>;
  close(): void;
}

/**
 * Opens libtesseract with `languages` (`eng+fra`: the first one first) and the given parameters.
 * Throws with the reason when the addon or the models cannot be loaded.
 */
export function openNativeTesseract(
  languages: readonly string[],
  variant: ModelVariant,
  parameters: Record<string, string>,
): NativeTesseract {
  const state = loadNativeAddon();
  if ('reason' in state) throw new Error(state.reason);
  const { addon } = state;
  const datapath = ensureModels(languages, variant);
  const engine = addon.open(datapath, languages.join('+'));
  for (const [name, value] of Object.entries(parameters)) {
    if (!addon.setVariable(engine, name, value)) throw new Error(`Tesseract has no parameter ${name}`);
  }
  return {
    version: addon.version(),
    async recognize(image) {
      const dpi = image.dpi >= 70 && image.dpi <= 2400 ? Math.round(image.dpi) : 0;
      const result =
        image.kind === 'encoded'
          ? await addon.recognize(engine, image.bytes, 0, 0, 0, 0, dpi)
          : await addon.recognize(
              engine,
              image.data,
              image.width,
              image.height,
              image.channels,
              image.width * image.channels,
              dpi,
            );
      return {
        text: result.text.replace(/\s+$/, ''),
        words: wordsOf(result),
        meanConfidence: result.meanConfidence,
      };
    },
    close() {
      addon.close(engine);
    },
  };
}

/** The addon's words as `Word`s; blank ones (Tesseract keeps some) are left out. */
export function wordsOf(result: NativeResult): Word[] {
  const { wordTexts, wordBoxes, wordConfidences } = result;
  const words: Word[] = [];
  for (let i = 0; i < wordTexts.length; i++) {
    const text = wordTexts[i].trim();
    if (!text) continue;
    words.push({
      text,
      x0: wordBoxes[4 * i],
      y0: wordBoxes[4 * i + 1],
      x1: wordBoxes[4 * i + 2],
      y1: wordBoxes[4 * i + 3],
      confidence: Math.round(wordConfidences[i] * 10) / 10,
    });
  }
  return words;
}
