import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFilesAtomically } from '../common/atomicWrite.ts';
import { logFiles } from '../engine/log/rotatingFile.ts';
import { logPathFor } from '../engine/log/logger.ts';
import { openQueueReader } from '../engine/queries.ts';
import { UsageError } from './options.ts';
import { displayPath } from './display.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');

/** The app's version from package.json. */
export function appVersion(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * `bulk-ocr diagnostics [--out FILE]`: the report "Export diagnostics" gives in the window, as JSON,
 * on stdout or into a file. Reads the database without taking the engine's place (a run may go on).
 */
export async function diagnosticsCommand(dbPath: string, out: string | null): Promise<number> {
  if (!existsSync(dbPath))
    throw new UsageError(`no queue at ${displayPath(dbPath)} (use --db to name another)`);
  const queue = openQueueReader(dbPath);
  let json: string;
  try {
    const report = queue.diagnostics({
      dbPath,
      appVersion: appVersion(),
      logFiles: logFiles(logPathFor(dbPath)),
      workers: null,
    });
    json = `${JSON.stringify(report, null, 2)}\n`;
  } finally {
    queue.close();
  }
  if (!out) {
    process.stdout.write(json);
    return 0;
  }
  await writeFilesAtomically([{ path: resolve(out), bytes: new TextEncoder().encode(json) }], {
    overwrite: true,
  });
  process.stderr.write(
    `Diagnostics written to ${resolve(out)}. They hold file names, errors and versions, no document text.\n`,
  );
  return 0;
}
