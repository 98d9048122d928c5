import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostics } from '../../src/shared/api.ts';
import { createRouter } from '../../src/main/api/router.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { CORPUS, tempDir } from '../helpers/engineRun.ts';

/**
 * Logs a user can send: `bulk-ocr run` writes JSON lines beside its queue (ids, workers, timings,
 * error codes), the terminal shows people's messages only, and neither the log nor the diagnostics
 * report holds a word of the documents.
 */
const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
const work = tempDir('logs-it');
const db = join(work, 'queue.db');
const logFile = join(work, 'queue.db.log');
let run: { status: number | null; stdout: string; stderr: string };
let records: Record<string, unknown>[];
let logText: string;
/** Pairs of neighbouring words the OCR read from the page. */
let recognised: string[];

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const input = join(work, 'in');
  mkdirSync(input);
  copyFileSync(join(CORPUS, 'synthetic/s01-letter.pdf'), join(input, 'letter.pdf'));
  writeFileSync(join(input, 'empty.pdf'), '');
  run = cli(['run', input, '--out', join(work, 'out'), '--db', db, '--jobs', '1', '--format', 'txt']);
  logText = readFileSync(logFile, 'utf8');
  records = logText
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const text = readFileSync(join(work, 'out', 'letter.txt'), 'utf8');
  // Pairs of neighbouring words: a line of the page would show up as one, while our own keys and
  // messages (which share single words with any English text: "documents", "version") do not.
  const words = text.match(/[A-Za-z]{3,}/g) ?? [];
  recognised = [...new Set(words.slice(1).map((w, i) => `${words[i]} ${w}`))];
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('structured logs', () => {
  it('are JSON lines in FILE.log beside the queue FILE (no logs/ folder made there), with ids, worker, timings and codes', () => {
    expect(run.status).toBe(1); // one file failed
    expect(existsSync(join(work, 'logs'))).toBe(false);
    for (const r of records)
      expect([typeof r.t, typeof r.level, typeof r.event], JSON.stringify(r)).toEqual([
        'string',
        'string',
        'string',
      ]);
    const events = records.map((r) => r.event);
    for (const e of [
      'engine.open',
      'engine.start',
      'queue.add',
      'probe.done',
      'page.done',
      'export.done',
      'engine.stop',
    ])
      expect(events, e).toContain(e);
    const page = records.find((r) => r.event === 'page.done')!;
    expect(page).toMatchObject({ pageNo: 1, source: 'ocr' });
    for (const k of ['docId', 'worker', 'ms', 'recognizeMs', 'rasterizeMs'])
      expect(typeof page[k], k).toBe('number');
    const failed = records.find((r) => r.event === 'probe.failed')!;
    expect(failed).toMatchObject({ code: 'EMPTY_FILE', level: 'warn' });
    expect(typeof failed.docId).toBe('number');
  });

  it('never hold document text', () => {
    expect(recognised.length).toBeGreaterThan(10);
    for (const w of recognised) expect(logText, w).not.toContain(w);
  });

  it('the terminal shows messages for people, not log lines', () => {
    for (const out of [run.stdout, run.stderr]) expect(out).not.toMatch(/\{"t":"/);
    expect(run.stderr + run.stdout).toMatch(/empty\.pdf/);
    expect(run.stderr + run.stdout).toMatch(/file is empty/);
  });
});

describe('diagnostics', () => {
  const expectReport = (d: Diagnostics): void => {
    expect(d.versions.node).toBe(process.versions.node);
    for (const k of ['pdfjs', 'tesseractCore', 'tesseractJs', 'sqlite', 'betterSqlite3', 'app'] as const)
      expect(d.versions[k], k).toMatch(/^\d+\.\d+/);
    // The native library's version where the addon was built, else why the WASM build is used.
    expect(d.versions.libtesseract).toMatch(/^5\.\d+|^not used: ./);
    expect(d.queue.documents).toMatchObject({ total: 2, done: 1, failed: 1 });
    expect(d.recentErrors).toEqual([expect.objectContaining({ file: 'empty.pdf', code: 'EMPTY_FILE' })]);
    expect(d.settings).toHaveProperty('dpi');
    expect(d.log.tail.length).toBeGreaterThan(5);
    expect(d.log.tail.at(-1)).toHaveProperty('event');
    const json = JSON.stringify(d);
    for (const w of recognised) expect(json, w).not.toContain(w);
  };

  it('bulk-ocr diagnostics --out FILE writes the report', () => {
    const out = join(work, 'diag.json');
    const r = cli(['diagnostics', '--db', db, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(out);
    expectReport(JSON.parse(readFileSync(out, 'utf8')) as Diagnostics);
  });

  it('the app.diagnostics contract method gives the same, with the workers', async () => {
    const engine = new Engine({
      dbPath: db,
      spawn: () => {
        throw new Error('not started');
      },
      jobs: 1,
    });
    const router = createRouter({ engine, version: '0.1.0' });
    try {
      const r = await router.call('app.diagnostics', []);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const d = r.value as Diagnostics;
      expectReport(d);
      expect(d.workers).toMatchObject({ busy: 0 }); // the engine was not started: no worker yet
      expect(d.log.files[0]).toBe(logFile);
    } finally {
      router.close();
      await engine.stop();
    }
  });

  it('bulk-ocr status --json carries counts, recent errors and versions', () => {
    const r = cli(['status', '--db', db, '--json']);
    const s = JSON.parse(r.stdout) as {
      versions: Diagnostics['versions'];
      documents: { total: number };
      recentFailures: { code: string }[];
    };
    expect(s.documents.total).toBe(2);
    expect(s.recentFailures[0].code).toBe('EMPTY_FILE');
    expect(s.versions.pdfjs).toMatch(/^\d+\./);
  });
});
