/**
 * The diagnostics report ("Export diagnostics" in the window, `bulk-ocr diagnostics`): versions,
 * the queue, recent errors with their reasons, settings and the log's tail. File names, ids, codes
 * and timings; never a document's text (the log holds none, and the tail is filtered again).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { release, type as osType } from 'node:os';
import type { Diagnostics } from '../../shared/api.ts';
import type { Db } from './store/db.ts';
import { isGloballyPaused, queueCounts, recentFailures } from './store/documents.ts';
import { databaseFacts, failedPageReasons } from './store/diagnostics.ts';
import { readSettings } from './settings.ts';
import { loadNativeAddon } from '../worker/nativeTesseract.ts';

const require = createRequire(import.meta.url);

/** A dependency's version from its package.json, or null where it cannot be found (a trimmed bundle). */
function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

function nativeVersion(): string {
  const state = loadNativeAddon();
  return 'addon' in state ? state.addon.version() : `not used: ${state.reason}`;
}

export function versions(db: Db | null, appVersion: string): Diagnostics['versions'] {
  return {
    app: appVersion,
    node: process.versions.node,
    electron: process.versions.electron ?? null,
    v8: process.versions.v8,
    tesseractJs: packageVersion('tesseract.js'),
    tesseractCore: packageVersion('tesseract.js-core'),
    libtesseract: nativeVersion(),
    pdfjs: packageVersion('pdfjs-dist'),
    sqlite: db ? databaseFacts(db).sqlite : 'unknown',
    betterSqlite3: packageVersion('better-sqlite3'),
    os: `${osType()} ${release()} ${process.arch}`,
  };
}

export interface DiagnosticsInput {
  db: Db;
  dbPath: string;
  appVersion: string;
  /** The log files, newest first. */
  logFiles: string[];
  workers: Diagnostics['workers'];
  /** Log lines to include at most. */
  tailLines?: number;
}

/** Keys a log record may never carry into a report (the logger drops them too). */
const CONTENT_KEYS = new Set(['text', 'words', 'content', 'body', 'ocrText', 'pageText']);

export function buildDiagnostics(input: DiagnosticsInput): Diagnostics {
  const { db } = input;
  const failures = recentFailures(db, 20);
  let bytes = 0;
  try {
    bytes = statSync(input.dbPath).size;
  } catch {
    // in memory, or gone
  }
  return {
    generatedAt: new Date().toISOString(),
    versions: versions(db, input.appVersion),
    database: { path: input.dbPath, schema: databaseFacts(db).schema, bytes },
    queue: queueCounts(db),
    paused: isGloballyPaused(db),
    workers: input.workers,
    settings: readSettings(db),
    recentErrors: failures.map((f) => ({
      docId: f.id,
      file: basename(f.path),
      state: f.state,
      code: f.error?.code ?? null,
      message: f.error?.message ?? null,
      pages: failedPageReasons(db, f.id, 10),
    })),
    log: { files: input.logFiles, tail: logTail(input.logFiles, input.tailLines ?? 200) },
  };
}

/** The last `lines` JSON records of the log (oldest first), read from the end of the newest files. */
export function logTail(files: string[], lines: number): Record<string, unknown>[] {
  const collected: string[] = [];
  for (const file of files) {
    const text = readEnd(file, 256 * 1024);
    const fileLines = text.split('\n').filter((l) => l.startsWith('{'));
    collected.unshift(...fileLines.slice(-(lines - collected.length)));
    if (collected.length >= lines) break;
  }
  const records: Record<string, unknown>[] = [];
  for (const line of collected.slice(-lines)) {
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      for (const key of Object.keys(record)) if (CONTENT_KEYS.has(key)) delete record[key];
      records.push(record);
    } catch {
      // a line cut by the read window or a crash mid-write
    }
  }
  return records;
}

function readEnd(file: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = statSync(file).size;
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const text = buf.toString('utf8');
    // Drop a first line cut in the middle.
    return length < size ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    closeSync(fd);
  }
}
