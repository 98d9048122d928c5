/**
 * A re-run over documents the queue has already done: are their outputs still as it wrote them?
 *
 * - an output that is gone is written again from the stored results (no page is recognised again);
 * - an output that differs from what was written (size, mtime, then content) was changed by someone:
 *   it is kept, and named, unless the run says `--overwrite`, which writes it again;
 * - an output as it was written: nothing to do.
 *
 * Only a file's content counts as a change: a file copied back (new mtime, same bytes) is as we left
 * it. Outputs written before the queue kept records (schema 4 and older) count as unchanged when
 * present.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Db } from './store/db.ts';
import { getDocuments } from './store/documents.ts';
import { queueRebuild, recordedOutputFiles } from './store/outputFiles.ts';
import { sha256Hex, type WrittenFile } from '../common/writtenFile.ts';

/** What a re-run found of the outputs of documents already done. */
export interface OutputReview {
  /** Outputs that were gone: being written again from the stored results. */
  missing: string[];
  /** Outputs changed since they were written and kept as they are (no `--overwrite`). */
  kept: string[];
  /** Outputs changed since they were written, being replaced (`--overwrite`). */
  replacing: string[];
}

type FileState = 'missing' | 'changed' | 'unchanged';

/** Looks at the outputs of the done documents among `docIds` and queues the rebuilds they need. */
export async function reviewOutputs(
  db: Db,
  docIds: readonly number[],
  overwrite: boolean,
  clock: () => number,
): Promise<OutputReview> {
  const review: OutputReview = { missing: [], kept: [], replacing: [] };
  const done = getDocuments(db, docIds).filter((d) => d.state === 'done' || d.state === 'done-with-errors');
  for (const doc of done) {
    const recorded = recordedOutputFiles(db, doc.id);
    const missing: string[] = [];
    const changed: string[] = [];
    for (const path of doc.outputs) {
      const state = await fileState(path, recorded.get(path));
      if (state === 'missing') missing.push(path);
      else if (state === 'changed') changed.push(path);
    }
    // Written again from the stored text and the original (a PDF's pages are copied from it): an
    // original that is gone (a watched folder's, deleted) leaves its outputs as they are.
    const rebuild = (missing.length > 0 || (overwrite && changed.length > 0)) && (await exists(doc.path));
    if (rebuild && !queueRebuild(db, doc.id, overwrite, clock())) continue;
    if (rebuild) review.missing.push(...missing);
    if (rebuild && overwrite) review.replacing.push(...changed);
    else review.kept.push(...changed);
  }
  return review;
}

async function fileState(path: string, record: WrittenFile | undefined): Promise<FileState> {
  let size: number;
  let mtimeMs: number;
  try {
    const s = await stat(path);
    size = s.size;
    mtimeMs = Math.trunc(s.mtimeMs);
  } catch (error) {
    // Anything but "not there" (a folder unreadable now) is no reason to write it again.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unchanged';
  }
  if (!record) return 'unchanged';
  if (record.size === size && record.mtimeMs === mtimeMs) return 'unchanged';
  if (record.size !== size) return 'changed';
  try {
    return sha256Hex(await readFile(path)) === record.sha256 ? 'unchanged' : 'changed';
  } catch {
    return 'unchanged';
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
