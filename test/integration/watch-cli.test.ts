import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS, tempDir } from '../helpers/engineRun.ts';
import { tinyPdf } from '../helpers/watchRun.ts';

/** `bulk-ocr watch` as a user runs it: a real process, real OCR, stopped with Ctrl-C (SIGINT). */
const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
const work = tempDir('watch-cli');
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
}

async function waitFor(what: string, check: () => boolean, run: Running, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; stderr:\n${run.output().stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('bulk-ocr watch', () => {
  const inbox = join(work, 'inbox');
  const out = join(work, 'out');
  const db = join(work, 'queue.db');
  mkdirSync(inbox, { recursive: true });

  it('OCRs what arrives, moves originals aside, and stops cleanly on Ctrl-C', async () => {
    const run = start(['watch', inbox, '--out', out, '--move', '--settle', '0.5', '--jobs', '1', '--db', db]);
    await waitFor('the watcher to start', () => /watching/.test(run.output().stderr), run);
    copyFileSync(join(CORPUS, 'synthetic/s08-image-png.png'), join(inbox, 'letter.png'));
    writeFileSync(join(inbox, 'broken.pdf'), tinyPdf('broken'));
    await waitFor(
      'both originals moved aside',
      () => existsSync(join(inbox, 'processed/letter.png')) && existsSync(join(inbox, 'failed/broken.pdf')),
      run,
    );
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    const { stdout, stderr } = run.output();
    expect(stderr).toMatch(/queued .*letter\.png/);
    expect(stderr).toMatch(/done +.*letter\.png \(1 page\)/);
    expect(stderr).toMatch(/failed +.*broken\.pdf: .*PDF/);
    expect(stderr).toMatch(/moved to failed\/broken\.pdf/);
    expect(stderr).not.toMatch(/unexpected error|at .*\.ts:\d+/);
    expect(stdout).toMatch(/Stopped\. This session: 2 files queued, 1 done, 1 failed\./);
    expect(readdirSync(out).sort()).toEqual(['letter.pdf', 'letter.txt']);
    expect(readFileSync(join(inbox, 'failed/broken.pdf.reason.txt'), 'utf8')).toMatch(/Reason: .*PDF/);
  });

  it('remembers the folder: files added while it was stopped are taken by a plain "bulk-ocr watch"', async () => {
    writeFileSync(join(inbox, 'while-stopped.pdf'), tinyPdf('while stopped'));
    const run = start(['watch', '--settle', '0.5', '--jobs', '1', '--db', db]);
    await waitFor(
      'the file added while stopped',
      () => existsSync(join(inbox, 'failed/while-stopped.pdf')),
      run,
    );
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);

    const list = spawnSync(process.execPath, [BIN, 'watch', '--list', '--json', '--db', db], {
      encoding: 'utf8',
    });
    expect(list.status).toBe(0);
    const folders = JSON.parse(list.stdout) as {
      path: string;
      stats: { ingested: number; done: number; failed: number };
    }[];
    expect(folders).toMatchObject([{ path: inbox, stats: { ingested: 3, done: 1, failed: 2 } }]);
  });

  it('pulled plug: scans arriving before, during and after a SIGKILL each come out exactly once', async () => {
    const drop = join(work, 'drop');
    const dropOut = join(work, 'drop-out');
    const dropDb = join(work, 'drop.db');
    mkdirSync(drop);
    // 150 small files that fail at their probe (no OCR needed) and two real scans with different
    // bytes (the second carries junk after the PNG's end), all arriving over about three seconds.
    const png = readFileSync(join(CORPUS, 'synthetic/s08-image-png.png'));
    const files: [string, Buffer | string][] = [
      ['scan-a.png', png],
      ['scan-b.png', Buffer.concat([png, Buffer.from('trailing bytes after IEND')])],
      ...Array.from({ length: 150 }, (_, i): [string, string] => [
        `doc-${String(i).padStart(3, '0')}.pdf`,
        tinyPdf(`plug ${i}`),
      ]),
    ];
    let written = 0;
    const writeSome = (): void => {
      for (const [name, bytes] of files.slice(written, written + 8)) writeFileSync(join(drop, name), bytes);
      written = Math.min(files.length, written + 8);
    };
    // The first scans are there before the watcher starts; the rest arrive from the moment it has
    // queued one, so they keep arriving across the kill however long the start takes (a loaded machine).
    writeSome();
    const count = (sql: string): number => {
      if (!existsSync(dropDb)) return 0;
      const conn = new Database(dropDb, { readonly: true, fileMustExist: true });
      try {
        return (conn.prepare(sql).get() as { n: number }).n;
      } catch {
        return 0; // not migrated yet
      } finally {
        conn.close();
      }
    };
    const args = ['watch', drop, '--out', dropOut, '--settle', '0.3', '--jobs', '1', '--db', dropDb];
    const first = start(args);
    await waitFor('some files queued', () => count('SELECT count(*) AS n FROM documents') > 0, first);
    const writer = setInterval(() => {
      writeSome();
      if (written === files.length) clearInterval(writer);
    }, 150);
    first.child.kill('SIGKILL');
    await first.exited;
    const queuedBeforeKill = count('SELECT count(*) AS n FROM documents');

    const second = start(['watch', '--settle', '0.3', '--jobs', '1', '--db', dropDb]);
    await waitFor(
      'every file queued and ended',
      () =>
        written === files.length &&
        count('SELECT count(*) AS n FROM documents') === files.length &&
        count(`SELECT count(*) AS n FROM documents WHERE state NOT IN ('done', 'failed')`) === 0,
      second,
      120_000,
    );
    await waitFor(
      'outputs',
      () => existsSync(join(dropOut, 'scan-b.txt')) && existsSync(join(dropOut, 'scan-a.txt')),
      second,
    );
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);

    expect(queuedBeforeKill).toBeLessThan(files.length);
    expect(count('SELECT count(DISTINCT path) AS n FROM documents')).toBe(files.length);
    expect(count('SELECT count(*) AS n FROM watch_files')).toBe(files.length);
    expect(count(`SELECT count(*) AS n FROM documents WHERE state = 'done'`)).toBe(2);
    expect(readdirSync(dropOut).sort()).toEqual(['scan-a.pdf', 'scan-a.txt', 'scan-b.pdf', 'scan-b.txt']);
    expect(readFileSync(join(dropOut, 'scan-b.txt'), 'utf8')).toBe(
      readFileSync(join(dropOut, 'scan-a.txt'), 'utf8'),
    );
  });

  it('explains usage mistakes and teaches in --help', () => {
    const missing = spawnSync(process.execPath, [BIN, 'watch', join(work, 'nope'), '--db', db], {
      encoding: 'utf8',
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no such folder: .*nope/);
    const none = spawnSync(process.execPath, [BIN, 'watch', '--db', join(work, 'empty.db')], {
      encoding: 'utf8',
    });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no folders to watch/);
    const help = spawnSync(process.execPath, [BIN, 'watch', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/What is guaranteed/);
    expect(help.stdout).toMatch(/--move/);
    const forget = spawnSync(process.execPath, [BIN, 'watch', '--forget', inbox, '--db', db], {
      encoding: 'utf8',
    });
    expect(forget.stdout).toMatch(/No longer watching/);
  });
});
