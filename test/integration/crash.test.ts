import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS, tempDir } from '../helpers/engineRun.ts';
import { groupMembers, isWorker } from '../fault/processes.ts';

/**
 * Pull the plug: the `bulk-ocr run` process is killed with SIGKILL in the middle of a run (no
 * chance to clean up), then the same command is run again. Nothing done before the kill is redone,
 * everything finishes, and no worker process outlives its engine.
 */
const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
const work = tempDir('crash');
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface PageRow {
  doc: string;
  page_no: number;
  state: string;
  attempts: number;
  finished_at: number | null;
}

function pages(db: string): PageRow[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn
      .prepare(
        `SELECT d.path AS doc, p.page_no, p.state, p.attempts, p.finished_at FROM pages p JOIN documents d ON d.id = p.doc_id ORDER BY d.path, p.page_no`,
      )
      .all() as PageRow[];
  } finally {
    conn.close();
  }
}

/** Worker processes of this run: they stay in its process group after their parent is gone (other tests' are not). */
/** The pages while the run is starting too: no database yet, or its schema not written yet, is no page. */
function pagesSoFar(db: string): PageRow[] {
  try {
    return pages(db);
  } catch {
    return [];
  }
}

function workerPids(pgid: number): number[] {
  return groupMembers(pgid)
    .filter(isWorker)
    .map((p) => p.pid);
}

describe('killing bulk-ocr mid-run', () => {
  it('loses no finished page, redoes none, and completes on the next run', async () => {
    const input = join(work, 'in');
    const out = join(work, 'out');
    const db = join(work, 'queue.db');
    mkdirSync(input);
    for (const f of ['s02-report-5p.pdf', 's01-letter.pdf', 's08-image-png.png'])
      copyFileSync(join(CORPUS, 'synthetic', f), join(input, f));

    // First run: killed with SIGKILL once three pages are done.
    const child = spawn(process.execPath, [BIN, 'run', input, '--out', out, '--db', db], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true, // its own process group, to find its workers by
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const done = pagesSoFar(db).filter((p) => p.state === 'done').length;
      if (done >= 3) break;
    }
    expect(workerPids(child.pid!).length).toBeGreaterThan(0);
    child.kill('SIGKILL'); // the engine only: its workers must notice and go
    expect(await exited).toBe('SIGKILL');
    const before = pages(db);
    const doneBefore = before.filter((p) => p.state === 'done');
    expect(doneBefore.length).toBeGreaterThanOrEqual(3);
    expect(
      before.some((p) => p.state !== 'done'),
      'the kill came before the end',
    ).toBe(true);

    // The workers notice their engine is gone and exit on their own.
    // (A worker deep in a recognition reads the disconnect when the page is done: allow for that.)
    for (let i = 0; i < 120 && workerPids(child.pid!).length > 0; i++)
      await new Promise((r) => setTimeout(r, 250));
    expect(workerPids(child.pid!)).toEqual([]);

    // Second run: the same command.
    const again = spawnSync(process.execPath, [BIN, 'run', input, '--out', out, '--db', db, '--json'], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Resuming: \d+ unfinished task/);
    const after = pages(db);
    expect(after.every((p) => p.state === 'done')).toBe(true);
    // Pages finished before the kill were not recognised again.
    for (const p of doneBefore) {
      expect(after.find((a) => a.doc === p.doc && a.page_no === p.page_no)).toMatchObject({
        finished_at: p.finished_at,
        attempts: p.attempts,
      });
    }
    // Every output once, complete; no temporary file left behind.
    expect(readdirSync(out).sort()).toEqual([
      's01-letter.pdf',
      's01-letter.txt',
      's02-report-5p.pdf',
      's02-report-5p.txt',
      's08-image-png.pdf',
      's08-image-png.txt',
    ]);
    const conn = new Database(db, { readonly: true });
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(conn.prepare(`SELECT count(*) AS n FROM documents WHERE state != 'done'`).get()).toEqual({ n: 0 });
    conn.close();
    expect(stderr).not.toMatch(/unexpected error/);
  });
});
