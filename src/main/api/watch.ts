/**
 * The watched-folder methods of the API router: validation of paths the engine cannot take, the
 * defaults a new folder gets from the settings, and the calls into `engine.watch`.
 */
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { ApiMethods } from '../../shared/api.ts';
import type { WatchFolderOptions } from '../../shared/model.ts';
import type { Engine } from '../engine/engine.ts';
import { ApiFailure } from './router.ts';
import { readSettings } from './settings.ts';

type WatchMethod = 'watch.list' | 'watch.add' | 'watch.update' | 'watch.remove' | 'watch.rescan';
export type WatchHandlers = { [M in WatchMethod]: (...args: Parameters<ApiMethods[M]>) => unknown };

export function watchHandlers(engine: Engine): WatchHandlers {
  return {
    'watch.list': () => engine.watch.list(),
    'watch.add': ({ path, options }) => {
      if (!isAbsolute(path))
        throw new ApiFailure('BAD_REQUEST', `the folder must be a full path, not "${path}"`);
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        throw new ApiFailure('NOT_FOUND', `no such folder: ${path}`);
      }
      if (!isDir) throw new ApiFailure('BAD_REQUEST', `not a folder: ${path}`);
      checkOutDir(options?.outDir);
      return engine.watch.add(path, { ...defaultsFromSettings(engine), ...options });
    },
    'watch.update': (id, patch) => {
      checkOutDir(patch.outDir);
      const row = engine.watch.update(id, patch);
      if (!row) throw new ApiFailure('NOT_FOUND', `no watched folder ${id}`);
      return row;
    },
    'watch.remove': async (id) => {
      if (!(await engine.watch.remove(id))) throw new ApiFailure('NOT_FOUND', `no watched folder ${id}`);
    },
    'watch.rescan': async (id) => {
      if (!engine.watch.get(id)) throw new ApiFailure('NOT_FOUND', `no watched folder ${id}`);
      await engine.watch.rescan(id);
    },
  };
}

function checkOutDir(outDir: string | null | undefined): void {
  if (outDir && !isAbsolute(outDir))
    throw new ApiFailure('BAD_REQUEST', `the output folder must be a full path, not "${outDir}"`);
}

/** A new watched folder takes the user's settings for what documents get. */
function defaultsFromSettings(engine: Engine): WatchFolderOptions {
  const s = readSettings(engine.db);
  return {
    recursive: true,
    ocr: { languages: s.languages, dpi: s.dpi, mode: s.mode },
    formats: s.formats,
    outDir: s.outDir,
    priority: null,
    after: 'leave',
    detection: 'auto',
  };
}
