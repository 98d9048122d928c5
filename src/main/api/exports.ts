/** The export dialog's calls, between the router and the engine's export tasks. */
import type { ExportRequest } from '../../shared/api.ts';
import type { ExportBatch, ExportStartResult } from '../../shared/exports.ts';
import type { Engine } from '../engine/engine.ts';
import { getDocument } from '../engine/store/documents.ts';
import { exportBatch, exportableIds, exportedFiles } from '../engine/store/exportTasks.ts';

export function createExportBatchFor(engine: Engine, request: ExportRequest): ExportStartResult {
  const ids = request.allDone ? exportableIds(engine.db) : (request.ids ?? []);
  return engine.exportDocuments(ids, request.options);
}

export function exportBatchOf(engine: Engine, batchId: number, limit: number): ExportBatch | null {
  return exportBatch(engine.db, batchId, limit);
}

/**
 * The file "show in folder" may open for a document: its source, or a file the queue or an export
 * wrote for it. Anything else is refused, so a window cannot make the host open arbitrary paths.
 */
export function revealablePath(engine: Engine, docId: number, path: string | undefined): string | null {
  const doc = getDocument(engine.db, docId);
  if (!doc) return null;
  if (path === undefined || path === doc.path) return doc.path;
  const known = new Set([...doc.outputs, ...exportedFiles(engine.db, docId)]);
  return known.has(path) ? path : null;
}
