/** Watched folders as the engine reports them (pushed on every change by `watch.changed`). */
import { create } from 'zustand';
import type { WatchAddRequest } from '../../../shared/api.ts';
import type { WatchFolderOptions, WatchFolderRow } from '../../../shared/model.ts';
import { call } from '../api/client.ts';

interface WatchStore {
  folders: WatchFolderRow[];
  /** The panel shows its list (it always shows its head). */
  open: boolean;
  setOpen: (open: boolean) => void;
  refresh: () => Promise<void>;
  add: (request: WatchAddRequest) => Promise<WatchFolderRow>;
  /** Resolves with the folder as it runs now (its watcher restarted with the new options). */
  update: (id: number, patch: Partial<WatchFolderOptions>) => Promise<WatchFolderRow>;
  remove: (id: number) => Promise<void>;
  rescan: (id: number) => Promise<void>;
}

export const useWatch = create<WatchStore>()((set, get) => ({
  folders: [],
  open: true,
  setOpen: (open) => set({ open }),
  refresh: async () => set({ folders: await call('watch.list') }),
  add: async (request) => {
    const row = await call('watch.add', request);
    await get().refresh();
    return row;
  },
  update: async (id, patch) => {
    const row = await call('watch.update', id, patch);
    await get().refresh();
    return row;
  },
  remove: async (id) => {
    await call('watch.remove', id);
    set({ folders: get().folders.filter((f) => f.id !== id) });
  },
  rescan: async (id) => {
    await call('watch.rescan', id);
  },
}));

/** How a folder's state reads in the list. */
export function watchStateLabel(f: WatchFolderRow): string {
  switch (f.state) {
    case 'watching':
      return 'Watching';
    case 'polling':
      return 'Polling';
    case 'unavailable':
      return 'Unavailable';
    case 'starting':
      return 'Starting…';
    case 'stopped':
      return 'Not running';
  }
}

/** What a folder has ingested, in one line: "12 ingested · 10 done · 1 failed · 1 in queue · …". */
export function watchStatsLine(f: WatchFolderRow): string {
  const s = f.stats;
  const parts = [`${s.ingested.toLocaleString()} ingested`];
  if (s.done > 0) parts.push(`${s.done.toLocaleString()} done`);
  if (s.failed > 0) parts.push(`${s.failed.toLocaleString()} failed`);
  if (s.inQueue > 0) parts.push(`${s.inQueue.toLocaleString()} in queue`);
  if (s.settling > 0) parts.push(`${s.settling.toLocaleString()} being written`);
  if (s.duplicates > 0)
    parts.push(`${s.duplicates.toLocaleString()} duplicate${s.duplicates === 1 ? '' : 's'} skipped`);
  return parts.join(' · ');
}
