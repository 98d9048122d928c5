import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PageResult, ProbeResult } from '../../src/shared/model.ts';
import { closeDatabase, openDatabase, type Db } from '../../src/main/engine/store/db.ts';
import {
  cancelDocuments,
  getDocument,
  insertDocuments,
  pauseDocuments,
  removeDocuments,
  resumeDocuments,
  retryDocuments,
  setPriority,
  type NewDocument,
} from '../../src/main/engine/store/documents.ts';
import {
  claimNext,
  completeExport,
  completePage,
  completeProbe,
  failPage,
  failProbe,
  nextWakeTime,
  recoverLeases,
  type Task,
} from '../../src/main/engine/store/tasks.ts';
import type { RetryPolicy } from '../../src/main/engine/store/policy.ts';

const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 };
const OWNER = 'engine-a';
const LEASE = 60_000;

let dir: string;
let db: Db;
let now: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulk-ocr-queue-'));
  db = openDatabase(join(dir, 'queue.db'));
  now = 1_700_000_000_000;
});
afterEach(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

function doc(name: string, extra: Partial<NewDocument> = {}): NewDocument {
  return {
    path: `/in/${name}`,
    root: '/in',
    size: 1000,
    mtimeMs: 1,
    priority: 5,
    source: 'cli',
    options: { languages: ['eng'], dpi: 300, mode: 'auto' },
    output: { formats: ['txt'], stem: `/out/${name.replace(/\.\w+$/, '')}`, overwrite: false },
    ...extra,
  };
}

function probe(pageCount: number, sha256 = 'a'.repeat(64)): ProbeResult {
  return { kind: 'pdf', pageCount, sha256, size: 1000, mtimeMs: 1 };
}

const result: PageResult = {
  text: 'hello',
  words: [{ text: 'hello', x0: 1, y0: 2, x1: 30, y1: 12, confidence: 91 }],
  meanConfidence: 91,
  source: 'ocr',
  width: 100,
  height: 100,
  dpi: 300,
  timings: { total: 5 },
};

function claim(): Task | null {
  return claimNext(db, OWNER, now, LEASE);
}

/** Inserts documents and opens them (as a worker's probe would), each with a distinct hash. */
function queueOpened(names: string[], pages = 1, extra: Partial<NewDocument> = {}): number[] {
  const ids = insertDocuments(
    db,
    names.map((n) => doc(n, extra)),
    now,
  ).map((o) => o.id);
  for (const id of ids) {
    // As if a worker had claimed and opened each file (claiming probes is tested above).
    db.prepare('UPDATE documents SET lease_owner = ? WHERE id = ?').run(OWNER, id);
    expect(completeProbe(db, id, OWNER, probe(pages, String(id).padStart(64, '0')), now)).toBe(true);
  }
  return ids;
}

describe('claim order', () => {
  it('runs higher priority first and keeps FIFO order within a priority', () => {
    const [low, high1, high2] = insertDocuments(
      db,
      [doc('low.pdf', { priority: 2 }), doc('high1.pdf', { priority: 8 }), doc('high2.pdf', { priority: 8 })],
      now,
    ).map((o) => o.id);
    const order: number[] = [];
    for (let t = claim(); t; t = claim()) {
      expect(t.kind).toBe('probe');
      order.push(t.docId);
      completeProbe(db, t.docId, OWNER, probe(0, String(t.docId).padStart(64, '0')), now);
    }
    expect(order).toEqual([high1, high2, low]);
  });

  it('finishes the pages of an opened document before opening the next one of equal priority', () => {
    const [a, b] = insertDocuments(db, [doc('a.pdf'), doc('b.pdf')], now).map((o) => o.id);
    const first = claim()!;
    expect(first).toMatchObject({ kind: 'probe', docId: a });
    completeProbe(db, a, OWNER, probe(2, '1'.repeat(64)), now);
    expect(claim()).toMatchObject({ kind: 'page', docId: a, pageNo: 1 });
    expect(claim()).toMatchObject({ kind: 'page', docId: a, pageNo: 2 });
    expect(claim()).toMatchObject({ kind: 'probe', docId: b });
  });

  it('raising a priority moves a document ahead of queued work', () => {
    const [a, b] = queueOpened(['a.pdf', 'b.pdf']);
    setPriority(db, [b], 9, now);
    expect(claim()).toMatchObject({ kind: 'page', docId: b });
    expect(claim()).toMatchObject({ kind: 'page', docId: a });
  });

  it('exports a document once all its pages are done', () => {
    const [a] = queueOpened(['a.pdf'], 2);
    const p1 = claim() as Extract<Task, { kind: 'page' }>;
    const p2 = claim() as Extract<Task, { kind: 'page' }>;
    completePage(db, p1.pageId, OWNER, result, now);
    expect(getDocument(db, a)?.state).toBe('running');
    completePage(db, p2.pageId, OWNER, result, now);
    expect(getDocument(db, a)).toMatchObject({ state: 'exporting', pagesDone: 2 });
    expect(claim()).toMatchObject({ kind: 'export', docId: a });
    completeExport(db, a, OWNER, ['/out/a.txt'], now);
    expect(getDocument(db, a)).toMatchObject({ state: 'done', outputs: ['/out/a.txt'] });
  });
});

describe('failures', () => {
  it('backs off exponentially and fails a page after the maximum attempts', () => {
    const [a] = queueOpened(['a.pdf']);
    const crash = { code: 'WORKER_CRASHED' as const, message: 'the OCR worker was killed' };
    let t = claim() as Extract<Task, { kind: 'page' }>;
    failPage(db, t.pageId, OWNER, crash, policy, now);
    expect(claim()).toBeNull(); // waiting out its backoff
    expect(nextWakeTime(db, now)).toBe(now + 1_000);
    now += 1_000;
    t = claim() as Extract<Task, { kind: 'page' }>;
    expect(t.attempt).toBe(2);
    failPage(db, t.pageId, OWNER, crash, policy, now);
    expect(nextWakeTime(db, now)).toBe(now + 2_000); // doubled
    now += 2_000;
    t = claim() as Extract<Task, { kind: 'page' }>;
    expect(t.attempt).toBe(3);
    failPage(db, t.pageId, OWNER, crash, policy, now);
    expect(claim()).toBeNull();
    const d = getDocument(db, a)!;
    expect(d.state).toBe('failed');
    expect(d.error?.message).toContain('tried 3 times');
  });

  it('does not retry a fault of the input itself', () => {
    const [id] = insertDocuments(db, [doc('bad.pdf')], now).map((o) => o.id);
    claim();
    failProbe(
      db,
      id,
      OWNER,
      { code: 'PASSWORD_PROTECTED', message: 'the PDF is password protected' },
      policy,
      now,
    );
    expect(getDocument(db, id)).toMatchObject({ state: 'failed', error: { code: 'PASSWORD_PROTECTED' } });
    expect(claim()).toBeNull();
  });

  it('manual retry resets the attempts of failed pages', () => {
    const [a] = queueOpened(['a.pdf']);
    for (let i = 0; i < 3; i++) {
      const t = claim() as Extract<Task, { kind: 'page' }>;
      failPage(db, t.pageId, OWNER, { code: 'TIMEOUT', message: 'took too long' }, policy, now);
      now += 60_000;
    }
    expect(getDocument(db, a)?.state).toBe('failed');
    retryDocuments(db, [a], now);
    expect(getDocument(db, a)?.state).toBe('queued');
    expect(claim()).toMatchObject({ kind: 'page', docId: a, attempt: 1 });
  });

  it('keeps the good pages and exports with errors when some pages fail', () => {
    const [a] = queueOpened(['a.pdf'], 2);
    const p1 = claim() as Extract<Task, { kind: 'page' }>;
    const p2 = claim() as Extract<Task, { kind: 'page' }>;
    completePage(db, p1.pageId, OWNER, result, now);
    failPage(db, p2.pageId, OWNER, { code: 'TOO_LARGE', message: 'page too large' }, policy, now);
    expect(claim()).toMatchObject({ kind: 'export', docId: a });
    completeExport(db, a, OWNER, ['/out/a.txt'], now);
    expect(getDocument(db, a)).toMatchObject({ state: 'done-with-errors', pagesDone: 1, pagesFailed: 1 });
  });
});

describe('crash recovery', () => {
  it('returns leased pages to the queue at start-up, without counting the interrupted attempt', () => {
    const [a, b] = queueOpened(['a.pdf', 'b.pdf']);
    const ta = claim() as Extract<Task, { kind: 'page' }>;
    const tb = claim() as Extract<Task, { kind: 'page' }>;
    completePage(db, tb.pageId, OWNER, result, now);
    // The process dies here. A new engine opens the same file.
    closeDatabase(db);
    db = openDatabase(join(dir, 'queue.db'));
    expect(recoverLeases(db, now).pages).toBe(1);
    expect(getDocument(db, a)?.state).toBe('queued');
    expect(getDocument(db, b)?.state).toBe('exporting'); // done before the crash: not redone
    expect(claimNext(db, 'engine-b', now, LEASE)).toMatchObject({ kind: 'export', docId: b });
    completeExport(db, b, 'engine-b', [], now);
    // The app is killed while page a runs, again and again: a kill is not the page's fault, so the
    // page never fails for it, and its first real failure still gets the retries it is owed.
    for (let i = 0; i < 5; i++) {
      expect(claimNext(db, 'engine-b', now, LEASE)).toMatchObject({ pageId: ta.pageId, attempt: 1 });
      recoverLeases(db, now);
      expect(getDocument(db, a)?.state).toBe('queued');
    }
    const again = claimNext(db, 'engine-b', now, LEASE) as Extract<Task, { kind: 'page' }>;
    failPage(db, again.pageId, 'engine-b', { code: 'WORKER_CRASHED', message: 'killed' }, policy, now);
    expect(getDocument(db, a)?.state).toBe('queued');
  });

  it('ignores a result that arrives for a lease it no longer holds', () => {
    queueOpened(['a.pdf']);
    const t = claim() as Extract<Task, { kind: 'page' }>;
    recoverLeases(db, now);
    expect(completePage(db, t.pageId, OWNER, result, now)).toBe(false);
  });
});

describe('duplicates', () => {
  it('does not OCR the same content twice, and exports the copy from the original', () => {
    const [orig, copy] = insertDocuments(db, [doc('a.pdf'), doc('copy-of-a.pdf')], now).map((o) => o.id);
    completeProbe(db, (claim() as { docId: number }).docId, OWNER, probe(1, 'f'.repeat(64)), now);
    expect(claim()).toMatchObject({ kind: 'page', docId: orig });
    const t2 = claim()!;
    expect(t2).toMatchObject({ kind: 'probe', docId: copy });
    completeProbe(db, copy, OWNER, probe(1, 'f'.repeat(64)), now);
    expect(getDocument(db, copy)).toMatchObject({ duplicateOf: orig, state: 'queued' });
    expect(claim()).toBeNull(); // nothing to OCR for the copy
    const page = db.prepare('SELECT id FROM pages WHERE doc_id = ?').get(orig) as { id: number };
    completePage(db, page.id, OWNER, result, now);
    expect(getDocument(db, copy)?.state).toBe('exporting');
    const exports = [claim(), claim()].map((t) => t?.kind === 'export' && t.docId);
    expect(exports.sort()).toEqual([orig, copy].sort());
  });

  it('queues the same file only once when it is added again', () => {
    const first = insertDocuments(db, [doc('a.pdf')], now);
    const again = insertDocuments(db, [doc('a.pdf')], now);
    expect(again[0]).toMatchObject({ id: first[0].id, created: false });
    expect(db.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 1 });
  });

  it('gives two inputs with the same stem different outputs', () => {
    const [a, b] = insertDocuments(
      db,
      [
        doc('scan.pdf'),
        doc('scan.png', { output: { formats: ['txt'], stem: '/out/scan', overwrite: false } }),
      ],
      now,
    ).map((o) => o.id);
    expect(getDocument(db, a)?.output.stem).toBe('/out/scan');
    expect(getDocument(db, b)?.output.stem).toBe('/out/scan.png');
  });
});

describe('user operations', () => {
  it('pause stops new pages of a document; resume continues', () => {
    const [a, b] = queueOpened(['a.pdf', 'b.pdf'], 2);
    pauseDocuments(db, [a], now);
    expect(getDocument(db, a)).toMatchObject({ state: 'paused', paused: true });
    expect(claim()).toMatchObject({ docId: b });
    expect(claim()).toMatchObject({ docId: b });
    expect(claim()).toBeNull();
    resumeDocuments(db, [a], now);
    expect(claim()).toMatchObject({ docId: a, pageNo: 1 });
  });

  it('cancel keeps what is done and starts nothing more; retry brings it back', () => {
    const [a] = queueOpened(['a.pdf'], 3);
    const p1 = claim() as Extract<Task, { kind: 'page' }>;
    completePage(db, p1.pageId, OWNER, result, now);
    cancelDocuments(db, [a], now);
    expect(getDocument(db, a)).toMatchObject({ state: 'cancelled', pagesDone: 1 });
    expect(claim()).toBeNull();
    retryDocuments(db, [a], now);
    expect(claim()).toMatchObject({ docId: a, pageNo: 2 });
  });

  it('remove deletes a document and its pages', () => {
    const [a] = queueOpened(['a.pdf'], 3);
    removeDocuments(db, [a], now);
    expect(getDocument(db, a)).toBeNull();
    expect(db.prepare('SELECT count(*) AS n FROM pages').get()).toEqual({ n: 0 });
    expect(claim()).toBeNull();
  });
});

describe('schema', () => {
  it('uses the partial indexes for the claim queries', () => {
    const plan = (sql: string): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(now) as { detail: string }[])
        .map((r) => r.detail)
        .join('; ');
    expect(
      plan(
        `SELECT id FROM pages INDEXED BY pages_claim WHERE state = 'queued' AND paused = 0 AND next_attempt_at <= ? ORDER BY priority DESC, doc_id, page_no LIMIT 1`,
      ),
    ).toMatch(/USING INDEX pages_claim/);
    expect(
      plan(
        `SELECT id FROM documents INDEXED BY documents_probe_claim WHERE state = 'new' AND paused = 0 AND lease_owner IS NULL AND next_attempt_at <= ? ORDER BY priority DESC, id LIMIT 1`,
      ),
    ).toMatch(/USING INDEX documents_probe_claim/);
  });

  it('refuses a database written by a newer version', () => {
    db.pragma('user_version = 999');
    closeDatabase(db);
    expect(() => openDatabase(join(dir, 'queue.db'))).toThrow(/newer version of Bulk OCR/);
    db = openDatabase(join(dir, 'other.db'));
  });
});

describe('review', () => {
  it('flags pages of low confidence, or far below their document, lowest first', async () => {
    const { lowConfidencePages } = await import('../../src/main/engine/store/review.ts');
    const [a, b] = queueOpened(['a.pdf', 'b.pdf'], 3);
    const confidences: Record<number, number[]> = { [a]: [92, 65, 91], [b]: [55, 58, 90] };
    for (let t = claim(); t; t = claim()) {
      if (t.kind !== 'page') continue;
      const confidence = confidences[t.docId][t.pageNo - 1];
      completePage(db, t.pageId, OWNER, { ...result, meanConfidence: confidence }, now);
    }
    // a: mean 82.7, page 2 is 17.7 below: not flagged. b: pages 1 and 2 under 60.
    expect(lowConfidencePages(db, 10).map((p) => [p.docId, p.pageNo, p.confidence])).toEqual([
      [b, 1, 55],
      [b, 2, 58],
    ]);
    expect(lowConfidencePages(db, 10, [a])).toEqual([]);
  });
});
