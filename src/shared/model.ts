/**
 * Row and status types shared by the engine, the worker processes and every front end.
 * Plain data only: this module imports nothing (no `node:*`, no `electron`, no `react`).
 */

/** What a document's bytes turned out to be (sniffed from content, never from the extension). */
export type DocumentKind = 'pdf' | 'image';

/** `auto` keeps a page's existing text layer and OCRs only pages without one; `force` OCRs every page. */
export type OcrMode = 'auto' | 'force';

/**
 * Output formats a document can be exported to: plain text, searchable PDF, ALTO 4.4 XML and
 * hOCR (the two interchange formats of libraries and OCR tools: blocks, lines, words with boxes
 * and confidence).
 */
export type OutputFormat = 'txt' | 'pdf' | 'alto' | 'hocr';

/** Every output format, in the order they are offered. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['txt', 'pdf', 'alto', 'hocr'];

/** How each format's file name ends, after the output stem: `letter.alto.xml`, `letter.hocr`. */
export const OUTPUT_EXTENSIONS: Readonly<Record<OutputFormat, string>> = {
  txt: '.txt',
  pdf: '.pdf',
  alto: '.alto.xml',
  hocr: '.hocr',
};

/** Per-document processing options, fixed when the document is queued. */
export interface OcrOptions {
  /** Tesseract language codes, e.g. `['eng']` or `['eng', 'fra']` (the CLI's `eng+fra`). */
  languages: string[];
  /** Rasterisation resolution for PDF pages. */
  dpi: number;
  mode: OcrMode;
  /** Detect each page's orientation (0/90/180/270) and recognise it upright. Absent = on. */
  rotate?: boolean;
  /** Straighten skewed pages before recognition. Absent = on. */
  deskew?: boolean;
  /** Paint out table rules and other long thin lines before recognition. Absent = on. */
  removeRules?: boolean;
  /**
   * Judge the resolution from the text's size (a 300-DPI scan labelled 72 DPI, an image without
   * DPI) and upscale text too small to read. Absent = on.
   */
  estimateDpi?: boolean;
  /**
   * Recognise a photographed page (perspective, uneven light, a table around it) as a flat,
   * evenly lit page. Absent = on; only pages found to be photos are changed.
   */
  correctPhotos?: boolean;
  /**
   * Remove isolated specks far smaller than the text's strokes (faxes, photocopies), keeping
   * dots, punctuation and accents. Absent = on; only pages found speckled are changed.
   */
  despeckle?: boolean;
}

/** Where and how a document's outputs are written. */
export interface OutputTarget {
  formats: OutputFormat[];
  /**
   * Output path without extension, e.g. `/tmp/ocr/sub/letter` → `/tmp/ocr/sub/letter.txt` and `.pdf`.
   * Decided at ingest so two inputs never race for one name.
   */
  stem: string;
  /** Replace an existing output file instead of failing the export. */
  overwrite: boolean;
  /**
   * The folder the outputs must stay in (the output folder, or the source's folder): the exporter
   * refuses a path that leads out of it through `..` or a symbolic link. Absent in rows queued by
   * versions before it existed.
   */
  root?: string;
}

/**
 * One recognised word. Coordinates are in pixels of the raster that was recognised
 * (origin top-left, y down), so the exporter scales them by `PageResult.width/height`
 * onto the page as the user sees it.
 */
export interface Word {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** 0–100, as Tesseract reports it. */
  confidence: number;
}

/** Time spent per stage of one page, in milliseconds. */
export interface PageTimings {
  open?: number;
  rasterize?: number;
  recognize?: number;
  total: number;
}

/** What a worker returns for one page. */
export interface PageResult {
  /** Plain text of the page, lines separated by `\n`. */
  text: string;
  words: Word[];
  /** Mean word confidence (0–100); null when the text came from the page's own text layer. */
  meanConfidence: number | null;
  /** `ocr`: recognised by Tesseract. `text-layer`: the page's existing text, kept as it is. */
  source: 'ocr' | 'text-layer';
  /** Raster size in pixels that the word boxes refer to (the page as the user sees it). 0 for text-layer pages. */
  width: number;
  height: number;
  /** Resolution the page was rasterised at (image input: the image's own resolution). */
  dpi: number;
  timings: PageTimings;
}

/** What a worker learns about a file before any page is recognised. */
export interface ProbeResult {
  kind: DocumentKind;
  pageCount: number;
  /** Lowercase hex sha256 of the file's bytes. */
  sha256: string;
  size: number;
  mtimeMs: number;
}

/**
 * A failure that is the input's fault or the environment's, with a code the UI can act on
 * and a message a person understands. Crosses process boundaries as plain data.
 */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export type ErrorCode =
  | 'EMPTY_FILE'
  | 'NOT_FOUND'
  /** The input was replaced or edited after it was opened: its pages would mix two versions. */
  | 'FILE_CHANGED'
  | 'UNREADABLE'
  | 'UNSUPPORTED_FORMAT'
  | 'DAMAGED_FILE'
  | 'PASSWORD_PROTECTED'
  | 'TOO_LARGE'
  | 'NO_PAGES'
  | 'OCR_FAILED'
  | 'WORKER_CRASHED'
  | 'TIMEOUT'
  | 'OUTPUT_EXISTS'
  | 'OUTPUT_FAILED'
  | 'DUPLICATE_FAILED'
  | 'INTERNAL';

/** Document states, derived from its pages and stored for fast listing. */
export type DocumentState =
  | 'new' // queued, file not yet opened (page count unknown)
  | 'queued'
  | 'running'
  | 'paused'
  | 'exporting'
  | 'done'
  | 'done-with-errors' // exported, but some pages failed
  | 'failed'
  | 'cancelled';

/** Every document state, in lifecycle order. */
export const DOCUMENT_STATES: readonly DocumentState[] = [
  'new',
  'queued',
  'running',
  'paused',
  'exporting',
  'done',
  'done-with-errors',
  'failed',
  'cancelled',
];

export type PageState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Where a document came from. */
export type DocumentSource = 'drop' | 'watch' | 'cli' | 'upload';

/** A document as the front ends list it. */
export interface DocumentRow {
  id: number;
  path: string;
  root: string;
  size: number;
  kind: DocumentKind | null;
  pageCount: number | null;
  pagesDone: number;
  pagesFailed: number;
  priority: number;
  state: DocumentState;
  paused: boolean;
  error: ErrorInfo | null;
  source: DocumentSource;
  options: OcrOptions;
  output: OutputTarget;
  outputs: string[];
  duplicateOf: number | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** Counts over the whole queue. */
export interface QueueCounts {
  documents: Record<DocumentState, number> & { total: number };
  pages: { total: number; queued: number; running: number; done: number; failed: number };
}

/** A recognised page whose confidence is low, or far below the rest of its document: worth a look. */
export interface LowConfidencePage {
  docId: number;
  path: string;
  pageNo: number;
  /** The page's mean word confidence, 0–100. */
  confidence: number;
  /** Mean over the document's recognised pages. */
  documentMean: number;
}

/** How a watched folder notices new files. */
export type WatchDetection =
  | 'auto' // file events, or polling on a network/FUSE file system or when events prove absent
  | 'events'
  | 'polling';

/** Per watched folder: what is ingested and how, and what happens to the original afterwards. */
export interface WatchFolderOptions {
  /** Subfolders too (the `processed/` and `failed/` subfolders never). */
  recursive: boolean;
  ocr: OcrOptions;
  formats: OutputFormat[];
  /** Output folder mirroring the watched folder's structure; null writes next to each source. */
  outDir: string | null;
  /** 0–9; null = by file size, small files first. */
  priority: number | null;
  /**
   * `leave`: the original stays where it is. `move`: once its document has ended, the original is
   * moved into `processed/` or `failed/` (with a `.reason.txt` beside it) under the watched folder.
   */
  after: 'leave' | 'move';
  detection: WatchDetection;
}

/** What a watched folder is doing now. */
export type WatchFolderState =
  | 'stopped' // stored, not running in this process
  | 'starting'
  | 'watching' // file events
  | 'polling' // periodic listing (network share, events absent, or chosen)
  | 'unavailable'; // the folder is missing or unreadable (unplugged drive, share offline); retried

/** A watched folder as the front ends list it. */
export interface WatchFolderRow {
  id: number;
  path: string;
  options: WatchFolderOptions;
  state: WatchFolderState;
  /** Why it is polling or unavailable, in words; null otherwise. */
  stateReason: string | null;
  /** Files seen so far, by what became of them. */
  stats: {
    /** Files queued as documents of their own. */
    ingested: number;
    /** Files whose content was already ingested (renamed, copied): no second OCR. */
    duplicates: number;
    /** Of the ingested: finished, failed, still in the queue. */
    done: number;
    failed: number;
    inQueue: number;
    /** Files found that are still being written (waiting for their size to settle). */
    settling: number;
  };
  lastScanAt: number | null;
  createdAt: number;
}

/**
 * A worker node of the cluster (`bulk-ocr worker`) as the coordinator sees it: its last heartbeat.
 */
export interface ClusterNode {
  id: string;
  name: string;
  host: string;
  pid: number;
  version: string;
  protocol: number;
  cores: number;
  /** OCR worker processes (`--jobs`). */
  jobs: number;
  busy: number;
  /** `native libtesseract 5.3.0`, `tesseract.js (WASM, …)`, as its workers report. */
  engine: string;
  pagesDone: number;
  pagesFailed: number;
  /** Over the last five minutes. */
  pagesPerMinute: number;
  /** The node process and its OCR workers, in bytes. */
  rssBytes: number;
  startedAt: number;
  seenAt: number;
  /**
   * `working`; `waiting` (no coordinator yet); `excluded` (its own failures keep happening:
   * `reason` says which; it tries again at `retryAt`); `refused` (another version: `reason` names both).
   */
  state: 'working' | 'waiting' | 'excluded' | 'refused';
  reason: string | null;
  retryAt: number | null;
  /** No heartbeat for a while: crashed, cut off or switched off (its pages went back to the queue). */
  gone: boolean;
}
