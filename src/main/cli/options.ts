import { availableParallelism } from 'node:os';
import { OUTPUT_FORMATS, type OcrMode, type OcrOptions, type OutputFormat } from '../../shared/model.ts';
import { InputError } from '../common/errors.ts';
import {
  defaultLanguages,
  nativeAddonState,
  parseLanguages,
  TESSERACT_BACKENDS,
  type TesseractBackend,
} from '../engine/installation.ts';

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseJobs(value: string | undefined): number {
  if (value === undefined) return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new UsageError(`--jobs must be a whole number from 1 to 64, not "${value}"`);
  return n;
}

export function parseDpi(value: string | undefined): number {
  if (value === undefined) return 300;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 72 || n > 1200)
    throw new UsageError(`--dpi must be a whole number from 72 to 1200, not "${value}"`);
  return n;
}

export function parseMode(value: string | undefined): OcrMode {
  if (value === undefined) return 'auto';
  if (value === 'auto' || value === 'force') return value;
  throw new UsageError(
    `--ocr must be "auto" (keep pages that already have text) or "force" (OCR every page), not "${value}"`,
  );
}

export function parseFormats(value: string | undefined): OutputFormat[] {
  if (value === undefined) return ['txt', 'pdf'];
  const parts = [
    ...new Set(
      value
        .split(/[,+\s]+/)
        .filter(Boolean)
        .map((p) => p.toLowerCase()),
    ),
  ];
  const all = OUTPUT_FORMATS.join(', ');
  if (parts.length === 0) throw new UsageError(`--format needs at least one of: ${all}`);
  for (const p of parts) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(p))
      throw new UsageError(
        `--format takes a list of ${all} (e.g. txt,pdf,alto,hocr); "${p}" is not a format`,
      );
  }
  return parts as OutputFormat[];
}

export function parseMaxImageMpixels(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new UsageError(
      `--max-image-mpixels must be a whole number of megapixels from 1 to 10000, not "${value}"`,
    );
  return n;
}

export function parseMaxPages(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new UsageError(`--max-pages must be a whole number from 1 to 1000000, not "${value}"`);
  return n;
}

export function parsePriority(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 9)
    throw new UsageError(`--priority must be a whole number from 0 (last) to 9 (first), not "${value}"`);
  return n;
}

export function parseLang(value: string | undefined): string[] {
  try {
    // Without --lang: English plus the system locale's language when it is installed.
    return parseLanguages(value ?? defaultLanguages());
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(`--lang: ${error.message}`);
    throw error;
  }
}

/**
 * The preprocessing switches (`--no-rotate`, `--no-deskew`, `--no-remove-rules`,
 * `--no-estimate-dpi`, `--no-correct-photos`, `--no-despeckle`; commander sets
 * `rotate: false` etc.). Only steps switched off are written: a step that is absent is on, so the
 * options of a default run stay what earlier versions stored and a re-run still matches them.
 */
export function preprocessSwitches(
  o: Record<string, unknown>,
): Pick<OcrOptions, 'rotate' | 'deskew' | 'removeRules' | 'estimateDpi' | 'correctPhotos' | 'despeckle'> {
  return {
    ...(o.rotate === false ? { rotate: false } : {}),
    ...(o.deskew === false ? { deskew: false } : {}),
    ...(o.removeRules === false ? { removeRules: false } : {}),
    ...(o.estimateDpi === false ? { estimateDpi: false } : {}),
    ...(o.correctPhotos === false ? { correctPhotos: false } : {}),
    ...(o.despeckle === false ? { despeckle: false } : {}),
  };
}

export const TESSERACT_HELP =
  'which Tesseract build recognises: native (the system libtesseract; faster, built at install when libtesseract-dev is present), wasm (the bundled one) or auto: native when available (default)';

/**
 * `--tesseract`: the OCR workers read it from the environment they are forked with. `native` is
 * checked here, so a machine without the library gets one line instead of workers that cannot start.
 */
export function useTesseractBuild(value: string | undefined): void {
  if (value === undefined) return;
  if (!TESSERACT_BACKENDS.includes(value as TesseractBackend))
    throw new UsageError(`--tesseract must be auto, native or wasm, not "${value}"`);
  if (value === 'native') {
    const state = nativeAddonState();
    if ('reason' in state) throw new UsageError(`--tesseract native: ${state.reason}`);
  }
  process.env.BULK_OCR_TESSERACT = value;
}
