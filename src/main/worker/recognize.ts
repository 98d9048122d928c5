/**
 * One warm Tesseract per worker process. It is created once, keeps its models loaded, and
 * re-initialises only when a page asks for a different language set.
 *
 * Two builds of the same engine, with the same model files: the system's libtesseract through our
 * addon (nativeTesseract.ts; ~1.4x faster per page here) where it is installed, else tesseract.js
 * (WASM), which ships with the app and runs everywhere. `auto` picks the first that starts.
 *
 * Offline by construction: models come from the @tesseract.js-data packages on disk
 * (languages.ts), the core from tesseract.js-core, and the thread script refuses to fetch.
 * Page segmentation mode 3 (automatic): tesseract.js's default 6 (one uniform block) reads
 * two-column pages straight across and drops table rows.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Tesseract from 'tesseract.js';
import type { Word } from '../../shared/model.ts';
import { InputError } from '../common/errors.ts';
import { DEFAULT_MODEL_VARIANT, parseLanguages, tessdataRoot, type ModelVariant } from './languages.ts';
import type { RasterImage } from './ocrTypes.ts';
import { toPgm } from './rasterize.ts';
import { loadNativeAddon, openNativeTesseract, type NativeTesseract } from './nativeTesseract.ts';

const require = createRequire(import.meta.url);

/**
 * Which tesseract.js-core build runs the recognition. `simd-lstm`: LSTM-only with SIMD (no legacy
 * engine code, smaller, faster start). `upstream`: whatever tesseract.js itself picks (in Node
 * always the full legacy+LSTM core, relaxed-SIMD where available).
 */
export type CoreBuild = 'simd-lstm' | 'relaxedsimd-lstm' | 'lstm' | 'upstream';

/** Default core build (docs/engine-choice.md has the numbers behind it). */
export const DEFAULT_CORE_BUILD: CoreBuild = 'simd-lstm';

/** Which Tesseract build recognises: `auto` = native when it starts, else WASM. */
export type TesseractBackend = 'auto' | 'native' | 'wasm';
export const TESSERACT_BACKENDS: readonly TesseractBackend[] = ['auto', 'native', 'wasm'];

/** The backend from `BULK_OCR_TESSERACT` (set by the CLI's `--tesseract`), else `auto`. */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): TesseractBackend {
  const value = env.BULK_OCR_TESSERACT;
  return TESSERACT_BACKENDS.includes(value as TesseractBackend) ? (value as TesseractBackend) : 'auto';
}

/**
 * What workers started from this process recognise with, in words for people: what the running
 * workers reported, else what `backendFromEnv` and the addon's presence will give them.
 */
export function describeOcrEngine(running: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  if (running.length > 0) return running.join(', ');
  if (backendFromEnv(env) === 'wasm')
    return 'WebAssembly Tesseract (tesseract.js), as chosen with --tesseract wasm';
  const state = loadNativeAddon();
  return 'addon' in state
    ? `native libtesseract ${state.addon.version()}`
    : `WebAssembly Tesseract (tesseract.js); ${state.reason}`;
}

export interface RecognizerOptions {
  /** Native libtesseract or WASM; default `backendFromEnv()`. */
  backend?: TesseractBackend;
  /** Model variant of the language packs; default DEFAULT_MODEL_VARIANT. */
  variant?: ModelVariant;
  /** WASM core build; default DEFAULT_CORE_BUILD. */
  core?: CoreBuild;
  /** Languages to load up front so the first page is warm; default `['eng']`. */
  languages?: string[];
  /** Tesseract page segmentation mode; default 3 (automatic). */
  pageSegMode?: number;
}

/** What Tesseract made of one raster. */
export interface Recognition {
  /** Plain text, lines separated by `\n`, paragraphs by a blank line. */
  text: string;
  /** Words in reading order, boxes in raster pixels (origin top-left). */
  words: Word[];
  /** Tesseract's mean text confidence, 0–100. */
  meanConfidence: number;
}

export interface Recognizer {
  /** What recognises, for logs and the benchmark: `native libtesseract 5.3.0` or `tesseract.js (WASM, simd-lstm)`. */
  readonly engine: string;
  recognize(image: RasterImage, languages: string[]): Promise<Recognition>;
  terminate(): Promise<void>;
}

/**
 * The thread script next to this module: `.ts` when running from source (Node's type stripping),
 * `.js` when a bundler emitted it as its own entry (it must: it is loaded by path, not imported).
 */
function threadScript(): string | null {
  for (const ext of ['.ts', '.js']) {
    const candidate = fileURLToPath(new URL(`./tesseractThread.entry${ext}`, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function corePathFor(core: CoreBuild): string | undefined {
  if (core === 'upstream') return undefined;
  return require.resolve(`tesseract.js-core/tesseract-core-${core}.js`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Starts Tesseract and loads the initial languages. Throws `InputError('OCR_FAILED', …)` when a
 * language pack is missing or the engine cannot start (with `backend: 'native'`, also when the
 * native library is not available; `auto` then uses WASM).
 */
export async function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  const backend = options.backend ?? backendFromEnv();
  if (backend !== 'wasm') {
    try {
      return createNativeRecognizer(options);
    } catch (error) {
      if (backend === 'native') {
        if (error instanceof InputError) throw error;
        throw new InputError('OCR_FAILED', `native Tesseract is not available: ${messageOf(error)}`);
      }
    }
  }
  return createWasmRecognizer(options);
}

function createNativeRecognizer(options: RecognizerOptions): Recognizer {
  const variant = options.variant ?? DEFAULT_MODEL_VARIANT;
  const parameters = { tessedit_pageseg_mode: String(options.pageSegMode ?? 3) };
  let languages = parseLanguages(options.languages ?? ['eng'], variant);
  let engine: NativeTesseract | null = openNativeTesseract(languages, variant, parameters);
  const name = `native libtesseract ${engine.version}`;
  return {
    engine: name,
    async recognize(image, wanted) {
      const next = wanted.length > 0 ? wanted : ['eng'];
      if (!engine || next.join('+') !== languages.join('+')) {
        // A clear "not installed" message before anything is closed.
        const codes = parseLanguages(next, variant);
        engine?.close();
        engine = null;
        try {
          engine = openNativeTesseract(codes, variant, parameters);
          languages = codes;
        } catch (error) {
          throw new InputError(
            'OCR_FAILED',
            `could not load OCR languages ${codes.join('+')}: ${messageOf(error)}`,
          );
        }
      }
      try {
        return await engine.recognize(image);
      } catch (error) {
        throw new InputError('OCR_FAILED', `Tesseract failed on this page: ${messageOf(error)}`);
      }
    },
    terminate() {
      engine?.close();
      engine = null;
      return Promise.resolve();
    },
  };
}

async function createWasmRecognizer(options: RecognizerOptions): Promise<Recognizer> {
  const variant = options.variant ?? DEFAULT_MODEL_VARIANT;
  const core = options.core ?? DEFAULT_CORE_BUILD;
  const psm = String(options.pageSegMode ?? 3);
  let current = parseLanguages(options.languages ?? ['eng'], variant).join('+');
  // tesseract.js reports job failures to this handler *and* rejects the job's promise; without a
  // handler it throws from a message listener, which would crash the worker process.
  let lastError: unknown = null;
  const workerOptions: Partial<Tesseract.WorkerOptions> = {
    langPath: path.join(tessdataRoot(), variant),
    gzip: true,
    cacheMethod: 'none',
    errorHandler: (error: unknown) => {
      lastError = error;
    },
  };
  // Without our thread script (a bundle that did not emit it) tesseract.js's own script would
  // load the full core and look for `<langPath>/<code>.traineddata.gz`, which does not exist in
  // the package layout: fail loudly instead of half-working.
  const script = threadScript();
  if (!script)
    throw new InputError(
      'OCR_FAILED',
      'the Tesseract thread script (tesseractThread.entry) is missing from this build',
    );
  workerOptions.workerPath = script;
  const corePath = corePathFor(core);
  if (corePath) workerOptions.corePath = corePath;
  let worker: Tesseract.Worker;
  try {
    worker = await Tesseract.createWorker(current, Tesseract.OEM.LSTM_ONLY, workerOptions);
    await worker.setParameters({ tessedit_pageseg_mode: psm as Tesseract.PSM });
  } catch (error) {
    throw new InputError(
      'OCR_FAILED',
      `Tesseract could not start with languages ${current}: ${messageOf(error ?? lastError)}`,
    );
  }

  async function useLanguages(languages: string[]): Promise<void> {
    const wanted = languages.join('+');
    if (wanted === current) return;
    // A clear "not installed" message instead of tesseract.js's file-not-found.
    parseLanguages(languages, variant);
    try {
      // A new TessBaseAPI: parameters set before are gone, so set them again.
      await worker.reinitialize(wanted, Tesseract.OEM.LSTM_ONLY);
      await worker.setParameters({ tessedit_pageseg_mode: psm as Tesseract.PSM });
      current = wanted;
    } catch (error) {
      current = '';
      throw new InputError('OCR_FAILED', `could not load OCR languages ${wanted}: ${messageOf(error)}`);
    }
  }

  return {
    engine: `tesseract.js (WASM, ${core})`,
    async recognize(image: RasterImage, languages: string[]): Promise<Recognition> {
      await useLanguages(languages.length > 0 ? languages : ['eng']);
      const input =
        image.kind === 'encoded' ? image.bytes : toPgm(image.width, image.height, image.channels, image.data);
      const params: Record<string, string> = {};
      // PGM carries no resolution; Tesseract's layout analysis uses it (text size estimates).
      if (image.dpi >= 70 && image.dpi <= 2400) params.user_defined_dpi = String(Math.round(image.dpi));
      let result: Tesseract.RecognizeResult;
      try {
        result = await worker.recognize(input as Buffer, params, { text: true, blocks: true });
      } catch (error) {
        throw new InputError('OCR_FAILED', `Tesseract failed on this page: ${messageOf(error)}`);
      }
      return toRecognition(result.data);
    },
    async terminate(): Promise<void> {
      await worker.terminate();
    },
  };
}

function toRecognition(page: Tesseract.Page): Recognition {
  const words: Word[] = [];
  for (const block of page.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        for (const word of line.words) {
          const text = word.text.trim();
          if (!text) continue;
          const { x0, y0, x1, y1 } = word.bbox;
          words.push({ text, x0, y0, x1, y1, confidence: Math.round(word.confidence * 10) / 10 });
        }
      }
    }
  }
  return { text: page.text.replace(/\s+$/, ''), words, meanConfidence: page.confidence };
}
