/**
 * The light helper process (no Tesseract) opens files and draws pages for the window, so neither
 * waits for a recognition to end: with the only OCR worker stuck on a page for good, every file's
 * page count is still known and a page's picture still arrives. (How fast the picture comes on a
 * busy queue is measured by the benchmark: `npm run bench -- --page-view-only`.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import { OCR_NICENESS } from '../../src/main/worker/priority.ts';
import type { WorkerPort, WorkerReply, WorkerRole } from '../../src/main/worker/protocol.ts';

const repo = resolve(import.meta.dirname, '../..');
const stuck = join(repo, 'test/helpers/stuckOcrWorker.entry.ts');
const samples = join(repo, 'samples');

let engine: Engine | null = null;
let dir = '';
afterEach(async () => {
  await engine?.stop();
  engine = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The niceness of every thread of a process (Linux: field 19 of /proc/PID/task/TID/stat). */
function threadNiceness(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19 - 3]);
  });
}

/** A worker process of `role` with the replies it has sent so far. */
function startWorker(role: WorkerRole): { port: WorkerPort; replies: WorkerReply[] } {
  const port = forkSpawner()(role);
  const replies: WorkerReply[] = [];
  port.onMessage((m) => replies.push(m));
  return { port, replies };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the light helper process', () => {
  it('counts pages and draws a page while every OCR worker is stuck on a recognition', async () => {
    dir = mkdtempSync(join(tmpdir(), 'helper-'));
    engine = new Engine({ dbPath: join(dir, 'queue.db'), spawn: forkSpawner(stuck), jobs: 1 });
    const e = engine;
    e.start();
    const summary = await e.ingest({
      paths: [samples],
      source: 'cli',
      options: { languages: ['eng'], dpi: 300, mode: 'auto' },
      outDir: join(dir, 'out'),
      formats: ['txt'],
      overwrite: false,
    });
    const ids = summary.outcomes.map((o) => o.id);
    expect(ids).toHaveLength(4);
    await until(() => e.read.documents(ids).every((d) => d.pageCount !== null), 60_000);
    expect(e.read.documents(ids).reduce((n, d) => n + (d.pageCount ?? 0), 0)).toBe(5);
    await until(() => e.workers.busy === 1, 30_000);
    expect(e.read.counts().pages.done).toBe(0);

    const minutes = e.read.documents(ids).find((d) => d.path.endsWith('minutes.pdf'))!;
    const picture = await e.renderPage({ path: minutes.path, pageNo: 2, dpi: 100, maxSide: 800 });
    expect(picture.ok).toBe(true);
    if (!picture.ok) return;
    expect([...picture.value.image.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(Math.max(picture.value.width, picture.value.height)).toBe(800);
    expect(e.workers.busy, 'the OCR worker is still on its page').toBe(1);
  });

  it('refuses to recognise a page, with a reason', async () => {
    const { port, replies } = startWorker('light');
    try {
      await until(() => replies.some((r) => r.type === 'ready'), 30_000);
      port.send({
        type: 'page',
        id: 1,
        path: join(samples, 'letter.pdf'),
        pageNo: 1,
        options: { languages: ['eng'], dpi: 300, mode: 'auto' },
      });
      await until(() => replies.some((r) => r.type === 'failed'), 30_000);
      const failed = replies.find((r) => r.type === 'failed');
      expect(failed && 'error' in failed ? failed.error.message : '').toMatch(/does not recognise pages/);
    } finally {
      port.send({ type: 'shutdown' });
    }
  });

  it('runs at normal priority while every thread of an OCR worker runs below it (niceness 10)', async () => {
    const ocr = startWorker('ocr');
    const light = startWorker('light');
    try {
      await until(() => [ocr, light].every((w) => w.replies.some((r) => r.type === 'ready')), 60_000);
      // A page recognised first, so the threads Tesseract and pdf.js start are there too.
      ocr.port.send({
        type: 'page',
        id: 1,
        path: join(samples, 'letter.pdf'),
        pageNo: 1,
        options: { languages: ['eng'], dpi: 300, mode: 'auto' },
      });
      await until(() => ocr.replies.some((r) => r.type === 'done'), 60_000);

      const ocrThreads = threadNiceness(ocr.port.pid!);
      expect(ocrThreads.length).toBeGreaterThan(1);
      // (This test's own niceness, which both inherit, is 0 unless it runs under `nice`: a worker
      // never raises it.)
      expect(new Set(ocrThreads)).toEqual(new Set([Math.max(OCR_NICENESS, getPriority())]));
      expect(new Set(threadNiceness(light.port.pid!))).toEqual(new Set([getPriority()]));
    } finally {
      for (const w of [ocr, light]) w.port.send({ type: 'shutdown' });
    }
  });
});
