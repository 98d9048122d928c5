/**
 * Structured logs: one JSON object per line, `{ "t": ISO time, "level", "event", …fields }`, in the
 * data folder's `logs/bulk-ocr.log`. They are for a user to send with a problem report, so they
 * carry ids, codes, timings and file paths, and never what a document says: fields that could
 * hold recognised text are refused by name (`text`, `words`, …) and long strings are cut.
 * People read the CLI's and the window's own messages; nothing here is printed to a terminal.
 */
import { dirname, join } from 'node:path';
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
 * Where the log of a queue goes: `logs/bulk-ocr.log` beside its database, which for the default
 * queue is the app's data folder (`~/.config/Bulk OCR/logs/` on Linux). A `--db` elsewhere (tests,
 * a second queue) keeps its log beside it.
 */
export function logPathFor(dbPath: string): string {
  return join(dirname(dbPath), 'logs', 'bulk-ocr.log');
}
