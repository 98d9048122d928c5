/**
 * The one contract between the front ends (Electron renderer, browser) and the engine's host.
 * Requests are a method map, pushes an event map; the router (src/main/api), the Electron IPC
 * binding, the preload, the WebSocket binding and the renderer's client all derive their types
 * from these two interfaces. Plain data and types only: no `node:*`, `electron` or `react` here.
 */
import type {
  ClusterNode,
  DocumentRow,
  DocumentState,
  ErrorCode,
  ErrorInfo,
  LowConfidencePage,
  OcrMode,
  OutputFormat,
  PageState,
  QueueCounts,
  WatchFolderOptions,
  WatchFolderRow,
  Word,
} from './model.ts';
import type { ExportBatch, ExportItem, ExportOptions, ExportStartResult } from './exports.ts';
import type { ProgressReading } from './progress.ts';
import type { SearchIndexStatus, SearchRequest, SearchResults } from './search.ts';

export type { SearchHit, SearchIndexStatus, SearchRequest, SearchResults } from './search.ts';
export { SEARCH_COUNT_LIMIT } from './search.ts';

/** Columns the queue can be sorted by. `queue` is the order the engine works in (priority, then age). */
export type QueueSort = 'queue' | 'name' | 'added' | 'state' | 'progress';

/** One page of the queue, filtered and sorted by the engine (never the whole table). */
export interface QueueListQuery {
  /** Only documents in these states; empty or absent = all. */
  states?: DocumentState[];
  /** Case-insensitive substring of the file name (or path). */
  search?: string;
  sort?: QueueSort;
  descending?: boolean;
  offset: number;
  /** At most 500 rows per call. */
  limit: number;
}

export interface QueueListPage {
  /** Rows matching the filter, over all pages. */
  total: number;
  offset: number;
  rows: DocumentRow[];
}

/** What "Add folder…" sends: files and folders (walked recursively by the engine). */
export interface QueueAddRequest {
  paths: string[];
  /** 0–9; default by file size, small files first. */
  priority?: number;
}

export interface QueueAddResult {
  /** Documents queued or found already queued. */
  queued: number;
  /** Of those, how many were new. */
  created: number;
  /** Of those, how many were found already done (their outputs are kept, or rebuilt when missing). */
  alreadyDone: number;
  skipped: { path: string; reason: string }[];
  /** Of the documents already done: outputs that were gone, being written again from the stored results (no OCR again). */
  rebuilding: string[];
  /** Outputs changed since they were written: kept as they are, unless Settings say to replace existing files. */
  keptChanged: string[];
  /** Outputs changed since they were written, being replaced (Settings: replace existing files). */
  replacing: string[];
}

/** User settings, stored in the queue database; they apply to documents added afterwards. */
export interface Settings {
  languages: string[];
  dpi: number;
  mode: OcrMode;
  formats: OutputFormat[];
  /** Output folder (mirrors the added folder's structure); null writes next to each input. */
  outDir: string | null;
  /**
   * The user has said where outputs go (the window's first-run question, or a destination chosen
   * in Settings). Until then, and while `outDir` is null, the window asks before it adds a folder,
   * rather than writing next to the originals unasked (a scanner share, an archive).
   */
  outputPlaceChosen: boolean;
  overwrite: boolean;
  /** OCR worker processes; null = one per CPU core. A change applies at once (the pool is resized). */
  workers: number | null;
  /**
   * Most pages one document may have (1–1,000,000; default 10,000): a longer one is refused with
   * a message, before any page is recognised. Applies at once, to documents not yet opened;
   * `bulk-ocr run|watch --max-pages` overrides it for that command.
   */
  maxPages: number;
  /**
   * Largest image, in megapixels, that is decoded at all (1–10,000; default 150): an image file,
   * a TIFF page or an image inside a PDF page over it is refused with its size, before it is
   * decoded (a guard against decompression bombs). Raise it for large maps and plans; the same
   * as OCRmyPDF's --max-image-mpixels, which `bulk-ocr run|watch` also take.
   */
  maxImageMpixels: number;
  /**
   * Several machines: the Redis (`redis://[:PASSWORD@]HOST:6379`, `rediss://` for TLS) through which
   * this app hands pages to worker nodes (`bulk-ocr worker`) besides its own workers; null = this
   * machine only. Takes effect at the next start of the app (or `bulk-ocr serve`).
   */
  clusterRedis: string | null;
}

/** Several machines, as the window's nodes view shows them. */
export interface ClusterStatus {
  /** The Redis the nodes work through (password hidden); null when this machine works alone. */
  redis: string | null;
  /** Connected, publishing its file endpoint and handing out pages. */
  connected: boolean;
  /** The nodes that reported in the last hour. */
  nodes: ClusterNode[];
  /** Pages in the cluster now: waiting in Redis or being read by a node. */
  inFlight: number;
}

/** An installed OCR language pack, for the settings view. */
export interface LanguageOption {
  code: string;
  /** In English, e.g. "German"; the code when unknown. */
  name: string;
}

/** What the host can do beyond the engine: the desktop app has native dialogs, a browser has not. */
export interface HostCapabilities {
  /** `files.reveal` works (Electron: the system file manager). */
  reveal: boolean;
  /** `files.pickFolder` works (Electron: the native folder dialog). */
  pickFolder: boolean;
  /** The number of CPU cores (the default worker count). */
  cores: number;
  /** What recognises, in words: `native libtesseract 5.3.0`, or the WebAssembly build and why. */
  ocrEngine: string;
}

/** "Export…": the selection or every document that is done, with the dialog's options. */
export interface ExportRequest {
  /** The documents to export; ignored with `allDone`. */
  ids?: number[];
  /** Every document that is done (or done with errors). */
  allDone?: boolean;
  options: ExportOptions;
}

/**
 * One recognised page for the review window's page view. Word boxes are in pixels of the page as
 * the user sees it, `width` × `height` (0 × 0 for a page that kept its own text layer: no boxes).
 */
export interface PageDetail {
  docId: number;
  path: string;
  pageNo: number;
  pageCount: number;
  state: PageState;
  source: 'ocr' | 'text-layer' | null;
  text: string;
  words: Word[];
  width: number;
  height: number;
  meanConfidence: number | null;
  error: ErrorInfo | null;
}

/** A page that failed for good, and why. */
export interface FailedPage {
  docId: number;
  pageNo: number;
  error: ErrorInfo;
}

/**
 * A page's picture, base64 (hosts without an HTTP endpoint, Electron; and the prepared page
 * everywhere, for its `steps`): the page as a JPEG, or the page as prepared for Tesseract.
 */
export interface PageImage {
  mime: 'image/jpeg' | 'image/png';
  base64: string;
  width: number;
  height: number;
  /** The prepared page: what preprocessing did to it, in words ("Straightened by 1.2°", …). */
  steps?: string[];
}

/** Which picture of a page: as the user sees it, or as prepared for Tesseract (what it read). */
export type PagePicture = 'page' | 'prepared';

/**
 * What "Export diagnostics" and `bulk-ocr diagnostics` hand a user to send with a problem report:
 * versions, the queue, recent errors, settings and the end of the log. File names but never a
 * document's text.
 */
export interface Diagnostics {
  generatedAt: string;
  versions: {
    app: string;
    node: string;
    electron: string | null;
    v8: string;
    tesseractJs: string | null;
    tesseractCore: string | null;
    /** The system libtesseract the native addon loads (`5.3.0`), or why there is none. */
    libtesseract: string;
    pdfjs: string | null;
    sqlite: string;
    betterSqlite3: string | null;
    os: string;
  };
  database: { path: string; schema: number; bytes: number };
  queue: QueueCounts;
  paused: boolean;
  /** Null when no engine is running (the CLI reads the database alone). */
  workers: { total: number; busy: number; peakRssBytes: number[]; ocrEngines: string[] } | null;
  settings: Settings;
  /** Documents that ended with an error, newest first, with their failed pages' reasons. */
  recentErrors: {
    docId: number;
    file: string;
    state: DocumentState;
    code: string | null;
    message: string | null;
    pages: { pageNo: number; code: string | null; message: string | null }[];
  }[];
  /** The log's last lines (JSON objects), oldest first, and the files they came from. */
  log: { files: string[]; tail: Record<string, unknown>[] };
}

/** The queue as the overall progress bar shows it. */
export interface QueueStatus {
  counts: QueueCounts;
  /** Global pause (no new page is started). */
  paused: boolean;
  /** Pages finished per minute over the last minute of work; null before there is enough to tell. */
  pagesPerMinute: number | null;
  /** Seconds until the pages left are done at the recent rate; null until that means something. */
  etaSeconds: number | null;
  /**
   * The work under way since the queue was last idle: "counting pages" until every file is opened,
   * then pages done of that work and a fraction that never goes back (src/shared/progress.ts).
   */
  run: ProgressReading;
  workers: { total: number; busy: number };
}

/**
 * "Watch folder…": a folder to watch. Options left out come from the settings (languages, DPI,
 * mode, formats, output folder) and the defaults: with subfolders, originals left in place,
 * events or polling chosen automatically.
 */
export interface WatchAddRequest {
  /** A full path to an existing folder (as seen by the machine the engine runs on). */
  path: string;
  options?: Partial<WatchFolderOptions>;
}

/** Request methods, named `domain.verb`: each is `(...args) => result` as the caller sees it. */
export interface ApiMethods {
  /** The application's version (package.json). */
  'app.version': () => string;
  /** Versions, queue counts, recent errors, settings and the log's tail, for a problem report. */
  'app.diagnostics': () => Diagnostics;
  /** Documents per state and page totals. */
  'queue.counts': () => QueueCounts;
  /** Counts plus rate, ETA, workers and the global pause: what `queue.changed` pushes. */
  'queue.status': () => QueueStatus;
  /** A page of the queue, filtered, searched and sorted by the engine. */
  'queue.list': (query: QueueListQuery) => QueueListPage;
  /** Ids of every document matching a filter, in list order (for "select all"; at most 100k). */
  'queue.ids': (query: Omit<QueueListQuery, 'offset' | 'limit'>) => number[];
  /** Queues files and folders by path (as seen by the machine the engine runs on). */
  'queue.add': (request: QueueAddRequest) => QueueAddResult;
  'queue.pause': (ids: number[]) => void;
  'queue.resume': (ids: number[]) => void;
  'queue.cancel': (ids: number[]) => void;
  'queue.retry': (ids: number[]) => void;
  'queue.remove': (ids: number[]) => void;
  /** Sets an absolute priority (0–9) … */
  'queue.setPriority': (ids: number[], priority: number) => void;
  /** … or moves each document's priority by `delta` (clamped to 0–9). */
  'queue.shiftPriority': (ids: number[], delta: number) => void;
  /** Pauses or resumes the whole queue. */
  'queue.setPaused': (paused: boolean) => void;
  /** Documents that ended with an error (failed, or done with some pages failed), newest first. */
  'review.failures': (limit?: number) => DocumentRow[];
  /** Recognised pages of low confidence, or far below the rest of their document, lowest first. */
  'review.lowConfidence': (limit?: number) => LowConfidencePage[];
  'settings.get': () => Settings;
  /** Changes some settings; returns all of them. */
  'settings.set': (patch: Partial<Settings>) => Settings;
  /** The OCR language packs installed with the app. */
  'settings.languages': () => LanguageOption[];
  /** What this host offers besides the engine (native dialogs, reveal in file manager). */
  'app.capabilities': () => HostCapabilities;
  /** Queues exports of documents that are done (the export dialog); returns the batch to follow. */
  'export.start': (request: ExportRequest) => ExportStartResult;
  /** A batch's counts and per-document results (failed first); null when unknown. */
  'export.batch': (batchId: number, limit?: number) => ExportBatch | null;
  /** The pages that failed in these documents, with the reason (at most `perDocument` each, first pages first). */
  'review.failedPages': (docIds: number[], perDocument?: number) => FailedPage[];
  /** Exports that failed (and were not redone since), newest first: listed under "Needs attention". */
  'export.failures': (limit?: number) => ExportItem[];
  /** Queues failed exports again (by task id). */
  'export.retry': (taskIds: number[]) => void;
  /** A page's text, words and boxes, for the page view. */
  'review.page': (docId: number, pageNo: number) => PageDetail;
  /**
   * A page's picture, rendered by a worker (the next one that comes free; claimed work is not
   * touched). The browser-served mode also serves it at `PAGE_IMAGE_PATH`. `'prepared'`: the page
   * as the recognition step prepared it for Tesseract (turned, straightened, a photo flattened,
   * specks removed, scaled), prepared again with the document's options, full size, lossless.
   * A page that kept its PDF text layer has none (`NOT_FOUND`).
   */
  'review.pageImage': (docId: number, pageNo: number, picture?: PagePicture) => PageImage;
  /** Shows a document's file (or one of its outputs) in the system file manager. Desktop only. */
  'files.reveal': (request: { docId: number; path?: string }) => void;
  /** The native "choose folders" dialog; null when cancelled. Desktop only (`UNAVAILABLE` elsewhere). */
  'files.pickFolder': (request: { title?: string; multiple?: boolean }) => string[] | null;
  /** The watched folders, their state (watching / polling / unavailable) and what each has ingested. */
  'watch.list': () => WatchFolderRow[];
  /** Starts watching a folder (stored: it resumes with the app); a folder already watched gets the new options. */
  'watch.add': (request: WatchAddRequest) => WatchFolderRow;
  /**
   * Changes a watched folder's options; its watcher restarts with them before this returns (no app
   * restart). Bad options are refused with `fields` naming them.
   */
  'watch.update': (id: number, patch: Partial<WatchFolderOptions>) => WatchFolderRow;
  /** Stops watching a folder and forgets it (its files, outputs and queued documents stay). */
  'watch.remove': (id: number) => void;
  /** Lists a watched folder again now (what a rescan every few minutes does anyway). */
  'watch.rescan': (id: number) => void;
  /** Full-text search over the recognised pages: ranked hits with snippets, a page of them at a time. */
  'search.query': (request: SearchRequest) => SearchResults;
  /** How far the search index is (pages waiting, the build after an upgrade). */
  'search.status': () => SearchIndexStatus;
  /** Several machines: the Redis, whether it is connected, the worker nodes and what each is doing. */
  'cluster.status': () => ClusterStatus;
}

/** Pushed events and their payloads. Coalesced by the host (≤ 10 per second per window). */
export interface ApiEvents {
  /** Something in the queue changed: counts, rate, ETA, workers. */
  'queue.changed': QueueStatus;
  /**
   * These documents changed (state, progress, priority…): the rows as they are now, and the ids
   * that are gone. `truncated`: more changed than fit in one push (a big add); refetch what you show.
   */
  'document.changed': { rows: DocumentRow[]; removed: number[]; truncated: boolean };
  /** Exports of these batches moved on (refetch with `export.batch`). */
  'export.changed': { batchIds: number[] };
  /** A watched folder changed (state, counts, added, removed): the whole list as it is now. */
  'watch.changed': { folders: WatchFolderRow[] };
  /** The search index moved on (pages added, the build after an upgrade); at most once a second. */
  'search.changed': SearchIndexStatus;
  /** The worker nodes changed (joined, left, excluded, progressed): the cluster as it is now. */
  'cluster.changed': ClusterStatus;
}

export type ApiMethod = keyof ApiMethods;
export type ApiEvent = keyof ApiEvents;
export type ApiArgs<M extends ApiMethod> = Parameters<ApiMethods[M]>;
export type ApiValue<M extends ApiMethod> = Awaited<ReturnType<ApiMethods[M]>>;

/** Every method name, for bindings that must check a name before trusting it. */
export const API_METHODS = [
  'app.version',
  'app.diagnostics',
  'queue.counts',
  'queue.status',
  'queue.list',
  'queue.ids',
  'queue.add',
  'queue.pause',
  'queue.resume',
  'queue.cancel',
  'queue.retry',
  'queue.remove',
  'queue.setPriority',
  'queue.shiftPriority',
  'queue.setPaused',
  'review.failures',
  'review.lowConfidence',
  'review.failedPages',
  'settings.get',
  'settings.set',
  'settings.languages',
  'app.capabilities',
  'export.start',
  'export.batch',
  'export.failures',
  'export.retry',
  'review.page',
  'review.pageImage',
  'files.reveal',
  'files.pickFolder',
  'watch.list',
  'watch.add',
  'watch.update',
  'watch.remove',
  'watch.rescan',
  'search.query',
  'search.status',
  'cluster.status',
] as const satisfies readonly ApiMethod[];

/** Codes the API adds to the engine's own error codes. */
export type ApiErrorCode =
  | ErrorCode
  | 'UNKNOWN_METHOD'
  | 'BAD_REQUEST'
  | 'FORBIDDEN'
  | 'DISCONNECTED'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  /** The host cannot do this (a native dialog in a browser). */
  | 'UNAVAILABLE';

/** An error as it crosses a process boundary: a code the UI can act on and a message for people. */
export interface ApiError {
  code: ApiErrorCode;
  message: string;
  /**
   * What is wrong with particular fields of the request, for a form to show beside them: keys are
   * paths inside the argument (`outDir`, `ocr.languages`; for `watch.add`, `path` and
   * `options.outDir`…), values the reason in words. Absent when no field in particular is to blame.
   */
  fields?: Record<string, string>;
}

/** Errors cross process boundaries as values, never as thrown exceptions. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Electron IPC channels (used only by the main-side binding and the preload). */
export const IPC_CALL_CHANNEL = 'bulk-ocr:call';
export const IPC_EVENT_CHANNEL = 'bulk-ocr:event';

/** The WebSocket path of `bulk-ocr serve` and its upload endpoint. */
export const WS_PATH = '/api';
export const UPLOAD_PATH = '/upload';
/**
 * `GET PAGE_IMAGE_PATH?doc=<id>&page=<n>[&picture=prepared]`: a page's picture (JPEG), or the page
 * as prepared for Tesseract (PNG), in the browser-served mode.
 */
export const PAGE_IMAGE_PATH = '/page-image';

/** WebSocket frames. Client → server: a call. Server → client: its result, or an event. */
export type WsClientFrame = { id: number; method: string; args: unknown[] };
export type WsServerFrame =
  { id: number; result: ApiResult<unknown> } | { event: ApiEvent; payload: ApiEvents[ApiEvent] };

/** What the preload exposes as `window.bulkOcr`, and nothing more. */
export interface BulkOcrBridge {
  call<M extends ApiMethod>(method: M, ...args: ApiArgs<M>): Promise<ApiResult<ApiValue<M>>>;
  /** Subscribes to a pushed event; returns the unsubscribe function. */
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** The file-system path of a dropped `File` ('' for files that have none). */
  pathForFile(file: File): string;
}
