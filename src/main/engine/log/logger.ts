/**
 * Structured logs: one JSON object per line, `{ "t": ISO time, "level", "event", …fields }`, in the
 * data folder's `logs/bulk-ocr.log`. They are for a user to send with a problem report, so they
 * carry ids, codes, timings and file paths, and never what a document says: fields that could
 * hold recognised text are refused by name (`text`, `words`, …) and long strings are cut.
 * People read the CLI's and the window's own messages; nothing here is printed to a terminal.
 */
import { dirname, join, resolve } from 'node:path';
import { defaultDataDir } from '../dataDir.ts';
import { RotatingFile, type RotatingFileOptions } from './rotatingFile.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<
  string,
  string | number | boolean | null | undefined | readonly (string | number)[]
>;

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** The files a diagnostics export reads its tail from, newest first (none for a silent logger). */
  files(): string[];
  close(): void;
}

/** Field names that would carry document content: dropped wherever they appear. */
const CONTENT_FIELDS = new Set(['text', 'words', 'content', 'body', 'ocrText', 'pageText']);
/** Longest string kept in a field (paths and messages fit; a page of text does not). */
const MAX_STRING = 600;

export function formatLine(level: LogLevel, event: string, fields: LogFields, now: number): string {
  const record: Record<string, unknown> = { t: new Date(now).toISOString(), level, event };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || CONTENT_FIELDS.has(key)) continue;
    record[key] =
      typeof value === 'string' && value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  }
  return JSON.stringify(record);
}

export function createFileLogger(opts: RotatingFileOptions & { minLevel?: LogLevel }): Logger {
  const file = new RotatingFile(opts);
  const clock = opts.clock ?? Date.now;
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(opts.minLevel ?? 'info');
  const log = (level: LogLevel, event: string, fields: LogFields = {}): void => {
    if (order.indexOf(level) < min) return;
    file.write(formatLine(level, event, fields, clock()));
  };
  return {
    log,
    info: (e, f) => log('info', e, f),
    warn: (e, f) => log('warn', e, f),
    error: (e, f) => log('error', e, f),
    files: () => file.files(),
    close: () => file.close(),
  };
}

/** A logger that drops everything (tests, and engines created without one). */
export const silentLogger: Logger = {
  log: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  files: () => [],
  close: () => undefined,
};

/**
 * Where the log of a queue goes. The app's own queue (in its data folder) logs to the data
 * folder's `logs/bulk-ocr.log` (`~/.config/Bulk OCR/logs/` on Linux). A `--db FILE` elsewhere logs
 * to `FILE.log` beside it (rotated as `FILE.1.log`, …): a companion named after the queue, as
 * SQLite's `FILE-wal` is, rather than a `logs/` folder that appears unasked in the user's folder
 * and that two queues in one folder would share.
 */
export function logPathFor(dbPath: string, dataDir: string = defaultDataDir()): string {
  if (resolve(dirname(dbPath)) === resolve(dataDir)) return join(dataDir, 'logs', 'bulk-ocr.log');
  return `${resolve(dbPath)}.log`;
}
