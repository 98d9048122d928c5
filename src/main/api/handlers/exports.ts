/** The export dialog's methods, and "show in folder" for a document's files. */
import { isAbsolute } from 'node:path';
import type { ApiMethod } from '../../../shared/api.ts';
import type { Engine } from '../../engine/engine.ts';
import { ApiFailure } from '../failure.ts';
import type { HandlerContext, HandlerMap } from './context.ts';

type ExportMethod = Extract<ApiMethod, `export.${string}` | 'files.reveal'>;

export function exportHandlers({ engine, pushes, host }: HandlerContext): HandlerMap<ExportMethod> {
  return {
    'export.start': (request) => {
      const dest = request.options.destination;
      if (dest.kind === 'folder' && !isAbsolute(dest.path))
        throw new ApiFailure('BAD_REQUEST', `the export folder must be a full path, not "${dest.path}"`);
      const ids = request.allDone ? engine.read.exportableIds() : (request.ids ?? []);
      const result = engine.exportDocuments(ids, request.options);
      if (result.batchId !== null) pushes.batchChanged(result.batchId);
      return result;
    },
    'export.batch': (batchId, limit) => engine.read.exportBatch(batchId, limit ?? 200),
    'export.failures': (limit) => engine.read.failedExports(limit ?? 100),
    'export.retry': (taskIds) => {
      for (const b of engine.retryExports(taskIds)) pushes.batchChanged(b);
    },
    'files.reveal': async ({ docId, path }) => {
      if (!host?.reveal)
        throw new ApiFailure('UNAVAILABLE', 'showing files in the file manager needs the desktop app');
      const target = revealablePath(engine, docId, path);
      if (!target) throw new ApiFailure('NOT_FOUND', 'that file does not belong to this document');
      await host.reveal(target);
    },
  };
}

/**
 * The file "show in folder" may open for a document: its source, or a file the queue or an export
 * wrote for it. Anything else is refused, so a window cannot make the host open arbitrary paths.
 */
function revealablePath(engine: Engine, docId: number, path: string | undefined): string | null {
  const doc = engine.read.document(docId);
  if (!doc) return null;
  if (path === undefined || path === doc.path) return doc.path;
  const known = new Set([...doc.outputs, ...engine.read.exportedFiles(docId)]);
  return known.has(path) ? path : null;
}
