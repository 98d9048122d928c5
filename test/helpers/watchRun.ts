import { join } from 'node:path';
import { Engine, type EngineOptions } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import type { WatchTimings } from '../../src/main/engine/watch/folderWatcher.ts';
import type { WatchFolderOptions } from '../../src/shared/model.ts';

/** Short intervals so a test sees settling, rescans and presence checks within seconds. */
export const FAST: WatchTimings = {
  settleMs: 400,
  checkEveryMs: 100,
  incompleteGraceMs: 3_000,
  rescanEveryMs: 60_000,
  pollIntervalMs: 200,
  availabilityEveryMs: 300,
};

export function watchOptions(extra: Partial<WatchFolderOptions> = {}): WatchFolderOptions {
  return {
    recursive: true,
    ocr: { languages: ['eng'], dpi: 300, mode: 'auto' },
    formats: ['txt', 'pdf'],
    outDir: null,
    priority: null,
    after: 'leave',
    detection: 'auto',
    ...extra,
  };
}

export function newEngine(dbDir: string, opts: Partial<EngineOptions> = {}): Engine {
  return new Engine({
    dbPath: join(dbDir, 'queue.db'),
    spawn: forkSpawner(),
    jobs: 1,
    watchTimings: FAST,
    ...opts,
  });
}

/**
 * Resolves once `check` holds, re-checking whenever the engine reports anything (and every 200 ms,
 * for changes only the file system sees). Rejects with `what` and the last value after `timeoutMs`.
 */
export function until<T>(
  engine: Engine,
  what: string,
  check: () => T | false | null | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    let done = false;
    const finish = (): void => {
      done = true;
      clearTimeout(timer);
      clearInterval(tick);
      engine.events.off('watch', test);
      engine.events.off('document', test);
    };
    const test = (): void => {
      if (done) return;
      let value;
      try {
        value = check();
      } catch (error) {
        finish();
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (value) {
        finish();
        resolvePromise(value);
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const tick = setInterval(test, 200);
    engine.events.on('watch', test);
    engine.events.on('document', test);
    test();
  });
}

/** Every document row's path, sorted. */
export function documentPaths(engine: Engine): string[] {
  return (engine.db.prepare('SELECT path FROM documents ORDER BY path').all() as { path: string }[]).map(
    (r) => r.path,
  );
}

/** A tiny, valid-looking PDF whose bytes are unique to `n` (so no two are duplicates). */
export function tinyPdf(n: number | string): string {
  return `%PDF-1.4\n% file ${n}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n`;
}

/** Collects a watched folder's reports (path → messages). */
export function collectReports(engine: Engine): { path: string | null; message: string }[] {
  const reports: { path: string | null; message: string }[] = [];
  engine.events.on('watchReport', (r) => reports.push({ path: r.path, message: r.message }));
  return reports;
}
