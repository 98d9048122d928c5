/**
 * The watched-folder methods of the API router: validation of paths and options the engine cannot
 * take (each refusal names the field to blame, for the window's forms), the defaults a new folder
 * gets from the settings, and the calls into `engine.watch`.
 */
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { ApiMethod } from '../../../shared/api.ts';
import type { WatchFolderOptions } from '../../../shared/model.ts';
import type { Engine } from '../../engine/engine.ts';
import { listInstalledLanguages } from '../../engine/installation.ts';
import { ApiFailure } from '../failure.ts';
import type { HandlerContext, HandlerMap } from './context.ts';

type WatchMethod = Extract<ApiMethod, `watch.${string}`>;

export function watchHandlers({ engine }: HandlerContext): HandlerMap<WatchMethod> {
  return {
    'watch.list': () => engine.watch.list(),
    'watch.add': ({ path, options }) => {
      const refuse = (code: 'BAD_REQUEST' | 'NOT_FOUND', message: string): never => {
        throw new ApiFailure(code, message, { path: message });
      };
      if (!isAbsolute(path)) refuse('BAD_REQUEST', `the folder must be a full path, not "${path}"`);
      let isDir = false;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        refuse('NOT_FOUND', `no such folder: ${path}`);
      }
      if (!isDir) refuse('BAD_REQUEST', `not a folder: ${path}`);
      const full = { ...defaultsFromSettings(engine), ...options };
      const problems = optionProblems(path, full);
      if (problems) throw refusal(prefixed(problems, 'options.'));
      return engine.watch.add(path, full);
    },
    'watch.update': async (id, patch) => {
      const folder = engine.watch.get(id);
      if (!folder) throw new ApiFailure('NOT_FOUND', `no watched folder ${id}`);
      const problems = optionProblems(folder.path, patch);
      if (problems) throw refusal(problems);
      const row = await engine.watch.update(id, patch);
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

/**
 * What is wrong with options for the folder at `root`, per field, or null. The schema has checked
 * shapes and ranges; these need the file system or the installed languages.
 */
function optionProblems(root: string, options: Partial<WatchFolderOptions>): Record<string, string> | null {
  const problems: Record<string, string> = {};
  const outDir = options.outDir;
  if (outDir) {
    if (!isAbsolute(outDir)) problems.outDir = `the output folder must be a full path, not "${outDir}"`;
    else {
      const rel = relative(resolve(outDir), resolve(root));
      if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)))
        // Everything under the output folder is ignored (our own outputs), so this folder would take nothing.
        problems.outDir = `the output folder cannot be the watched folder or a folder that contains it (${outDir}); choose another one, or leave it empty to write NAME.ocr.pdf beside each file`;
      else if (isFile(outDir)) problems.outDir = `the output folder is a file, not a folder: ${outDir}`;
    }
  }
  if (options.ocr) {
    const installed = listInstalledLanguages();
    const missing = options.ocr.languages.filter((l) => !installed.includes(l));
    if (missing.length > 0)
      problems['ocr.languages'] =
        `the OCR language ${missing.join(', ')} is not installed (installed: ${installed.join(', ')})`;
  }
  return Object.keys(problems).length > 0 ? problems : null;
}

function isFile(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false; // not there yet: created with the first output
  }
}

function refusal(fields: Record<string, string>): ApiFailure {
  return new ApiFailure('BAD_REQUEST', Object.values(fields).join('; '), fields);
}

function prefixed(fields: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [prefix + k, v]));
}

/** A new watched folder takes the user's settings for what documents get. */
function defaultsFromSettings(engine: Engine): WatchFolderOptions {
  const s = engine.read.settings();
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
