import type { Db } from './db.ts';

/** The key of the one row that holds the user's settings as JSON. */
const SETTINGS_KEY = 'app.settings';

/** The stored settings JSON, or null when nothing was ever saved. */
export function readSettingsJson(db: Db): string | null {
  const r = db.prepare('SELECT value FROM settings WHERE key = ?').get(SETTINGS_KEY) as
    { value: string } | undefined;
  return r?.value ?? null;
}

export function writeSettingsJson(db: Db, json: string): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(SETTINGS_KEY, json);
}
