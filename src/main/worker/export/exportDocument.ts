import { readFile, stat } from 'node:fs/promises';
import nodePath from 'node:path';
import { OUTPUT_EXTENSIONS } from '../../../shared/model.ts';
import type { DocumentKind, OutputFormat, OutputTarget, Word } from '../../../shared/model.ts';
import { InputError } from '../../common/errors.ts';
import { assertSameSource } from '../sourceIdentity.ts';
import type { SourceIdentity } from '../protocol.ts';
import { writeFilesAtomically, type AtomicFs, type OutputFile } from '../../common/atomicWrite.ts';
import { buildImagePdf, buildSearchablePdf } from './searchablePdf.ts';
import { encodeText } from './textExport.ts';
import { buildAlto } from './altoExport.ts';
import { buildHocr } from './hocrExport.ts';
import { structureDocument, type StructuredDocument } from './pageStructure.ts';
import { isInside } from '../../common/paths.ts';
import { describeWritten, type WrittenFile } from '../../common/writtenFile.ts';

/** One page of a document to export, as the worker recognised (or read) it. */
export interface ExportPage {
  /** Plain text of the page, lines separated by `\n`. */
  text: string;
  /** Word boxes in pixels of the raster of the visible page (origin top-left, y down). */
  words: Word[];
  /** Size of that raster in pixels (0 for text-layer pages). */
  width: number;
  height: number;
  /** `text-layer` pages already carry text in the PDF: no layer is added to them. */
  source: 'ocr' | 'text-layer';
  /** A page whose OCR failed: empty in the `.txt`, kept without a layer in the `.pdf`. */
  failed?: boolean;
  /** Resolution of that raster in pixels per inch (the PDF page's rendering, the image's own). */
  dpi?: number;
}

/** A document to export: its source file, what it is, its pages in order, where to write. */
export interface ExportJob {
  sourcePath: string;
  /** The source as it was recognised: a PDF is not built from a file replaced since (FILE_CHANGED). */
  sourceIdentity?: SourceIdentity;
  kind: DocumentKind;
  pages: ExportPage[];
  target: OutputTarget;
  /** For tests: file-system operations used by the atomic writer. */
  fs?: AtomicFs;
}

/** What was written: absolute paths (in `target.formats` order) and their total size. */
export interface ExportOutcome {
  written: string[];
  bytes: number;
  /** Each written file's size, mtime and SHA-256, for the queue's record of what it wrote. */
  files: WrittenFile[];
}

/** The absolute path an output format is written to for a target. */
export function outputPath(target: OutputTarget, format: OutputFormat): string {
  return nodePath.resolve(target.stem + OUTPUT_EXTENSIONS[format]);
}

async function readSource(sourcePath: string, identity?: SourceIdentity): Promise<Uint8Array> {
  try {
    const bytes = await readFile(sourcePath);
    if (identity) await assertSameSource(sourcePath, await stat(sourcePath), identity, bytes);
    return bytes;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError('NOT_FOUND', `${sourcePath} no longer exists`);
    throw new InputError(
      'UNREADABLE',
      `cannot read ${sourcePath}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message}`,
    );
  }
}

/**
 * Writes the document's outputs (`.txt`, `.pdf`, `.alto.xml`, `.hocr`, as `target.formats` asks).
 *
 * All or nothing: every format is built in memory and written to a temporary file first,
 * and only when all temporary files are complete are they renamed into place; a failure removes
 * the temporary files and any output this call already placed, so the `.txt` is never presented
 * as done while the `.pdf` failed (or the other way round). An existing file with other contents
 * fails with `OUTPUT_EXISTS` unless `target.overwrite`.
 *
 * Errors (InputError): OUTPUT_EXISTS, OUTPUT_FAILED, NOT_FOUND / UNREADABLE (source gone),
 * DAMAGED_FILE, PASSWORD_PROTECTED, UNSUPPORTED_FORMAT.
 */
export async function exportDocument(job: ExportJob): Promise<ExportOutcome> {
  const formats = [...new Set(job.target.formats)];
  const paths = formats.map((f) => outputPath(job.target, f));
  await assertInsideRoot(job.target.root, paths);
  // No early "does it exist?" check: a file already there may be this very output, written by an
  // attempt killed before the queue recorded it; the final step tells (see atomicWrite.ts). A
  // user's file in the way was already refused when the document was queued (ingest.ts).

  const files: OutputFile[] = [];
  // Read at most once, and only for the formats that need it.
  let sourceBytes: Promise<Uint8Array> | null = null;
  const source = (): Promise<Uint8Array> => (sourceBytes ??= readSource(job.sourcePath, job.sourceIdentity));
  let structure: Promise<StructuredDocument> | null = null;
  const structured = (): Promise<StructuredDocument> =>
    (structure ??= structureDocument(job.pages, job.sourcePath, job.kind, source));
  const encoder = new TextEncoder();
  for (const format of formats) {
    const path = outputPath(job.target, format);
    switch (format) {
      case 'txt':
        files.push({ path, bytes: encodeText(job.pages) });
        break;
      case 'pdf': {
        const bytes =
          job.kind === 'pdf'
            ? await buildSearchablePdf(await source(), job.pages)
            : await buildImagePdf(await source(), job.pages);
        files.push({ path, bytes });
        break;
      }
      case 'alto':
        files.push({ path, bytes: encoder.encode(buildAlto(await structured())) });
        break;
      case 'hocr':
        files.push({ path, bytes: encoder.encode(buildHocr(await structured())) });
        break;
    }
  }
  await writeFilesAtomically(files, { overwrite: job.target.overwrite, fs: job.fs });
  return {
    written: paths,
    bytes: files.reduce((sum, f) => sum + f.bytes.length, 0),
    files: await Promise.all(files.map((f) => describeWritten(f.path, f.bytes))),
  };
}

/**
 * Outputs stay in their folder: a name with `..`, or a folder inside the output folder that is a
 * symbolic link to somewhere else, would otherwise let a crafted folder tree write anywhere.
 */
async function assertInsideRoot(root: string | undefined, paths: readonly string[]): Promise<void> {
  if (!root) return;
  for (const p of paths) {
    if (!(await isInside(root, p)))
      throw new InputError(
        'OUTPUT_FAILED',
        `refused to write ${p}: it leads outside the output folder ${root} (through ".." or a symbolic link)`,
      );
  }
}
