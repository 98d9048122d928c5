/** Settings, the installed language packs and what the host can do (native dialogs, reveal). */
import { create } from 'zustand';
import type { HostCapabilities, LanguageOption, Settings } from '../../../shared/api.ts';
import { call } from '../api/client.ts';

interface SettingsStore {
  settings: Settings | null;
  languages: LanguageOption[];
  capabilities: HostCapabilities | null;
  open: boolean;
  setOpen: (open: boolean) => void;
  load: () => Promise<void>;
  /** Saves the fields that differ; returns the stored settings. */
  save: (patch: Partial<Settings>) => Promise<Settings>;
}

export const useSettings = create<SettingsStore>()((set) => ({
  settings: null,
  languages: [],
  capabilities: null,
  open: false,
  setOpen: (open) => set({ open }),
  load: async () => {
    const [settings, languages, capabilities] = await Promise.all([
      call('settings.get'),
      call('settings.languages'),
      call('app.capabilities'),
    ]);
    set({ settings, languages, capabilities });
  },
  save: async (patch) => {
    const settings = await call('settings.set', patch);
    set({ settings });
    return settings;
  },
}));

/** The fields of `form` that differ from `saved` (what "Save" sends). */
export function settingsPatch(saved: Settings, form: Settings): Partial<Settings> {
  const patch: Partial<Settings> = {};
  for (const key of Object.keys(form) as (keyof Settings)[]) {
    if (JSON.stringify(form[key]) !== JSON.stringify(saved[key]))
      (patch as Record<string, unknown>)[key] = form[key];
  }
  return patch;
}

/** What is wrong with a settings form, in words, or null when it can be saved. */
export function settingsProblem(form: Settings): string | null {
  if (form.languages.length === 0) return 'Choose at least one language.';
  if (form.formats.length === 0) return 'Choose at least one output format.';
  if (!Number.isInteger(form.dpi) || form.dpi < 72 || form.dpi > 1200)
    return 'The resolution must be 72–1200 DPI.';
  if (form.workers !== null && (!Number.isInteger(form.workers) || form.workers < 1))
    return 'The number of workers must be a whole number of at least 1.';
  if (form.outDir !== null && !isAbsolutePath(form.outDir)) return 'The output folder must be a full path.';
  if (!Number.isInteger(form.maxPages) || form.maxPages < 1 || form.maxPages > 1_000_000)
    return 'The page limit must be a whole number of pages from 1 to 1,000,000.';
  if (!Number.isInteger(form.maxImageMpixels) || form.maxImageMpixels < 1 || form.maxImageMpixels > 10_000)
    return 'The image limit must be a whole number of megapixels from 1 to 10,000.';
  if (form.clusterRedis !== null && !/^rediss?:\/\/[^\s/]+/.test(form.clusterRedis.trim()))
    return 'The Redis URL must look like redis://HOST:6379 or redis://:PASSWORD@HOST:6379 (rediss:// for TLS).';
  return null;
}

/** A full path on the engine's machine: `/…`, `C:\…` or `\\server\…`. */
export function isAbsolutePath(p: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p.trim());
}
