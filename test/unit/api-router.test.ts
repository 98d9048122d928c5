import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvent, ApiEvents, HostCapabilities, SearchResults } from '../../src/shared/api.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { createRouter, type Router } from '../../src/main/api/router.ts';
import { exportStem } from '../../src/main/engine/store/exportTasks.ts';
import type { SpawnWorker } from '../../src/main/worker/protocol.ts';

// The engine is never started here, so no worker is ever spawned.
const noSpawn: SpawnWorker = () => {
  throw new Error('no workers in router tests');
};

let dir: string;
let engine: Engine;
let router: Router;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulk-ocr-router-'));
  engine = new Engine({ dbPath: join(dir, 'queue.db'), spawn: noSpawn, jobs: 1 });
  router = createRouter({ engine, version: '1.2.3', coalesceMs: 20 });
});
afterEach(async () => {
  router.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** n small files in dir/scans (never opened: the engine is not started). */
function files(n: number): void {
  const scans = join(dir, 'scans');
  mkdirSync(scans, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(scans, `doc-${String(i).padStart(2, '0')}.png`), 'x');
}

describe('api router', () => {
  it('answers calls with values', async () => {
    expect(await router.call('app.version', [])).toEqual({ ok: true, value: '1.2.3' });
    const counts = await router.call('queue.counts', []);
    expect(counts.ok && (counts.value as { documents: { total: number } }).documents.total).toBe(0);
  });

  it('returns unknown methods and invalid arguments as error values with a code', async () => {
    expect(await router.call('queue.explode', [])).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_METHOD' },
    });
    expect(await router.call('__proto__', [])).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_METHOD' },
    });
    expect(await router.call(42, [])).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await router.call('queue.pause', 'not an array')).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await router.call('queue.pause', [['1']])).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await router.call('queue.setPriority', [[1], 12])).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await router.call('queue.list', [{ offset: 0, limit: 10_000 }])).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await router.call('queue.list', [{ offset: 0, limit: 10, states: ['bogus'] }])).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    const r = await router.call('settings.set', [{ dpi: 5 }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/dpi/);
  });

  it('adds, lists (paged, filtered, searched), prioritises and removes', async () => {
    files(12);
    const added = await router.call('queue.add', [{ paths: [join(dir, 'scans')] }]);
    expect(added).toMatchObject({ ok: true, value: { queued: 12, created: 12, alreadyDone: 0 } });
    // Added again: none new, none done yet; the window says they are already in the queue.
    const again = await router.call('queue.add', [{ paths: [join(dir, 'scans')] }]);
    expect(again).toMatchObject({ ok: true, value: { queued: 12, created: 0, alreadyDone: 0 } });
    // Files not opened yet are being counted; one paused before it was opened is paused, not
    // counted (nothing opens it), so the window's "counting pages…" does not wait for it.
    await router.call('queue.pause', [[1, 2]]);
    const status = await router.call('queue.status', []);
    expect(status).toMatchObject({
      ok: true,
      value: { counts: { documents: { new: 10, paused: 2 } }, run: { counting: true, filesUncounted: 10 } },
    });
    await router.call('queue.resume', [[1, 2]]);

    const page = await router.call('queue.list', [{ offset: 5, limit: 4, sort: 'name' }]);
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    const value = page.value as { total: number; rows: { id: number; path: string }[] };
    expect(value.total).toBe(12);
    expect(value.rows.map((r) => r.path.slice(-10))).toEqual([
      'doc-05.png',
      'doc-06.png',
      'doc-07.png',
      'doc-08.png',
    ]);

    const found = await router.call('queue.list', [{ offset: 0, limit: 50, search: 'DOC-1' }]);
    expect(found.ok && (found.value as { total: number }).total).toBe(2);
    const none = await router.call('queue.list', [{ offset: 0, limit: 50, search: '%' }]);
    expect(none.ok && (none.value as { total: number }).total).toBe(0);

    const id = value.rows[0].id;
    const before = engine.read.document(id)?.priority ?? 0;
    await router.call('queue.shiftPriority', [[id], 1]);
    expect(engine.read.document(id)?.priority).toBe(Math.min(9, before + 1));
    await router.call('queue.setPriority', [[id], 0]);
    expect(engine.read.document(id)?.priority).toBe(0);
    const first = await router.call('queue.list', [
      { offset: 0, limit: 50, sort: 'queue', descending: true },
    ]);
    expect(first.ok && (first.value as { rows: { id: number }[] }).rows[0].id).toBe(id);

    const ids = await router.call('queue.ids', [{ search: 'doc-0' }]);
    expect(ids.ok && (ids.value as number[]).length).toBe(10);

    await router.call('queue.remove', [[id]]);
    expect(engine.read.document(id)).toBeNull();
  });

  it('search.query: any query text is a value (hits or a problem in words); bad fields are refused', async () => {
    for (const query of ['"', 'NEAR(', '*', ';', "'; DROP TABLE pages; --", 'invoice', '']) {
      const r = await router.call('search.query', [{ query }]);
      expect(r.ok, query).toBe(true);
      if (!r.ok) continue;
      const v = r.value as SearchResults;
      expect(v.hits, query).toEqual([]); // nothing recognised yet
      expect(v.problem === null || /^[A-Z].+\.$/.test(v.problem), query).toBe(true);
    }
    const filtered = await router.call('search.query', [
      { query: 'invoice', folder: dir, from: '2024-01-01', to: '2024-12-31', offset: 20, limit: 100 },
    ]);
    expect(filtered).toMatchObject({ ok: true, value: { problem: null, offset: 20, total: 0 } });
    const badDate = await router.call('search.query', [{ query: 'invoice', from: '15/03/2024' }]);
    expect(badDate).toMatchObject({
      ok: true,
      value: { problem: '"15/03/2024" is not a date: use YYYY-MM-DD.' },
    });
    for (const bad of [
      [{ query: 'x', limit: 1_000 }],
      [{ query: 'x', offset: -1 }],
      [{ query: 42 }],
      [{ query: 'x', sql: 'DROP TABLE pages' }],
      ['x'],
      [],
    ])
      expect(await router.call('search.query', bad), JSON.stringify(bad)).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
    expect(await router.call('search.status', [])).toEqual({
      ok: true,
      value: { pending: 0, building: null },
    });
  });

  it('coalesces pushes: many changes in one interval become one event of each kind', async () => {
    files(3);
    const seen: { event: ApiEvent; payload: ApiEvents[ApiEvent] }[] = [];
    router.subscribe((event, payload) => seen.push({ event, payload }));
    await router.call('queue.add', [{ paths: [join(dir, 'scans')] }]);
    const ids = [1, 2, 3];
    await router.call('queue.pause', [ids]);
    await router.call('queue.resume', [ids]);
    await router.call('queue.setPaused', [true]);
    await new Promise<void>((resolve) => {
      const off = router.subscribe((event) => event === 'queue.changed' && (off(), resolve()));
    });
    expect(seen.filter((e) => e.event === 'queue.changed')).toHaveLength(1);
    const docs = seen.filter((e) => e.event === 'document.changed');
    expect(docs).toHaveLength(1);
    const change = docs[0].payload as ApiEvents['document.changed'];
    expect(change.rows.map((r) => r.id).sort()).toEqual([1, 2, 3]);
    const status = seen.find((e) => e.event === 'queue.changed')?.payload as ApiEvents['queue.changed'];
    expect(status.paused).toBe(true);
    expect(status.counts.documents.total).toBe(3);

    // Removed ids are pushed as removed, not as rows.
    seen.length = 0;
    await router.call('queue.remove', [[2]]);
    await new Promise<void>((resolve) => {
      const off = router.subscribe((event) => event === 'document.changed' && (off(), resolve()));
    });
    expect(seen[0].payload).toMatchObject({ rows: [], removed: [2], truncated: false });
  });

  it('keeps settings in the queue database', async () => {
    expect(await router.call('settings.get', [])).toMatchObject({
      ok: true,
      value: { dpi: 300, outDir: null },
    });
    await router.call('settings.set', [{ dpi: 200, languages: ['eng', 'fra'] }]);
    expect(await router.call('settings.get', [])).toMatchObject({
      ok: true,
      value: { dpi: 200, languages: ['eng', 'fra'], mode: 'auto' },
    });
    // Only installed language packs, and a worker count within reach, with the reason.
    const langs = await router.call('settings.languages', []);
    expect(langs.ok && (langs.value as { code: string }[]).map((l) => l.code)).toContain('deu');
    const missing = await router.call('settings.set', [{ languages: ['eng', 'kor'] }]);
    expect(missing).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(!missing.ok && missing.error.message).toMatch(/kor is not installed/);
    expect(await router.call('settings.set', [{ workers: 0 }])).toMatchObject({ ok: false });
    // Every output format, and only those.
    expect(await router.call('settings.set', [{ formats: ['txt', 'pdf', 'alto', 'hocr'] }])).toMatchObject({
      ok: true,
      value: { formats: ['txt', 'pdf', 'alto', 'hocr'] },
    });
    expect(await router.call('settings.set', [{ formats: ['docx'] as never }])).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    // A new worker count is applied to the pool (not started here: it takes effect at start).
    expect(await router.call('settings.set', [{ workers: 2 }])).toMatchObject({
      ok: true,
      value: { workers: 2 },
    });
    expect(engine.workers.total).toBe(0);
  });

  it('says what a browser host cannot do, and refuses it as a value', async () => {
    expect(await router.call('app.capabilities', [])).toMatchObject({
      ok: true,
      value: { reveal: false, pickFolder: false },
    });
    // Which Tesseract the workers use, in words (the Settings view shows it).
    const capabilities = await router.call('app.capabilities', []);
    expect(capabilities.ok && (capabilities.value as HostCapabilities).ocrEngine).toMatch(
      /^native libtesseract 5\.\d+|^WebAssembly Tesseract \(tesseract\.js\); ./,
    );
    expect(await router.call('files.reveal', [{ docId: 1 }])).toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE' },
    });
    expect(await router.call('files.pickFolder', [{}])).toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE' },
    });
  });

  it('reveals only files that belong to a document, where the host can', async () => {
    const revealed: string[] = [];
    const desktop = createRouter({ engine, version: 'x', host: { reveal: (p) => void revealed.push(p) } });
    files(1);
    await desktop.call('queue.add', [{ paths: [join(dir, 'scans')] }]);
    const ids = await desktop.call('queue.ids', [{}]);
    const id = (ids.ok && (ids.value as number[])[0]) || 0;
    expect(await desktop.call('files.reveal', [{ docId: id }])).toEqual({ ok: true, value: undefined });
    expect(revealed).toEqual([join(dir, 'scans', 'doc-00.png')]);
    expect(await desktop.call('files.reveal', [{ docId: id, path: '/etc/passwd' }])).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    desktop.close();
  });

  it('queues exports only of documents that are done, to a full path', async () => {
    files(2);
    await router.call('queue.add', [{ paths: [join(dir, 'scans')] }]);
    const options = {
      formats: ['txt'],
      destination: { kind: 'folder', path: 'relative/out' },
      ifExists: 'skip',
    };
    expect(await router.call('export.start', [{ allDone: true, options }])).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    const ids = await router.call('queue.ids', [{}]);
    const r = await router.call('export.start', [
      { ids: ids.ok ? ids.value : [], options: { ...options, destination: { kind: 'next-to-source' } } },
    ]);
    expect(r).toMatchObject({ ok: true, value: { batchId: null, queued: 0 } });
    expect(r.ok && (r.value as { notReady: unknown[] }).notReady).toHaveLength(2);
    expect(await router.call('export.start', [{ options }])).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await router.call('export.batch', [999])).toEqual({ ok: true, value: null });
  });
});

describe('export targets', () => {
  it('mirror the added folder, and never name the source file itself', () => {
    expect(exportStem('/in/a/letter.pdf', '/in', '/out')).toBe('/out/a/letter');
    expect(exportStem('/in/a/letter.pdf', '/in', null)).toBe('/in/a/letter.ocr');
    // Exported into the folder it came from: letter.pdf would be the source.
    expect(exportStem('/in/a/letter.pdf', '/in', '/in')).toBe('/in/a/letter.ocr');
    expect(exportStem('/in/a/Letter.PDF', '/in', '/in')).toBe('/in/a/Letter.ocr');
    expect(exportStem('/in/a/scan.png', '/in', '/in')).toBe('/in/a/scan');
    // …nor another queued document's source (scan.pdf beside scan.png).
    expect(exportStem('/in/a/scan.png', '/in', '/in', (f) => f === '/in/a/scan.pdf')).toBe('/in/a/scan.ocr');
  });
});

