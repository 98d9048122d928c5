import { readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileLogger, formatLine, logPathFor } from '../../src/main/engine/log/logger.ts';
import { logTail } from '../../src/main/engine/diagnostics.ts';
import { tempDir } from '../helpers/engineRun.ts';

let dir: string;
beforeEach(() => {
  dir = tempDir('logs');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 24 * 3600 * 1000;

describe('structured log', () => {
  it('writes one JSON object per line with time, level, event and fields; never content fields', () => {
    const line = formatLine(
      'info',
      'page.done',
      { docId: 3, pageNo: 2, text: 'secret words', words: ['x'], ms: 12 },
      0,
    );
    expect(JSON.parse(line)).toEqual({
      t: '1970-01-01T00:00:00.000Z',
      level: 'info',
      event: 'page.done',
      docId: 3,
      pageNo: 2,
      ms: 12,
    });
    expect(
      (JSON.parse(formatLine('warn', 'x', { reason: 'y'.repeat(5000) }, 0)) as { reason: string }).reason
        .length,
    ).toBeLessThan(700);
  });

  it('rotates by size, keeps a bounded number of files, and the tail reads across them', () => {
    const path = join(dir, 'logs', 'bulk-ocr.log');
    const log = createFileLogger({ path, maxBytes: 2_000, keepFiles: 3 });
    for (let i = 0; i < 400; i++) log.info('page.done', { docId: i, pageNo: 1, ms: i });
    log.close();
    const files = readdirSync(join(dir, 'logs')).sort();
    expect(files).toEqual(['bulk-ocr.1.log', 'bulk-ocr.2.log', 'bulk-ocr.3.log', 'bulk-ocr.log']);
    for (const f of files) expect(readFileSync(join(dir, 'logs', f)).length).toBeLessThanOrEqual(2_000);
    // Every line of every file is a whole JSON record.
    for (const f of files)
      for (const l of readFileSync(join(dir, 'logs', f), 'utf8')
        .trim()
        .split('\n'))
        expect(() => JSON.parse(l) as unknown).not.toThrow();
    const tail = logTail(log.files(), 50);
    expect(tail).toHaveLength(50);
    expect(tail.at(-1)).toMatchObject({ event: 'page.done', docId: 399 });
    expect(tail[0]).toMatchObject({ docId: 350 });
  });

  it('rotates a file started more than a day ago and deletes rotated files past the age limit', () => {
    const path = join(dir, 'bulk-ocr.log');
    let now = Date.now();
    writeFileSync(join(dir, 'bulk-ocr.4.log'), '{"old":true}\n');
    utimesSync(join(dir, 'bulk-ocr.4.log'), new Date(now - 30 * DAY), new Date(now - 30 * DAY));
    const log = createFileLogger({ path, clock: () => now, maxAgeMs: 14 * DAY, keepFiles: 5 });
    log.info('engine.start');
    expect(readdirSync(dir)).not.toContain('bulk-ocr.4.log'); // pruned when the log was opened
    now += DAY + 1000;
    log.info('engine.start');
    log.close();
    expect(readdirSync(dir).sort()).toEqual(['bulk-ocr.1.log', 'bulk-ocr.log']);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('a log that cannot be written is reported once and never throws', () => {
    writeFileSync(join(dir, 'logs'), 'a file where the folder should be');
    const errors: string[] = [];
    const log = createFileLogger({
      path: join(dir, 'logs', 'bulk-ocr.log'),
      onError: (e) => errors.push(e.message),
    });
    expect(() => {
      log.info('a');
      log.info('b');
    }).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

describe('where a queue logs', () => {
  it("the app's own queue in its data folder's logs/; a --db FILE elsewhere in FILE.log, one per queue", () => {
    const data = join(dir, 'Bulk OCR');
    expect(logPathFor(join(data, 'queue.db'), data)).toBe(join(data, 'logs', 'bulk-ocr.log'));
    // No logs/ folder appears in the user's folder, and two queues there do not share a log.
    expect(logPathFor(join(dir, 'scans', 'a.db'), data)).toBe(join(dir, 'scans', 'a.db.log'));
    expect(logPathFor(join(dir, 'scans', 'b.db'), data)).toBe(join(dir, 'scans', 'b.db.log'));
  });

  it('rotates FILE.log as FILE.1.log beside it, and lists only its own files', () => {
    const path = logPathFor(join(dir, 'a.db'), join(dir, 'data'));
    const other = createFileLogger({ path: logPathFor(join(dir, 'b.db'), join(dir, 'data')) });
    other.info('other.queue');
    const log = createFileLogger({ path, maxBytes: 300 });
    for (let i = 0; i < 10; i++) log.info('test.line', { i, pad: 'x'.repeat(50) });
    expect(log.files().map((f) => f.slice(dir.length + 1))).toEqual(
      ['a.db.log', 'a.db.1.log', 'a.db.2.log', 'a.db.3.log', 'a.db.4.log', 'a.db.5.log'].slice(
        0,
        log.files().length,
      ),
    );
    expect(readdirSync(dir)).not.toContain('logs');
    log.close();
    other.close();
  });
});
