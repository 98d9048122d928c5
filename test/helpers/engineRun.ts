import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine, type EngineOptions } from '../../src/main/engine/engine.ts';
import { forkSpawner } from '../../src/main/engine/spawnNode.ts';
import type { IngestRequest } from '../../src/main/engine/ingest.ts';
import type { DocumentRow } from '../../src/shared/model.ts';
import type { SpawnWorker, WorkerRequest } from '../../src/main/worker/protocol.ts';

export const CORPUS = resolve(import.meta.dirname, '../../../shared/corpus');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `bulk-ocr-${prefix}-`));
}

/** Resolves when every listed document has reached a finished state (done, failed…). */
export function waitForDocuments(engine: Engine, ids: number[], timeoutMs = 240_000): Promise<DocumentRow[]> {
  const finished = (): boolean =>
    engine.read
      .documents(ids)
      .every((d) => ['done', 'done-with-errors', 'failed', 'cancelled'].includes(d.state));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      engine.events.off('document', check);
      reject(
        new Error(
          `documents not finished after ${timeoutMs} ms: ${JSON.stringify(engine.read.documents(ids).map((d) => [d.path, d.state]))}`,
        ),
      );
    }, timeoutMs);
    const check = (): void => {
      if (!finished()) return;
      clearTimeout(timer);
      engine.events.off('document', check);
      resolvePromise(engine.read.documents(ids));
    };
    engine.events.on('document', check);
    check();
  });
}

export function ingestRequest(
  paths: string[],
  outDir: string,
  extra: Partial<IngestRequest> = {},
): IngestRequest {
  return {
    paths,
    source: 'cli',
    options: { languages: ['eng'], dpi: 300, mode: 'auto' },
    outDir,
    formats: ['txt', 'pdf'],
    overwrite: false,
    ...extra,
  };
}

/** Runs files through a fresh engine with real workers and waits for them all. */
export async function runEngine(
  paths: string[],
  outDir: string,
  opts: Partial<EngineOptions> = {},
  extra: Partial<IngestRequest> = {},
): Promise<{ engine: Engine; rows: DocumentRow[] }> {
  const engine = new Engine({
    dbPath: join(tempDir('db'), 'queue.db'),
    spawn: forkSpawner(),
    jobs: 2,
    ...opts,
  });
  engine.start();
  const { outcomes } = await engine.ingest(ingestRequest(paths, outDir, extra));
  const rows = await waitForDocuments(
    engine,
    outcomes.map((o) => o.id),
  );
  return { engine, rows };
}

/**
 * Real workers with a fault injected for chosen files: `crash` kills the worker process as soon as
 * it is handed a page of a file whose name contains the marker; `hang` swallows the task so the
 * worker never answers. Only the spawn parameter changes; the pool and the engine are the real ones.
 */
export function faultySpawner(fault: 'crash' | 'hang', marker: string, times = Infinity): SpawnWorker {
  const real = forkSpawner();
  let injected = 0;
  return () => {
    const port = real();
    return {
      get pid() {
        return port.pid;
      },
      onMessage: (l) => port.onMessage(l),
      onExit: (l) => port.onExit(l),
      kill: () => port.kill(),
      send(message: WorkerRequest) {
        if (message.type === 'page' && message.path.includes(marker) && injected < times) {
          injected++;
          if (fault === 'crash') port.kill();
          return; // hang: the worker never hears of the task
        }
        port.send(message);
      },
    };
  };
}
