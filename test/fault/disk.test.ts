import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import type { RunSummary } from '../../src/main/cli/run.ts';
import { ingestRequest, tempDir, waitForDocuments } from '../helpers/engineRun.ts';
import { CORPUS } from './corpus.ts';
import { writeMixedDocuments } from './generate.ts';
import { readPages } from './queueDb.ts';

/**
 * Issue 6, promise 3: disk trouble. The output folder read-only, the output disk full (a real
 * tmpfs where one can be mounted), the input deleted or replaced mid-run: a clear error on that
 * document naming the file and the cause, no partial file presented as done, the rest go on, and
 * a retry succeeds once the cause is gone.
 */
const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');
const work = tempDir('disk');
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  rmSync(work, { recursive: true, force: true });
});

/** Mounts a tmpfs of `size` at `dir`; false where this is not allowed (not root, no CAP_SYS_ADMIN). */
function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return false;
  mounts.push(dir);
  return true;
}
const canMount = ((): boolean => {
  const probe = join(work, 'probe-mount');
  const ok = mountTmpfs(probe, '1m');
  if (ok) spawnSync('umount', [probe]);
  mounts.length = 0;
  return ok;
})();

function run(
  input: string,
  out: string,
  db: string,
): { code: number | null; summary: RunSummary; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [BIN, 'run', input, '--out', out, '--db', db, '--dpi', '100', '--jobs', '2', '--json'],
    { encoding: 'utf8', timeout: 300_000 },
  );
  return { code: r.status, summary: JSON.parse(r.stdout) as RunSummary, stderr: r.stderr };
}

function filesUnder(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .sort()
    : [];
}

function pdfPages(file: string): number | null {
  const m = /^Pages:\s+(\d+)/m.exec(spawnSync('pdfinfo', [file], { encoding: 'utf8' }).stdout);
  return m ? Number(m[1]) : null;
}

describe('disk trouble', () => {
  it.skipIf(!canMount && process.getuid?.() === 0)(
    'a read-only output folder: every document fails naming the file and the cause; after it is writable, a re-run exports without OCR again',
    async () => {
      const input = join(work, 'ro-in');
      const mnt = join(work, 'ro-mnt');
      const db = join(work, 'ro.db');
      mkdirSync(input);
      await writeMixedDocuments(input, 3, 3);
      let makeWritable: () => void;
      if (canMount) {
        mountTmpfs(mnt, '8m');
        mkdirSync(join(mnt, 'out'));
        expect(spawnSync('mount', ['-o', 'remount,ro', mnt]).status).toBe(0);
        makeWritable = () => void spawnSync('mount', ['-o', 'remount,rw', mnt]);
      } else {
        // Not root: permissions do the same job.
        mkdirSync(join(mnt, 'out'), { recursive: true });
        spawnSync('chmod', ['555', join(mnt, 'out')]);
        makeWritable = () => void spawnSync('chmod', ['755', join(mnt, 'out')]);
      }
      const out = join(mnt, 'out');

      const first = run(input, out, db);
      expect(first.code).toBe(1);
      expect(first.summary.documents).toMatchObject({ total: 3, done: 0, failed: 3 });
      const cause = canMount ? 'the file system is read-only' : 'permission denied';
      for (const f of first.summary.failures) {
        expect(f.code).toBe('OUTPUT_FAILED');
        expect(f.message).toMatch(new RegExp(`^cannot write ${out}/doc-0000\\d\\.(txt|pdf): ${cause}$`));
      }
      expect(filesUnder(out)).toEqual([]);
      const pagesBefore = readPages(db);
      expect(pagesBefore.every((p) => p.state === 'done')).toBe(true);

      makeWritable();
      const again = run(input, out, db);
      expect(again.code, again.stderr).toBe(0);
      expect(again.summary.documents).toMatchObject({ total: 3, done: 3, failed: 0 });
      expect(filesUnder(out)).toEqual([
        'doc-00000.pdf',
        'doc-00000.txt',
        'doc-00001.pdf',
        'doc-00001.txt',
        'doc-00002.pdf',
        'doc-00002.txt',
      ]);
      for (const n of [0, 1, 2]) expect(pdfPages(join(out, `doc-0000${n}.pdf`))).toBe(n === 2 ? 1 : n + 1);
      // Only the export was retried: the recognised pages are the same rows, not redone.
      expect(readPages(db)).toEqual(pagesBefore);
    },
  );

  it.skipIf(!canMount)(
    'a full output disk: the document that does not fit fails naming the file, leaves nothing behind, the others are written; with room, a re-run finishes it',
    async () => {
      const input = join(work, 'full-in');
      const mnt = join(work, 'full-mnt');
      const db = join(work, 'full.db');
      mkdirSync(input);
      await writeMixedDocuments(input, 4, 0); // small born-digital PDFs: a few KB of output each
      copyFileSync(join(CORPUS, 'synthetic', 's01-letter.pdf'), join(input, 's01-letter.pdf')); // ~650 KB of output
      mountTmpfs(mnt, '1m');
      const out = join(mnt, 'out');
      mkdirSync(out);
      writeFileSync(join(mnt, 'filler'), Buffer.alloc(600 * 1024, 1)); // leaves ~400 KB

      const first = run(input, out, db);
      expect(first.code).toBe(1);
      expect(first.summary.documents).toMatchObject({ total: 5, done: 4, failed: 1 });
      expect(first.summary.failures).toEqual([
        {
          path: join(input, 's01-letter.pdf'),
          code: 'OUTPUT_FAILED',
          message: `cannot write ${out}/s01-letter.pdf: the disk is full`,
        },
      ]);
      // All or nothing: no .txt without its .pdf, no temporary file.
      expect(filesUnder(out)).toEqual([0, 1, 2, 3].flatMap((n) => [`doc-0000${n}.pdf`, `doc-0000${n}.txt`]));

      rmSync(join(mnt, 'filler'));
      const again = run(input, out, db);
      expect(again.code, again.stderr).toBe(0);
      expect(again.summary.documents).toMatchObject({ total: 5, done: 5, failed: 0 });
      expect(pdfPages(join(out, 's01-letter.pdf'))).toBe(1);
      expect(readFileSync(join(out, 's01-letter.txt'), 'utf8')).toMatch(/\w{3,}/);
    },
  );

  describe('the input deleted or replaced while it is being recognised', () => {
    /** Runs a 5-page scan and three small documents; `act` runs once the scan's first page is done. */
    async function runWith(name: string, act: (victim: string) => void) {
      const input = join(work, `${name}-in`);
      const out = join(work, `${name}-out`);
      mkdirSync(input);
      await writeMixedDocuments(input, 3, 0);
      const victim = join(input, 'report.pdf');
      copyFileSync(join(CORPUS, 'synthetic', 's02-report-5p.pdf'), victim);
      const engine = new Engine({
        dbPath: join(work, `${name}.db`),
        spawn: forkSpawner(),
        jobs: 1, // one page at a time: the file changes between two pages of the scan
        policy: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 1_000 },
      });
      engine.start();
      const { outcomes } = await engine.ingest(
        ingestRequest([input], out, { options: { languages: ['eng'], dpi: 100, mode: 'auto' } }),
      );
      const ids = outcomes.map((o) => o.id);
      const victimId = engine.read.documents(ids).find((d) => d.path === victim)!.id;
      await new Promise<void>((ok) => {
        const onPage = (e: { docId: number; ok: boolean }): void => {
          if (e.docId !== victimId || !e.ok) return;
          engine.events.off('page', onPage);
          act(victim);
          ok();
        };
        engine.events.on('page', onPage);
      });
      const rows = await waitForDocuments(engine, ids);
      return { engine, ids, victim, victimId, out, rows };
    }

    it('deleted: that document fails naming the file, the others are done, no output of it; put back, a retry finishes it without redoing page 1', async () => {
      const moved = join(work, 'report-moved-away.pdf');
      const { engine, victim, victimId, out, rows, ids } = await runWith('deleted', (v) =>
        renameSync(v, moved),
      );
      try {
        const v = rows.find((r) => r.id === victimId)!;
        expect(v.state).toBe('failed');
        expect(v.error).toEqual({ code: 'NOT_FOUND', message: `${victim} no longer exists` });
        expect(rows.filter((r) => r.id !== victimId).map((r) => r.state)).toEqual(['done', 'done', 'done']);
        expect(filesUnder(out).filter((f) => f.startsWith('report'))).toEqual([]);
        const page1 = engine.db
          .prepare('SELECT finished_at FROM pages WHERE doc_id = ? AND page_no = 1')
          .get(victimId);

        copyFileSync(moved, victim); // back, with a new modification time but the same bytes
        engine.retry([victimId]);
        const [after] = await waitForDocuments(engine, [victimId]);
        expect(after.state).toBe('done');
        expect(
          engine.db.prepare('SELECT finished_at FROM pages WHERE doc_id = ? AND page_no = 1').get(victimId),
        ).toEqual(page1);
        expect(pdfPages(join(out, 'report.pdf'))).toBe(5);
        expect(ids).toHaveLength(4);
      } finally {
        await engine.stop();
      }
    });

    it('replaced: that document fails as changed (no output mixing two files); a retry reads the new file from the start', async () => {
      const { engine, victim, victimId, out, rows } = await runWith('replaced', (v) => {
        // Another document under the same name, written the way editors save: a new file renamed over.
        copyFileSync(join(CORPUS, 'synthetic', 's01-letter.pdf'), `${v}.new`);
        renameSync(`${v}.new`, v);
      });
      try {
        const v = rows.find((r) => r.id === victimId)!;
        expect(v.state).toBe('failed');
        expect(v.error).toEqual({
          code: 'FILE_CHANGED',
          message: `${victim} was replaced or changed while it was being processed; retry it to process the new version`,
        });
        expect(rows.filter((r) => r.id !== victimId).map((r) => r.state)).toEqual(['done', 'done', 'done']);
        expect(filesUnder(out).filter((f) => f.startsWith('report'))).toEqual([]);

        engine.retry([victimId]);
        const [after] = await waitForDocuments(engine, [victimId]);
        expect(after).toMatchObject({ state: 'done', pageCount: 1 });
        expect(pdfPages(join(out, 'report.pdf'))).toBe(1);
        expect(readFileSync(join(out, 'report.txt'), 'utf8')).not.toContain('\f'); // one page, not five mixed
      } finally {
        await engine.stop();
      }
    });
  });
});
