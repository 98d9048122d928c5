import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { WatchFolderOptions, WatchFolderState } from '../../../shared/model.ts';
import { checkComplete, type Completeness } from './completeness.ts';
import { isIgnoredPath, isWatchedFile, type IgnoreRules } from './ignore.ts';
import { pollingReason } from './mounts.ts';
import { count } from '../../../shared/words.ts';

/** How patient the watcher is. Defaults suit a scanner on a local disk or a share. */
export interface WatchTimings {
  /** A file's size and mtime must stay the same this long before it is looked at. */
  settleMs: number;
  /** How often files still settling are looked at. */
  checkEveryMs: number;
  /**
   * A file that stopped changing but does not open cleanly (no PDF `%%EOF`, a cut-off image) is
   * waited for this much longer, then handed to the engine anyway, which says what is wrong with it.
   */
  incompleteGraceMs: number;
  /** Catch-up: the folder is listed again this often (events lost on a share, a missed burst). */
  rescanEveryMs: number;
  /** Polling mode: how often each file and folder is looked at. */
  pollIntervalMs: number;
  /** How often the folder's presence is checked (an unplugged drive, a share gone offline). */
  availabilityEveryMs: number;
}

export const DEFAULT_WATCH_TIMINGS: WatchTimings = {
  settleMs: 2_000,
  checkEveryMs: 500,
  incompleteGraceMs: 60_000,
  rescanEveryMs: 3 * 60_000,
  pollIntervalMs: 2_000,
  availabilityEveryMs: 5_000,
};

/** A file that has settled: complete, or given up waiting on (`incomplete`). */
export interface SettledFile {
  path: string;
  size: number;
  mtimeMs: number;
  incomplete: boolean;
}

export interface FolderWatcherHooks {
  /** The recorded signature (`size:mtime`) of every path of this folder already taken in. */
  seenSignatures(): Map<string, string>;
  /** Settled files, handed over for intake (hash, dedupe, queue); resolves once they are recorded. */
  settled(files: SettledFile[]): Promise<void>;
  state(state: WatchFolderState, reason: string | null): void;
  /** Something a person should hear about (a file skipped, a mode switched). */
  report(message: string, path?: string): void;
  scanned(): void;
}

interface Settling {
  size: number;
  mtimeMs: number;
  stableSince: number;
  completeness: Completeness | null;
  toldIncomplete: boolean;
  /** Announced by a file event (not only found by a scan). */
  viaEvent: boolean;
}

/**
 * One watched folder: chokidar for events (or polling), our own settle check for completeness,
 * a catch-up rescan at start and every few minutes, and a presence check that turns the folder
 * `unavailable` when it disappears and reconnects (with a rescan) when it is back.
 *
 * Files settle independently: each pending file is stat'ed on every check, so one that grows for
 * an hour holds up nothing else.
 */
export class FolderWatcher {
  readonly id: number;
  readonly root: string;
  private readonly options: WatchFolderOptions;
  private readonly timings: WatchTimings;
  private readonly hooks: FolderWatcherHooks;
  private readonly clock: () => number;
  private readonly rules: IgnoreRules;
  private readonly pending = new Map<string, Settling>();
  /** Settled and handed over, not recorded yet: a scan meanwhile must not count or track them. */
  private readonly handedOver = new Set<string>();
  /**
   * Paths tracked since the watcher connected: a rescan that finds one of them again (unreadable,
   * so never recorded) has not proven anything about events. Bounded: past the cap it starts over,
   * which at worst delays the switch to polling.
   */
  private readonly trackedSinceConnect = new Set<string>();
  private watcher: FSWatcher | null = null;
  private timers: NodeJS.Timeout[] = [];
  private state: WatchFolderState = 'stopped';
  private stopped = false;
  private checking = false;
  private scanning = false;
  private connecting = false;
  private connectedAt = 0;
  /** Set once a rescan found files no event announced: from then on this folder is polled. */
  private eventsAbsent: string | null = null;

  constructor(
    folder: { id: number; path: string; options: WatchFolderOptions },
    timings: WatchTimings,
    hooks: FolderWatcherHooks,
    clock: () => number,
  ) {
    this.id = folder.id;
    this.root = folder.path;
    this.options = folder.options;
    this.timings = timings;
    this.hooks = hooks;
    this.clock = clock;
    const outDir = folder.options.outDir;
    this.rules = { root: folder.path, outDir };
  }

  get settlingCount(): number {
    return this.pending.size;
  }

  get currentState(): WatchFolderState {
    return this.state;
  }

  start(): void {
    this.stopped = false;
    this.setState('starting', null);
    this.timers.push(
      setInterval(() => void this.checkSettling(), this.timings.checkEveryMs),
      setInterval(() => void this.scan(false), this.timings.rescanEveryMs),
      setInterval(() => void this.checkPresence(), this.timings.availabilityEveryMs),
    );
    for (const t of this.timers) t.unref();
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.disconnect();
    this.pending.clear();
    this.setState('stopped', null);
  }

  /** Lists the folder now (the UI's "rescan", tests). */
  rescan(): Promise<void> {
    return this.scan(false);
  }

  private setState(state: WatchFolderState, reason: string | null): void {
    if (state === this.state && reason === null) return;
    this.state = state;
    this.hooks.state(state, reason);
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting || this.watcher) return;
    this.connecting = true;
    try {
      const problem = await folderProblem(this.root);
      // Stopped meanwhile (an edit restarts the folder): a stopped watcher reports nothing more.
      if (this.stopped) return;
      if (problem) {
        this.setState('unavailable', problem);
        return;
      }
      const why =
        this.options.detection === 'polling'
          ? 'polling chosen for this folder'
          : this.options.detection === 'auto'
            ? (this.eventsAbsent ?? pollingReason(this.root))
            : null;
      const watcher = watch(this.root, {
        ignoreInitial: true,
        persistent: true,
        followSymlinks: false,
        ignorePermissionErrors: true,
        depth: this.options.recursive ? undefined : 0,
        usePolling: why !== null,
        interval: this.timings.pollIntervalMs,
        binaryInterval: this.timings.pollIntervalMs,
        // Folders are filtered by name only (they have no extension); files by the full rule.
        ignored: (p: string, stats?: { isFile(): boolean }) =>
          isIgnoredPath(p, this.rules) || (stats?.isFile() === true && !isWatchedFile(p, this.rules)),
      });
      watcher.on('add', (p) => this.track(p, true));
      watcher.on('change', (p) => this.track(p, true));
      watcher.on('unlink', (p) => this.untrack(p));
      watcher.on('error', (error) => this.hooks.report(`file watcher: ${(error as Error).message}`));
      await new Promise<void>((ready) => watcher.once('ready', ready));
      if (this.stopped) {
        await watcher.close();
        return;
      }
      this.watcher = watcher;
      this.connectedAt = this.clock();
      this.trackedSinceConnect.clear();
      this.setState(why ? 'polling' : 'watching', why);
    } finally {
      this.connecting = false;
    }
    // Catch-up: whatever arrived while nobody was looking (app closed, drive away).
    await this.scan(true);
  }

  private async disconnect(): Promise<void> {
    const w = this.watcher;
    this.watcher = null;
    if (w) await w.close().catch(() => undefined);
  }

  /** Unavailable → back: reconnect. Gone while watched: unavailable (pending files are dropped). */
  private async checkPresence(): Promise<void> {
    if (this.stopped || this.connecting) return;
    const problem = await folderProblem(this.root);
    if (this.stopped) return;
    if (problem && this.state !== 'unavailable') {
      await this.disconnect();
      this.pending.clear();
      this.setState('unavailable', problem);
    } else if (!problem && (this.state === 'unavailable' || !this.watcher)) {
      await this.connect();
    }
  }

  private track(path: string, viaEvent: boolean, known?: { size: number; mtimeMs: number }): void {
    if (this.stopped || !isWatchedFile(path, this.rules)) return;
    if (this.trackedSinceConnect.size >= 50_000) this.trackedSinceConnect.clear();
    this.trackedSinceConnect.add(path);
    const existing = this.pending.get(path);
    if (existing) {
      existing.viaEvent ||= viaEvent;
      return; // the next check sees any change
    }
    this.pending.set(path, {
      size: known?.size ?? -1,
      mtimeMs: known?.mtimeMs ?? -1,
      stableSince: this.clock(),
      completeness: null,
      toldIncomplete: false,
      viaEvent,
    });
  }

  private untrack(path: string): void {
    if (this.pending.delete(path))
      this.hooks.report('deleted or moved away before it was complete; skipped', path);
  }

  /** Looks at every settling file once; hands over those that settled and open cleanly. */
  private async checkSettling(): Promise<void> {
    if (this.checking || this.pending.size === 0) return;
    this.checking = true;
    try {
      const now = this.clock();
      const settled: SettledFile[] = [];
      await eachLimit([...this.pending], 16, async ([path, p]) => {
        let s;
        try {
          s = await stat(path);
        } catch {
          if (this.pending.delete(path))
            this.hooks.report('deleted or moved away before it was complete; skipped', path);
          return;
        }
        if (!s.isFile()) {
          // A named pipe or device under a document's name: opening it could wait forever.
          if (this.pending.delete(path) && !s.isDirectory())
            this.hooks.report('not a regular file (a named pipe, socket or device); skipped', path);
          return;
        }
        if (s.size !== p.size || s.mtimeMs !== p.mtimeMs) {
          p.size = s.size;
          p.mtimeMs = s.mtimeMs;
          p.stableSince = now;
          p.completeness = null;
          return;
        }
        if (now - p.stableSince < this.timings.settleMs) return;
        p.completeness ??= await checkComplete(path).catch(() => 'incomplete' as const);
        if (p.completeness !== 'incomplete') {
          settled.push({ path, size: s.size, mtimeMs: s.mtimeMs, incomplete: false });
        } else if (now - p.stableSince >= this.timings.incompleteGraceMs) {
          settled.push({ path, size: s.size, mtimeMs: s.mtimeMs, incomplete: true });
        } else if (!p.toldIncomplete) {
          p.toldIncomplete = true;
          this.hooks.report('stopped changing but is not complete yet (its end is missing); waiting', path);
        }
      });
      for (const f of settled) {
        this.pending.delete(f.path);
        this.handedOver.add(f.path);
      }
      if (settled.length > 0 && !this.stopped)
        void this.hooks.settled(settled).finally(() => {
          for (const f of settled) this.handedOver.delete(f.path);
        });
    } finally {
      this.checking = false;
    }
  }

  /**
   * Lists the folder and tracks every file not taken in yet with its current size and mtime.
   * A later rescan (not the one at connect) that finds a new file no event announced, written
   * well after the watcher started, proves that events do not arrive here: the folder is polled.
   */
  private async scan(initial: boolean): Promise<void> {
    if (this.stopped || this.scanning || !this.watcher) return;
    this.scanning = true;
    let missed = 0;
    try {
      const seen = this.hooks.seenSignatures();
      const now = this.clock();
      for await (const f of walk(this.root, this.options.recursive, this.rules)) {
        if (this.stopped) return;
        if (seen.get(f.path) === `${f.size}:${Math.trunc(f.mtimeMs)}`) continue;
        if (this.pending.has(f.path) || this.handedOver.has(f.path)) continue;
        const recent = f.mtimeMs > this.connectedAt + 1_000 && f.mtimeMs < now - 4 * this.timings.settleMs;
        if (!initial && recent && this.state === 'watching' && !this.trackedSinceConnect.has(f.path))
          missed++;
        this.track(f.path, false, f);
      }
      this.hooks.scanned();
    } finally {
      this.scanning = false;
    }
    if (missed > 0 && this.options.detection === 'auto' && !this.stopped) {
      this.eventsAbsent = `file events did not arrive (${count(missed, 'new file')} found only by the rescan)`;
      this.hooks.report(`switching to polling: ${this.eventsAbsent}`);
      await this.disconnect();
      await this.connect();
    }
  }
}

/** Why the folder cannot be watched now, or null when it can. */
async function folderProblem(root: string): Promise<string | null> {
  try {
    const s = await stat(root);
    if (!s.isDirectory()) return 'not a folder';
    const dir = await opendir(root);
    await dir.close();
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      return 'the folder is missing (an unplugged drive or a share offline?); waiting for it';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    return (error as Error).message;
  }
}

interface Listed {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Files worth ingesting under `root` (its direct children only unless `recursive`). */
async function* walk(root: string, recursive: boolean, rules: IgnoreRules): AsyncGenerator<Listed> {
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let handle;
    try {
      handle = await opendir(dir);
    } catch {
      continue; // unreadable subfolder (or the folder went away): what can be read still counts
    }
    for await (const entry of handle) {
      const full = join(dir, entry.name);
      if (isIgnoredPath(full, rules)) continue;
      if (entry.isDirectory()) {
        if (recursive) pending.push(full);
      } else if (entry.isFile() && isWatchedFile(full, rules)) {
        try {
          const s = await stat(full);
          yield { path: full, size: s.size, mtimeMs: s.mtimeMs };
        } catch {
          // gone between listing and stat
        }
      }
    }
  }
}

async function eachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}
