import { describe, expect, it } from 'vitest';
import { Pool, type PoolOptions } from '../../src/main/engine/pool.ts';
import type { ErrorInfo } from '../../src/shared/model.ts';
import type { WorkerPort, WorkerReply, WorkerRequest } from '../../src/main/worker/protocol.ts';

/**
 * The pool's own rules (recycling, start failures, shutdown) on in-memory ports. What a real
 * worker does when it crashes or hangs is tested with real processes in test/integration/pool.test.ts.
 */
interface FakeWorker {
  pid: number;
  killed: boolean;
  received: WorkerRequest[];
  reply(m: WorkerReply): void;
  exit(code: number | null, signal?: string | null): void;
}

type Behaviour = (w: FakeWorker, m: WorkerRequest) => void;

function fakeSpawner(behaviour: Behaviour, opts: { ready?: boolean } = {}) {
  const workers: FakeWorker[] = [];
  const spawn = (): WorkerPort => {
    let onMessage: (m: WorkerReply) => void = () => {};
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    let exited = false;
    const w: FakeWorker = {
      pid: 1000 + workers.length,
      killed: false,
      received: [],
      reply: (m) => queueMicrotask(() => onMessage(m)),
      exit: (code, signal = null) => {
        if (exited) return;
        exited = true;
        queueMicrotask(() => exitListeners.forEach((l) => l(code, signal)));
      },
    };
    workers.push(w);
    if (opts.ready !== false) w.reply({ type: 'ready', pid: w.pid });
    return {
      pid: w.pid,
      send(m) {
        w.received.push(m);
        if (m.type === 'shutdown') w.exit(0);
        else behaviour(w, m);
      },
      onMessage: (l) => (onMessage = l),
      onExit: (l) => exitListeners.push(l),
      kill: () => {
        w.killed = true;
        w.exit(null, 'SIGKILL');
      },
    };
  };
  return { spawn, workers };
}

const answerAll: Behaviour = (w, m) => {
  if (m.type !== 'shutdown') w.reply({ type: 'done', id: m.id, value: { pageCount: 1 }, rss: 100 });
};

function pool(spawn: () => WorkerPort, extra: Partial<PoolOptions> = {}): Pool {
  return new Pool({
    size: 1,
    spawn,
    timeoutMs: { probe: 1_000, page: 1_000, export: 1_000, render: 1_000 },
    maxWorkerRssBytes: 1_000,
    recycleAfterTasks: 1_000,
    onIdle: () => {},
    onFatal: () => {},
    memoryPollMs: 0,
    ...extra,
  });
}

const until = async (cond: () => boolean, ms = 1_000): Promise<void> => {
  for (let i = 0; i < ms / 5 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('pool', () => {
  it('grows and shrinks while running; a busy worker finishes its task before it leaves', async () => {
    const held: FakeWorker[] = [];
    const fake = fakeSpawner((w, m) => {
      if (m.type === 'shutdown') return;
      if (m.type === 'page')
        held.push(w); // answered by the test, later
      else w.reply({ type: 'done', id: m.id, value: 'ok', rss: 100 });
    });
    const p = pool(fake.spawn);
    p.start();
    await until(() => p.idleCount === 1);
    p.resize(3);
    await until(() => p.idleCount === 3 && p.size === 3);
    const options = { languages: ['eng'], dpi: 300, mode: 'auto' as const };
    const pages = [
      p.run('page', { path: '/a.pdf', pageNo: 1, options }),
      p.run('page', { path: '/a.pdf', pageNo: 2, options }),
    ];
    await until(() => held.length === 2);
    p.resize(1);
    expect(p.size).toBe(1);
    // The idle one was told to go at once; the busy ones that left the pool are not cut short.
    const busy = held.filter((w) => w !== fake.workers[0]);
    expect(busy.every((w) => !w.killed && w.received.at(-1)?.type === 'page')).toBe(true);
    for (const w of held) {
      const last = w.received.at(-1) as { id: number };
      w.reply({ type: 'done', id: last.id, value: 'page', rss: 100 });
    }
    expect((await Promise.all(pages)).every((o) => o.ok)).toBe(true);
    await until(() => fake.workers.filter((w) => w.received.at(-1)?.type === 'shutdown').length === 2);
    expect(fake.workers).toHaveLength(3); // nobody was respawned
    await until(() => p.idleCount === 1);
    await p.close();
  });

  it('runs a task on an idle worker and returns its value', async () => {
    const fake = fakeSpawner(answerAll);
    const p = pool(fake.spawn);
    p.start();
    await until(() => p.idleCount === 1);
    await expect(p.run('probe', { path: '/x.pdf' })).resolves.toEqual({
      ok: true,
      value: { pageCount: 1 },
      worker: 1000,
    }); // the pid, for logs
    await p.close();
  });

  it('replaces a worker after its task limit, without failing the task', async () => {
    const fake = fakeSpawner(answerAll);
    const p = pool(fake.spawn, { recycleAfterTasks: 2 });
    p.start();
    for (let i = 0; i < 3; i++) {
      await until(() => p.idleCount === 1);
      expect((await p.run('probe', { path: '/x.pdf' })).ok).toBe(true);
    }
    expect(fake.workers.length).toBe(2);
    expect(fake.workers[0].received.at(-1)).toEqual({ type: 'shutdown' });
    await p.close();
  });

  it('replaces a worker whose memory grew past the limit', async () => {
    const fake = fakeSpawner((w, m) => {
      if (m.type !== 'shutdown') w.reply({ type: 'done', id: m.id, value: null, rss: 5_000 });
    });
    const p = pool(fake.spawn);
    p.start();
    await until(() => p.idleCount === 1);
    await p.run('probe', { path: '/x.pdf' });
    await until(() => fake.workers.length === 2 && p.idleCount === 1);
    expect(p.peakRssBytes).toEqual([5_000]);
    await p.close();
  });

  it('reports a worker error as a value, keeping the worker', async () => {
    const error: ErrorInfo = { code: 'DAMAGED_FILE', message: 'the PDF is damaged' };
    const fake = fakeSpawner((w, m) => {
      if (m.type !== 'shutdown') w.reply({ type: 'failed', id: m.id, error, rss: 100 });
    });
    const p = pool(fake.spawn);
    p.start();
    await until(() => p.idleCount === 1);
    await expect(
      p.run('page', { path: '/x.pdf', pageNo: 1, options: { languages: ['eng'], dpi: 300, mode: 'auto' } }),
    ).resolves.toEqual({
      ok: false,
      error,
      worker: 1000,
    });
    expect(fake.workers.length).toBe(1);
    await p.close();
  });

  it('gives up with a fatal error when workers never start', async () => {
    const fake = fakeSpawner(answerAll, { ready: false });
    let fatal: ErrorInfo | null = null;
    const p = pool(
      () => {
        const port = fake.spawn();
        const w = fake.workers.at(-1)!;
        w.reply({
          type: 'fatal',
          error: { code: 'INTERNAL', message: 'the OCR engine could not start: no model' },
        });
        w.exit(1);
        return port;
      },
      { onFatal: (e) => (fatal = e), restartBackoffMs: 1 },
    );
    p.start();
    await until(() => fatal !== null); // after five tries in a row
    expect(fatal).toEqual({ code: 'INTERNAL', message: 'the OCR engine could not start: no model' });
    await p.close();
  });

  it('replaces a worker that never becomes ready (stuck or stopped in start-up)', async () => {
    let spawned = 0;
    const fake = fakeSpawner(answerAll, { ready: false });
    const p = pool(
      () => {
        const port = fake.spawn();
        // The first worker hangs in start-up; its replacement starts normally.
        if (spawned++ > 0) fake.workers.at(-1)!.reply({ type: 'ready', pid: 2 });
        return port;
      },
      { startTimeoutMs: 50, restartBackoffMs: 1 },
    );
    p.start();
    await until(() => p.idleCount === 1);
    expect(fake.workers[0].killed).toBe(true);
    expect((await p.run('probe', { path: '/x.pdf' })).ok).toBe(true);
    await p.close();
  });

  it('kills a recycled worker that does not exit when asked, and replaces it', async () => {
    const fake = fakeSpawner(answerAll);
    const p = pool(
      () => {
        const port = fake.spawn();
        // The first worker ignores 'shutdown' (hung on its way out).
        if (fake.workers.length === 1)
          return { ...port, pid: port.pid, send: (m) => m.type !== 'shutdown' && port.send(m) };
        return port;
      },
      { recycleAfterTasks: 1, shutdownGraceMs: 50 },
    );
    p.start();
    await until(() => p.idleCount === 1);
    expect((await p.run('probe', { path: '/x.pdf' })).ok).toBe(true);
    await until(() => fake.workers.length === 2 && p.idleCount === 1);
    expect(fake.workers[0].killed).toBe(true);
    await p.close();
  });

  it('on close, asks idle workers to exit and kills busy ones', async () => {
    const fake = fakeSpawner(() => {}); // never answers
    const p = pool(fake.spawn, { size: 2 });
    p.start();
    await until(() => p.idleCount === 2);
    const pending = p.run('probe', { path: '/x.pdf' });
    await p.close();
    expect(fake.workers.map((w) => w.killed).sort()).toEqual([false, true]);
    expect((await pending).ok).toBe(false);
  });
});
