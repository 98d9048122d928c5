import { access, opendir, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { DocumentSource, OcrOptions, OutputFormat } from '../../shared/model.ts';
import type { Db } from './store/db.ts';
import { getDocuments, insertDocuments, type InsertOutcome, type NewDocument } from './store/documents.ts';
import { finishFailed } from './store/tasks.ts';
import { existsError } from '../common/atomicWrite.ts';
import { toErrorInfo } from '../common/errors.ts';
import { isScannableName, outputStem } from '../common/outputNames.ts';
import { priorityForSize } from './store/policy.ts';

export interface IngestRequest {
  paths: string[];
  source: DocumentSource;
  options: OcrOptions;
  /** Output folder mirroring the structure under each named folder; null writes next to each source. */
  outDir: string | null;
  formats: OutputFormat[];
  overwrite: boolean;
  /** Explicit priority 0–9; else by size, small first. */
  priority?: number;
  /**
   * The folder that named files' outputs mirror from (a watched folder); default each file's own
   * folder. Named folders always mirror from themselves.
   */
  root?: string;
  /**
   * A stem whose output files already exist becomes `NAME (2)`, `NAME (3)`…, instead of the document
   * failing with OUTPUT_EXISTS: a hot folder sees the same name again (a scanner that reuses names,
   * an original moved to processed/ and a new one dropped under its name), and must never overwrite.
   */
  freeStems?: boolean;
  /** Stops walking folders (what was found so far stays queued), e.g. on Ctrl-C. */
  signal?: AbortSignal;
}

export interface IngestSummary {
  outcomes: InsertOutcome[];
  /** Named paths that could not be read at all. */
  skipped: { path: string; reason: string }[];
}

const BATCH = 1_000;

/**
 * Expands the named files and folders (recursively, in the engine, never in a window) and queues
 * what it finds in batches of a thousand rows, yielding to the event loop between batches so a
 * 100k-file folder never blocks the engine for long.
 */
export async function ingest(
  db: Db,
  req: IngestRequest,
  clock: () => number = Date.now,
): Promise<IngestSummary> {
  const outcomes: InsertOutcome[] = [];
  const skipped: IngestSummary['skipped'] = [];
  const outDir = req.outDir ? resolve(req.outDir) : null;
  let batch: NewDocument[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const inserted = insertDocuments(db, batch, clock());
    outcomes.push(...inserted);
    batch = [];
    if (!req.overwrite) await failWhereOutputsExist(db, inserted, req.formats, clock);
    await yieldToEventLoop();
  };
  const add = async (path: string, root: string, size: number, mtimeMs: number): Promise<void> => {
    batch.push({
      path,
      root,
      size,
      mtimeMs,
      priority: req.priority ?? priorityForSize(size),
      source: req.source,
      options: req.options,
      output: {
        formats: req.formats,
        overwrite: req.overwrite,
        stem:
          req.freeStems && !req.overwrite
            ? await freeStem(outputStem(path, root, outDir), req.formats)
            : outputStem(path, root, outDir),
        root: outDir ?? dirname(path),
      },
    });
    if (batch.length >= BATCH) await flush();
  };

  for (const named of req.paths) {
    if (req.signal?.aborted) break;
    const path = resolve(named);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      skipped.push({ path, reason: describeStatError(error) });
      continue;
    }
    if (info.isDirectory()) {
      for await (const file of walk(path, outDir)) {
        if (req.signal?.aborted) break;
        await add(file.path, path, file.size, file.mtimeMs);
      }
    } else if (info.isFile()) {
      await add(path, req.root ? resolve(req.root) : dirname(path), info.size, info.mtimeMs);
    } else {
      skipped.push({ path, reason: 'not a regular file or folder' });
    }
  }
  await flush();
  return { outcomes, skipped };
}

/**
 * A document about to be opened whose output file is already there would be recognised in full and then refused
 * at export (outputs are never replaced silently): refuse it now, before any OCR. Retrying it after
 * the file is moved away, or adding it with --overwrite, runs it.
 */
async function failWhereOutputsExist(
  db: Db,
  inserted: InsertOutcome[],
  formats: OutputFormat[],
  clock: () => number,
): Promise<void> {
  // New, or failed before and just queued again: both would be opened and recognised.
  const created = getDocuments(
    db,
    inserted.map((o) => o.id),
  ).filter((d) => d.state === 'new');
  const taken = await Promise.all(
    created.map(async (d) => {
      for (const format of formats) {
        const file = `${d.output.stem}.${format}`;
        if (await exists(file)) return { id: d.id, file };
      }
      return null;
    }),
  );
  for (const t of taken) if (t) finishFailed(db, t.id, toErrorInfo(existsError(t.file)), clock());
}

/** The first of `stem`, `stem (2)`, `stem (3)`… whose outputs in these formats do not exist yet. */
async function freeStem(stem: string, formats: OutputFormat[]): Promise<string> {
  for (let n = 1; n < 10_000; n++) {
    const candidate = n === 1 ? stem : `${stem} (${n})`;
    const taken = await Promise.all(formats.map((f) => exists(`${candidate}.${f}`)));
    if (!taken.includes(true)) return candidate;
  }
  return stem; // absurdly many: let the export refuse it with its message
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Files worth scanning below `dir`: hidden entries, our own outputs and the output folder are skipped. */
async function* walk(dir: string, outDir: string | null): AsyncGenerator<FoundFile> {
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (outDir && (current === outDir || current.startsWith(outDir + sep))) continue;
    let handle;
    try {
      handle = await opendir(current);
    } catch {
      continue; // unreadable subfolder: what can be read is still queued
    }
    const subdirs: string[] = [];
    const files: string[] = [];
    for await (const entry of handle) {
      if (entry.name.startsWith('.')) continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) subdirs.push(full);
      else if ((entry.isFile() || entry.isSymbolicLink()) && isScannableName(entry.name)) files.push(full);
    }
    // Sorted, so documents queue (and so run, within a priority) in the order a person reads the folder.
    files.sort();
    for (const f of files) {
      try {
        const s = await stat(f);
        if (s.isFile()) yield { path: f, size: s.size, mtimeMs: s.mtimeMs };
      } catch {
        // vanished between listing and stat: nothing to queue
      }
    }
    pending.push(...subdirs.sort().reverse());
  }
}

function describeStatError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}
