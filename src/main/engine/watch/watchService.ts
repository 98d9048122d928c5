import { stat } from 'node:fs/promises';
import { reviewOutputs } from '../outputReview.ts';
import { relative, resolve } from 'node:path';
import type { WatchFolderOptions, WatchFolderRow, WatchFolderState } from '../../../shared/model.ts';
import type { Db } from '../store/db.ts';
import type { EngineEmitter } from '../events.ts';
import type { IngestRequest, IngestSummary } from '../ingest.ts';
import { getDocuments } from '../store/documents.ts';
import {
  deleteWatchFolder,
  documentWithContent,
  findSeen,
  findWatchFolder,
  foldersOfDocument,
  getWatchFolder,
  listWatchFolders,
  markDisposed,
  pendingDispositions,
  recordSeen,
  seenSignatures,
  ingestedDocuments,
  setLastScan,
  updateSignature,
  updateWatchFolderOptions,
  upsertWatchFolder,
  watchFolderStats,
  type SeenFile,
  type WatchFolderRecord,
} from '../store/watch.ts';
import { FolderWatcher, type SettledFile, type WatchTimings } from './folderWatcher.ts';
import { hashFile } from './hash.ts';
import { moveAside, reasonText } from './disposition.ts';

export interface WatchServiceDeps {
  db: Db;
  events: EngineEmitter;
  /** The engine's ingest (queues and wakes the scheduler). */
  ingest: (req: IngestRequest) => Promise<IngestSummary>;
  /** Wakes the scheduler for work queued without an ingest (outputs written again). */
  wake: () => void;
  timings: WatchTimings;
  clock: () => number;
}

const ENDED = new Set(['done', 'done-with-errors', 'failed', 'cancelled']);

/** Files hashed and queued per step of an intake. */
const INTAKE_SLICE = 200;

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}

/**
 * The watched folders of one engine: stored in its database, run while the host (desktop app,
 * `bulk-ocr serve`, `bulk-ocr watch`) wants them, and turned into queued documents exactly once.
 *
 * Intake is serialised (one batch at a time, across folders), so the same scan arriving in two
 * watched folders at once is hashed, found to be one content, and queued once. Every decision is
 * written to `watch_files` in the same step as the document it concerns, so a restart at any
 * moment neither loses a file nor queues it twice (a document queued just before a crash is found
 * again by path, size and mtime and reused).
 */
export class WatchService {
  private readonly deps: WatchServiceDeps;
  private readonly running = new Map<number, FolderWatcher>();
  private readonly reasons = new Map<number, string | null>();
  /** Restarts under way, per folder (see `restart`). */
  private readonly restarts = new Map<number, Promise<void>>();
  private active = false;
  /** Folder ids this host runs (null: every stored folder). */
  private only: Set<number> | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly onDocument = (e: { id: number; state: string }): void => {
    if (!ENDED.has(e.state)) return;
    const folders = foldersOfDocument(this.deps.db, e.id);
    if (folders.length === 0) return;
    void this.serial(() => this.dispose({ docId: e.id }));
    for (const id of folders) this.changed(id, []);
  };

  constructor(deps: WatchServiceDeps) {
    this.deps = deps;
  }

  /** Starts watching the stored folders (all, or those listed). */
  start(ids?: number[]): void {
    if (this.active) return;
    this.active = true;
    this.only = ids ? new Set(ids) : null;
    this.deps.events.on('document', this.onDocument);
    for (const f of listWatchFolders(this.deps.db)) if (!this.only || this.only.has(f.id)) this.run(f);
  }

  /** Stops every watcher and waits for the intake under way (what it queued stays queued). */
  async stop(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.deps.events.off('document', this.onDocument);
    await Promise.all([...this.running.values()].map((w) => w.stop()));
    this.running.clear();
    await this.chain;
  }

  list(): WatchFolderRow[] {
    return listWatchFolders(this.deps.db).map((f) => this.row(f));
  }

  get(id: number): WatchFolderRow | null {
    const f = getWatchFolder(this.deps.db, id);
    return f ? this.row(f) : null;
  }

  /** Stores a folder (or new options for one already stored) and watches it if this host is watching. */
  add(path: string, options: WatchFolderOptions): WatchFolderRow {
    const root = resolve(path);
    const normalised: WatchFolderOptions = {
      ...options,
      outDir: options.outDir ? resolve(options.outDir) : null,
    };
    const id = upsertWatchFolder(this.deps.db, root, normalised, this.deps.clock());
    void this.restart(id, true);
    return this.get(id)!;
  }

  /**
   * Stores new options for a folder and, if this host is watching it, restarts its watcher with
   * them (subfolders, detection, output folder: all are read when a watcher starts). Resolves once
   * the new watcher runs; files settling under the old one are found again by its first scan.
   */
  async update(id: number, patch: Partial<WatchFolderOptions>): Promise<WatchFolderRow | null> {
    const f = getWatchFolder(this.deps.db, id);
    if (!f) return null;
    const next: WatchFolderOptions = { ...f.options, ...patch };
    if (next.outDir) next.outDir = resolve(next.outDir);
    updateWatchFolderOptions(this.deps.db, id, next, this.deps.clock());
    await this.restart(id, false);
    return this.get(id);
  }

  /** Stops watching and forgets the folder; its files and queued documents are left as they are. */
  async remove(id: number): Promise<boolean> {
    const w = this.running.get(id);
    this.running.delete(id);
    if (w) await w.stop();
    const removed = deleteWatchFolder(this.deps.db, id);
    if (removed) this.deps.events.emit('watch', { folderId: id, docIds: [], removed: true });
    return removed;
  }

  findByPath(path: string): WatchFolderRow | null {
    const f = findWatchFolder(this.deps.db, resolve(path));
    return f ? this.row(f) : null;
  }

  /** Lists a watched folder now (the catch-up rescan, on demand). */
  async rescan(id: number): Promise<void> {
    await this.running.get(id)?.rescan();
    await this.chain;
  }

  /** Resolves when every intake and move started so far is done. */
  idle(): Promise<void> {
    return this.chain;
  }

  /**
   * Replaces a folder's watcher with one on its stored options. Restarts of one folder run one after
   * the other: two quick edits must not leave two watchers on it (the later start would otherwise
   * overwrite, and orphan, the one started in between).
   */
  private restart(id: number, added: boolean): Promise<void> {
    const start = (): void => {
      const f = getWatchFolder(this.deps.db, id);
      if (!f || !this.active) return;
      if (added && this.only) this.only.add(id);
      if (!this.only || this.only.has(id)) this.run(f);
    };
    const pending = this.restarts.get(id);
    const old = this.running.get(id);
    let done: Promise<void>;
    if (!pending && !old) {
      start(); // nothing to wait for: at once, so the row returned shows it starting
      done = Promise.resolve();
    } else {
      done = (pending ?? Promise.resolve())
        .then(async () => {
          const current = this.running.get(id);
          this.running.delete(id);
          if (current) await current.stop();
          start();
        })
        .catch((error: unknown) => this.report(id, `could not restart: ${(error as Error).message}`))
        .then(() => {
          if (this.restarts.get(id) === done) this.restarts.delete(id);
        });
      this.restarts.set(id, done);
    }
    this.changed(id, []);
    return done;
  }

  private run(f: WatchFolderRecord): void {
    const watcher = new FolderWatcher(
      f,
      this.deps.timings,
      {
        seenSignatures: () => seenSignatures(this.deps.db, f.id),
        settled: (files) => this.serial(() => this.intake(f.id, files)),
        state: (state, reason) => this.onState(f.id, state, reason),
        report: (message, path) => this.report(f.id, message, path),
        scanned: () => {
          if (!this.deps.db.open) return;
          setLastScan(this.deps.db, f.id, this.deps.clock());
          this.changed(f.id, []);
        },
      },
      this.deps.clock,
    );
    this.running.set(f.id, watcher);
    watcher.start();
    // Documents that ended while no watcher ran (a crash, `bulk-ocr run`): move their originals now.
    void this.serial(() => this.dispose({ folderId: f.id }));
    void this.serial(() => this.rebuildMissingOutputs(f.id));
  }

  /**
   * Outputs of this folder's documents deleted while no watcher ran are written again from the
   * stored results (no OCR again); one someone changed is kept, and said so (outputReview.ts).
   */
  private async rebuildMissingOutputs(folderId: number): Promise<void> {
    const { db } = this.deps;
    if (!db.open) return;
    const review = await reviewOutputs(db, ingestedDocuments(db, folderId), false, this.deps.clock);
    for (const p of review.missing)
      this.report(folderId, 'output was missing: written again from the stored results (no OCR again)', p);
    for (const p of review.kept)
      this.report(folderId, 'output changed since it was written: kept as it is', p);
    if (review.missing.length > 0) this.deps.wake();
  }

  private onState(id: number, state: WatchFolderState, reason: string | null): void {
    this.reasons.set(id, reason);
    const f = getWatchFolder(this.deps.db, id);
    if (f && (state === 'polling' || state === 'unavailable'))
      this.report(id, state === 'polling' ? `polling: ${reason ?? ''}` : `unavailable: ${reason ?? ''}`);
    else if (f && state === 'watching') this.report(id, 'watching');
    this.changed(id, []);
  }

  /** Runs `work` after everything queued before it; a failure is reported, never stops the chain. */
  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work).catch((error: unknown) => {
      console.error('[watch]', error);
    });
    this.chain = next;
    return next;
  }

  /**
   * Settled files → documents. Per file: the fast check (path, size, mtime already recorded), then
   * the content hash: the same content at the same path (a touch) or anywhere else (a rename, a
   * copy, another watched folder) is recorded, not queued; anything else is queued.
   */
  private async intake(folderId: number, files: SettledFile[]): Promise<void> {
    // In slices, so a first scan of a big folder queues as it goes and a stop waits for one slice only
    // (what is left is found again by the next start's scan).
    for (let i = 0; i < files.length && this.active; i += INTAKE_SLICE)
      await this.intakeSlice(folderId, files.slice(i, i + INTAKE_SLICE));
  }

  private async intakeSlice(folderId: number, files: SettledFile[]): Promise<void> {
    const { db } = this.deps;
    const folder = getWatchFolder(db, folderId);
    if (!folder || !db.open) return;
    const fresh: { path: string; size: number; mtimeMs: number; sha256: string; changed: boolean }[] = [];
    const batchHashes = new Map<string, string>();
    const duplicates: { path: string; size: number; mtimeMs: number; sha256: string; of: string }[] = [];
    // Fast check first (path, size, mtime already recorded), then hash what is left, a few at a time.
    const candidates: { path: string; size: number; mtimeMs: number; seen: SeenFile | null }[] = [];
    for (const file of files) {
      let s;
      try {
        s = await stat(file.path);
      } catch (error) {
        this.unreadable(folderId, file.path, error);
        continue;
      }
      const seen = findSeen(db, folderId, file.path);
      const live = seen && seen.disposed === null ? seen : null;
      if (live && live.size === s.size && live.mtimeMs === Math.trunc(s.mtimeMs)) continue;
      candidates.push({ path: file.path, size: s.size, mtimeMs: s.mtimeMs, seen: live });
      if (file.incomplete)
        this.report(folderId, 'still looks incomplete; queued anyway so the reason is reported', file.path);
    }
    const hashes = await mapLimit(candidates, 4, (c) =>
      hashFile(c.path).catch((error: unknown) => {
        this.unreadable(folderId, c.path, error);
        return null;
      }),
    );
    if (!db.open) return;
    for (const [i, c] of candidates.entries()) {
      const sha256 = hashes[i];
      if (sha256 === null) continue;
      if (c.seen && c.seen.sha256 === sha256) {
        updateSignature(db, c.seen.id, c.size, c.mtimeMs); // touched: same content
        continue;
      }
      const prior = documentWithContent(db, sha256);
      const inBatch = batchHashes.get(sha256);
      if (prior || inBatch) {
        duplicates.push({
          path: c.path,
          size: c.size,
          mtimeMs: c.mtimeMs,
          sha256,
          of: prior?.path ?? inBatch!,
        });
        continue;
      }
      batchHashes.set(sha256, c.path);
      // Edited in place (same path, new content): its earlier outputs are ours to replace.
      fresh.push({ path: c.path, size: c.size, mtimeMs: c.mtimeMs, sha256, changed: c.seen !== null });
    }

    const docIds: number[] = [];
    for (const changed of [false, true]) {
      const group = fresh.filter((f) => f.changed === changed);
      if (group.length === 0) continue;
      const summary = await this.deps.ingest({
        paths: group.map((f) => f.path),
        root: folder.path,
        source: 'watch',
        options: folder.options.ocr,
        outDir: folder.options.outDir,
        formats: folder.options.formats,
        overwrite: changed,
        freeStems: true,
        priority: folder.options.priority ?? undefined,
      });
      if (!db.open) return;
      const byPath = new Map(
        getDocuments(
          db,
          summary.outcomes.map((o) => o.id),
        ).map((d) => [d.path, d.id]),
      );
      for (const s of summary.skipped) this.report(folderId, `skipped: ${s.reason}`, s.path);
      const now = this.deps.clock();
      if (!getWatchFolder(db, folderId)) return; // removed meanwhile: its documents stay queued
      db.transaction(() => {
        for (const f of group) {
          const docId = byPath.get(f.path);
          if (docId === undefined) continue;
          recordSeen(db, { folderId, ...f, kind: 'ingested', docId }, now);
          docIds.push(docId);
        }
      })();
      for (const f of group) if (byPath.has(f.path)) this.report(folderId, 'queued', f.path);
    }
    const now = this.deps.clock();
    for (const d of duplicates) {
      const docId = documentWithContent(db, d.sha256)?.docId ?? null;
      recordSeen(db, { folderId, ...d, kind: 'duplicate', docId }, now);
      this.report(folderId, `same content as ${d.of}: not OCR'd again`, d.path);
    }
    this.changed(folderId, docIds);
    if (folder.options.after === 'move') await this.dispose({ folderId });
  }

  private unreadable(folderId: number, path: string, error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    // Unreadable now (permissions, a lock): not recorded, so a later rescan tries again.
    this.report(
      folderId,
      code === 'ENOENT'
        ? 'deleted or moved away before its turn; skipped'
        : `cannot be read (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message}); tried again at the next rescan`,
      path,
    );
  }

  /** Moves the originals of ended documents into processed/ or failed/ (folders in `move` mode). */
  private async dispose(by: { folderId?: number; docId?: number }): Promise<void> {
    const { db } = this.deps;
    if (!db.open) return;
    for (const d of pendingDispositions(db, by)) {
      const folder = getWatchFolder(db, d.folderId);
      if (!folder || folder.options.after !== 'move') continue;
      if (d.docState === 'cancelled') {
        markDisposed(db, d.id, 'left', null);
        continue;
      }
      const failed = d.docState === 'failed';
      let moved;
      try {
        moved = await moveAside(
          d.path,
          folder.path,
          failed ? 'failed' : 'processed',
          failed ? reasonText(d.path, d.error, new Date(this.deps.clock())) : null,
        );
      } catch (error) {
        this.report(d.folderId, `could not be moved aside: ${(error as Error).message}`, d.path);
        continue;
      }
      if (!db.open) return;
      markDisposed(db, d.id, moved ? (failed ? 'failed' : 'processed') : 'gone', moved?.to ?? null);
      if (!moved) this.report(d.folderId, 'was gone before it could be moved aside', d.path);
      else
        this.report(
          d.folderId,
          failed
            ? `failed (${d.error?.message ?? 'unknown reason'}); moved to ${relative(folder.path, moved.to)}`
            : `moved to ${relative(folder.path, moved.to)}`,
          d.path,
        );
      this.changed(d.folderId, []);
    }
  }

  private row(f: WatchFolderRecord): WatchFolderRow {
    const w = this.running.get(f.id);
    return {
      id: f.id,
      path: f.path,
      options: f.options,
      state: w ? w.currentState : 'stopped',
      stateReason: w ? (this.reasons.get(f.id) ?? null) : null,
      stats: { ...watchFolderStats(this.deps.db, f.id), settling: w?.settlingCount ?? 0 },
      lastScanAt: f.lastScanAt,
      createdAt: f.createdAt,
    };
  }

  private changed(folderId: number, docIds: number[]): void {
    this.deps.events.emit('watch', { folderId, docIds, removed: false });
  }

  private report(folderId: number, message: string, path?: string): void {
    this.deps.events.emit('watchReport', { folderId, message, path: path ?? null });
  }
}
