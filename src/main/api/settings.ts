import type { Settings } from '../../shared/api.ts';
import type { Db } from '../engine/store/db.ts';

const KEY = 'app.settings';

export const DEFAULT_SETTINGS: Settings = {
  languages: ['eng'],
  dpi: 300,
  mode: 'auto',
  formats: ['txt', 'pdf'],
  outDir: null,
  overwrite: false,
};

/** The user's settings, kept in the queue database's `settings` table as one JSON value. */
export function readSettings(db: Db): Settings {
  const r = db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY) as { value: string } | undefined;
  if (!r) return { ...DEFAULT_SETTINGS };
  try {
    return { ...DEFAULT_SETTINGS, ...(JSON.parse(r.value) as Partial<Settings>) };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export function writeSettings(db: Db, patch: Partial<Settings>): Settings {
  const next = { ...readSettings(db), ...patch };
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(KEY, JSON.stringify(next));
  return next;
}
