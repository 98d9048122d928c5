/**
 * Tesseract language packs: the npm packages `@tesseract.js-data/<code>`, read from disk (the app
 * never downloads at run time). Each package holds `<variant>/<code>.traineddata.gz` for two
 * model variants; which one we load is chosen by measurement (docs/engine-choice.md).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { InputError } from '../common/errors.ts';

/** `4.0.0_best_int`: LSTM only, integer weights (3 MB for eng). `4.0.0`: legacy + LSTM float (11 MB). */
export type ModelVariant = '4.0.0_best_int' | '4.0.0';

/** The default model variant (docs/engine-choice.md has the numbers behind it). */
export const DEFAULT_MODEL_VARIANT: ModelVariant = '4.0.0_best_int';

/** Packs that are not recognition languages (orientation/script detection needs the legacy engine). */
const NOT_RECOGNITION = new Set(['osd', 'equ']);

const require = createRequire(import.meta.url);

let cachedRoot: string | null = null;

/** The `@tesseract.js-data` folder in node_modules that holds one sub-folder per language pack. */
export function tessdataRoot(): string {
  if (cachedRoot) return cachedRoot;
  // Resolve through a package we depend on, so hoisting or a packaged app's layout is honoured.
  const eng = path.dirname(require.resolve('@tesseract.js-data/eng/package.json'));
  cachedRoot = path.dirname(eng);
  return cachedRoot;
}

/** Path of one language's gzipped model, whether or not it exists. */
export function trainedDataPath(
  code: string,
  variant: ModelVariant = DEFAULT_MODEL_VARIANT,
  root = tessdataRoot(),
): string {
  return path.join(root, code, variant, `${code}.traineddata.gz`);
}

/** Codes of the installed recognition languages for a model variant, sorted. */
export function listInstalledLanguages(
  variant: ModelVariant = DEFAULT_MODEL_VARIANT,
  root = tessdataRoot(),
): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  return entries
    .filter((code) => !NOT_RECOGNITION.has(code) && existsSync(trainedDataPath(code, variant, root)))
    .sort();
}

const CODE = /^[a-z]{3}(?:_[a-z]+)?$/;

/**
 * Parses a language list as the CLI writes it (`eng+fra`, also `eng,fra` or an array) into
 * validated, de-duplicated codes, keeping the order (Tesseract tries the first one first).
 * Throws `InputError` naming a malformed code or a pack that is not installed.
 */
export function parseLanguages(
  spec: string | readonly string[],
  variant: ModelVariant = DEFAULT_MODEL_VARIANT,
): string[] {
  const parts = (typeof spec === 'string' ? spec.split(/[+,\s]+/) : spec)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (parts.length === 0)
    throw new InputError('OCR_FAILED', 'no OCR language given (e.g. "eng" or "eng+fra")');
  const codes = [...new Set(parts)];
  const installed = listInstalledLanguages(variant);
  for (const code of codes) {
    if (!CODE.test(code))
      throw new InputError(
        'OCR_FAILED',
        `"${code}" is not a Tesseract language code (three letters, e.g. "eng", "fra", "chi_sim")`,
      );
    if (!installed.includes(code)) {
      throw new InputError(
        'OCR_FAILED',
        `the OCR language "${code}" is not installed (installed: ${installed.join(', ') || 'none'}); add the npm package @tesseract.js-data/${code}`,
      );
    }
  }
  return codes;
}

/** ISO 639-1 language (and for Chinese the script or region) → Tesseract code. */
const LOCALE_TO_TESSERACT: Record<string, string> = {
  en: 'eng',
  fr: 'fra',
  de: 'deu',
  es: 'spa',
  it: 'ita',
  pt: 'por',
  nl: 'nld',
  pl: 'pol',
  ru: 'rus',
  ja: 'jpn',
  ko: 'kor',
  ar: 'ara',
  hi: 'hin',
  zh: 'chi_sim',
};

/** The system's locale: the POSIX variables first (as command-line tools honour them), then Intl. */
export function systemLocale(env: NodeJS.ProcessEnv = process.env): string {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name];
    if (value && value !== 'C' && value !== 'POSIX' && !value.startsWith('C.')) return value;
  }
  return Intl.DateTimeFormat().resolvedOptions().locale;
}

/**
 * Default OCR languages for a locale: English plus the locale's language when its pack is
 * installed (`fr_FR.UTF-8` → `['eng', 'fra']`), English alone otherwise. English stays in
 * because even non-English scans carry English names, codes and boilerplate.
 */
export function defaultLanguages(
  locale: string = systemLocale(),
  variant: ModelVariant = DEFAULT_MODEL_VARIANT,
): string[] {
  const [lang, rest = ''] = locale.toLowerCase().split(/[-_.@]/, 2);
  let code = LOCALE_TO_TESSERACT[lang];
  if (lang === 'zh' && /^(tw|hk|mo|hant)/.test(rest)) code = 'chi_tra';
  if (!code || code === 'eng' || !listInstalledLanguages(variant).includes(code)) return ['eng'];
  return ['eng', code];
}
