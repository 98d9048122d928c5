import { availableParallelism } from 'node:os';
import type { LanguageOption, Settings } from '../../shared/api.ts';
import { languageName } from '../../shared/languages.ts';
import type { Db } from './store/db.ts';
import { readSettingsJson, writeSettingsJson } from './store/settings.ts';
import { listInstalledLanguages } from '../worker/languages.ts';
import { DEFAULT_LIMITS } from '../worker/ocrTypes.ts';
import { parseRedisUrl } from '../cluster/redisUrl.ts';

export const DEFAULT_SETTINGS: Settings = {
  languages: ['eng'],
  dpi: 300,
  mode: 'auto',
  formats: ['txt', 'pdf'],
  outDir: null,
  outputPlaceChosen: false,
  overwrite: false,
  workers: null,
  maxPages: DEFAULT_LIMITS.maxPages,
  maxImageMpixels: DEFAULT_LIMITS.maxImagePixels / 1e6,
  clusterRedis: null,
};

/** The range of the page limit (`maxPages`), for its checks and its messages. */
export const MAX_PAGES_RANGE = { min: 1, max: 1_000_000 } as const;

/** What a page limit must be, in words (the reason given for a bad one). */
export const MAX_PAGES_RULE = 'the page limit must be a whole number of pages from 1 to 1,000,000';

/** Why a page limit cannot be taken, or null when it can. */
export function maxPagesProblem(value: number): string | null {
  return Number.isInteger(value) && value >= MAX_PAGES_RANGE.min && value <= MAX_PAGES_RANGE.max
    ? null
    : `${MAX_PAGES_RULE}, not ${value}`;
}

/** The range of the image limit (`maxImageMpixels`, megapixels). */
export const MAX_IMAGE_MPIXELS_RANGE = { min: 1, max: 10_000 } as const;

/** What an image limit must be, in words. */
export const MAX_IMAGE_MPIXELS_RULE = 'the image limit must be a whole number of megapixels from 1 to 10,000';

/** Why an image limit cannot be taken, or null when it can. */
export function maxImageMpixelsProblem(value: number): string | null {
  return Number.isInteger(value) &&
    value >= MAX_IMAGE_MPIXELS_RANGE.min &&
    value <= MAX_IMAGE_MPIXELS_RANGE.max
    ? null
    : `${MAX_IMAGE_MPIXELS_RULE}, not ${value}`;
}

/** The input limits the settings set (page count and image size). */
export function limitsOf(settings: Settings): { maxPages: number; maxImagePixels: number } {
  return { maxPages: settings.maxPages, maxImagePixels: settings.maxImageMpixels * 1e6 };
}

/** Most worker processes the settings accept: beyond the cores they only compete for them. */
export function maxWorkers(): number {
  return Math.max(1, availableParallelism() * 2);
}

/** The worker count a setting stands for (null = one per core). */
export function workerCount(setting: number | null): number {
  return setting ?? availableParallelism();
}

/** The user's settings, kept in the queue database's `settings` table as one JSON value. */
export function readSettings(db: Db): Settings {
  const json = readSettingsJson(db);
  if (json === null) return { ...DEFAULT_SETTINGS };
  try {
    return { ...DEFAULT_SETTINGS, ...(JSON.parse(json) as Partial<Settings>) };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

/**
 * Stores a change. Languages must be installed packs and the worker count within reach; a
 * refusal names what is wrong (`BAD_REQUEST` at the router).
 */
export function writeSettings(db: Db, patch: Partial<Settings>): Settings {
  if (patch.languages) {
    const installed = listInstalledLanguages();
    const missing = patch.languages.filter((l) => !installed.includes(l));
    if (missing.length > 0)
      throw new SettingsError(
        `the OCR language ${missing.join(', ')} is not installed (installed: ${installed.join(', ')})`,
      );
  }
  if (patch.workers !== undefined && patch.workers !== null && patch.workers > maxWorkers())
    throw new SettingsError(`at most ${maxWorkers()} workers on this machine (twice its cores)`);
  if (patch.maxPages !== undefined) {
    const problem = maxPagesProblem(patch.maxPages);
    if (problem) throw new SettingsError(problem);
  }
  if (patch.maxImageMpixels !== undefined) {
    const problem = maxImageMpixelsProblem(patch.maxImageMpixels);
    if (problem) throw new SettingsError(problem);
  }
  if (patch.clusterRedis) {
    try {
      parseRedisUrl(patch.clusterRedis);
    } catch (error) {
      throw new SettingsError((error as Error).message.replace(/^--redis: /, ''));
    }
  }
  const next = { ...readSettings(db), ...patch };
  // Choosing a destination, whichever, answers the window's first-run question for good.
  if (patch.outDir !== undefined) next.outputPlaceChosen = true;
  writeSettingsJson(db, JSON.stringify(next));
  return next;
}

/** A setting the engine cannot take. */
export class SettingsError extends Error {}

/** The installed recognition language packs, with names for people. */
export function installedLanguages(): LanguageOption[] {
  return listInstalledLanguages().map((code) => ({ code, name: languageName(code) }));
}
