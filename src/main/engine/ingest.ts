import { access, lstat, opendir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { OUTPUT_EXTENSIONS } from '../../shared/model.ts';
import type { DocumentSource, OcrOptions, OutputFormat } from '../../shared/model.ts';
import type { Db } from './store/db.ts';
import type { Logger } from './log/logger.ts';
import { getDocuments, insertDocuments, type InsertOutcome, type NewDocument } from './store/documents.ts';
import { finishFailed } from './store/tasks.ts';
import { existsError } from '../common/atomicWrite.ts';
import { toErrorInfo } from '../common/errors.ts';
import { isScannableName, outputStem } from '../common/outputNames.ts';
import { priorityForSize } from './store/policy.ts';
import { reviewOutputs, type OutputReview } from './outputReview.ts';

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
  /** Of the documents found already done: outputs being written again, or kept as someone changed them. */
  outputs: OutputReview;
  /** Named paths that could not be read at all. */
  skipped: { path: string; reason: string }[];
}

const BATCH = 1_000;

/**
 * Expands the named files and folders (recursively, in the engine, never in a window) and queues
 * what it finds in batches of a thousand rows, yielding to the event loop between batches so a
 * 100k-file folder never blocks the engine for long.
 */
/** One line in the engine's log per request: what was named, found, queued and skipped. */
export function logIngest(log: Logger, req: IngestRequest, summary: IngestSummary): void {
  log.info('queue.add', {
    source: req.source,
    named: req.paths.length,
    found: summary.outcomes.length,
    created: summary.outcomes.filter((o) => o.created).length,
    skipped: summary.skipped.length,
  });
}

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
      const skip = (p: string, reason: string): void => void skipped.push({ path: p, reason });
      for await (const file of walk(path, outDir, skip)) {
        if (req.signal?.aborted) break;
        await add(file.path, path, file.size, file.mtimeMs);
      }
    } else if (info.isFile()) {
      await add(path, req.root ? resolve(req.root) : dirname(path), info.size, info.mtimeMs);
    } else {
      skipped.push({ path, reason: notAFile(info) });
    }
  }
  await flush();
  const doneBefore = outcomes.filter(
    (o) => !o.created && (o.previousState === 'done' || o.previousState === 'done-with-errors'),
  );
  const outputs = await reviewOutputs(
    db,
    doneBefore.map((o) => o.id),
    req.overwrite,
    clock,
  );
  return { outcomes, skipped, outputs };
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
        const file = `${d.output.stem}${OUTPUT_EXTENSIONS[format]}`;
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
    const taken = await Promise.all(formats.map((f) => exists(`${candidate}${OUTPUT_EXTENSIONS[f]}`)));
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

/**
 * Files worth scanning below `dir`: hidden entries, our own outputs and the output folder are
 * left out without a word, and so are files of other kinds (text, spreadsheets). What looks like
 * a document but cannot be read is reported through `skip` with the reason: a named pipe, socket
 * or device, a link whose target is missing, a link to a folder (not followed: it could loop), a
 * folder or file that cannot be read, a scan format this app does not read (JPEG 2000, HEIC…).
 */
async function* walk(
  dir: string,
  outDir: string | null,
  skip: (path: string, reason: string) => void,
): AsyncGenerator<FoundFile> {
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (outDir && (current === outDir || current.startsWith(outDir + sep))) continue;
    let handle;
    try {
      handle = await opendir(current);
    } catch (error) {
      // What can be read is still queued.
      skip(current, `the folder cannot be read (${describeStatError(error)})`);
      continue;
    }
    const subdirs: string[] = [];
    const files: string[] = [];
    const links: string[] = [];
    for await (const entry of handle) {
      if (entry.name.startsWith('.')) continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) subdirs.push(full);
      else if (isScannableName(entry.name) && (entry.isFile() || entry.isSymbolicLink())) files.push(full);
      else if (entry.isSymbolicLink()) links.push(full);
      else if (!entry.isFile()) skip(full, notAFile(entry));
      else {
        const format = UNREAD_FORMATS[extname(entry.name).toLowerCase()];
        if (format) skip(full, `${format} files are not read; convert it to PDF, TIFF or PNG first`);
      }
    }
    // Sorted, so documents queue (and so run, within a priority) in the order a person reads the folder.
    files.sort();
    for (const f of files) {
      let s;
      try {
        s = await stat(f);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Gone between listing and stat: nothing to queue, nothing to say. A link to nowhere: say so.
        if (code === 'ENOENT' && (await isLink(f))) skip(f, 'a symbolic link whose target is missing');
        else if (code !== 'ENOENT') skip(f, `the file cannot be read (${describeStatError(error)})`);
        continue;
      }
      if (s.isFile()) yield { path: f, size: s.size, mtimeMs: s.mtimeMs };
      else skip(f, notAFile(s));
    }
    for (const link of links.sort()) {
      const s = await stat(link).catch(() => null);
      if (s?.isDirectory())
        skip(
          link,
          'a symbolic link to a folder: not followed (it could lead in a circle); add the folder itself to include it',
        );
    }
    pending.push(...subdirs.sort().reverse());
  }
}

/**
 * Scan formats a folder of scans may hold that this app does not read: named in the skipped list
 * (by their extension; the content is not opened) rather than passed over in silence.
 */
const UNREAD_FORMATS: Record<string, string> = {
  '.jp2': 'JPEG 2000',
  '.j2k': 'JPEG 2000',
  '.jpf': 'JPEG 2000',
  '.jpx': 'JPEG 2000',
  '.heic': 'HEIC',
  '.heif': 'HEIF',
  '.avif': 'AVIF',
  '.jxl': 'JPEG XL',
  '.djvu': 'DjVu',
  '.djv': 'DjVu',
  '.xps': 'XPS',
  '.oxps': 'XPS',
};

/** Why an entry that is neither a regular file nor a folder is not read, in words. */
function notAFile(entry: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (entry.isFIFO())
    return 'a named pipe, not a file: not read (reading it would wait for whatever writes into it)';
  if (entry.isSocket()) return 'a socket, not a file: not read';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'a device, not a file: not read';
  return 'not a regular file or folder: not read';
}

async function isLink(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null))?.isSymbolicLink() === true;
}

function describeStatError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}
