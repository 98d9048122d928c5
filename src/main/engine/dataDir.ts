import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The app's data folder, the same one Electron's `app.getPath('userData')` gives for the product
 * name "Bulk OCR", so the desktop app, the CLI and `bulk-ocr serve` share one queue.
 * `BULK_OCR_DATA_DIR` overrides it (tests, portable installs).
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.BULK_OCR_DATA_DIR) return env.BULK_OCR_DATA_DIR;
  const name = 'Bulk OCR';
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), name);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', name);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), name);
}

export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultDataDir(env), 'queue.db');
}
