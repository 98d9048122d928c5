/** The queue table's store: the filter, and the window of rows the engine returned for it. */
import { create } from 'zustand';
import type { DocumentState } from '../../../shared/model.ts';
import type { ApiEvents, QueueSort } from '../../../shared/api.ts';
import { call } from '../api/client.ts';
import { covers, patchWindow, windowFor, type RowWindow } from './queueWindow.ts';

export interface QueueFilter {
  states: DocumentState[];
  search: string;
  sort: QueueSort;
  descending: boolean;
}

interface QueueStore extends RowWindow {
  filter: QueueFilter;
  /** Visible row range (start inclusive, end exclusive), reported by the table. */
  visible: { start: number; end: number };
  loaded: boolean;
  error: string | null;
  setFilter: (patch: Partial<QueueFilter>) => void;
  setVisible: (start: number, end: number) => void;
  /** Refetches the window (coalesced: one request in flight, at most one more after it). */
  refresh: () => void;
  applyChange: (change: ApiEvents['document.changed']) => void;
}

let inFlight = false;
let again = false;

export const useQueue = create<QueueStore>()((set, get) => {
  const fetchWindow = async (): Promise<void> => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      do {
        again = false;
        const { filter, visible } = get();
        const { offset, limit } = windowFor(visible.start, visible.end);
        const page = await call('queue.list', { ...filter, offset, limit });
        // A filter change while this was under way makes it stale: fetch again for the new one.
        if (get().filter !== filter) {
          again = true;
          continue;
        }
        set({ total: page.total, offset: page.offset, rows: page.rows, loaded: true, error: null });
      } while (again);
    } catch (error) {
      set({ error: error instanceof Error ? error.message : String(error) });
    } finally {
      inFlight = false;
    }
  };
  const refresh = (): void => void fetchWindow();

  return {
    total: 0,
    offset: 0,
    rows: [],
    loaded: false,
    error: null,
    filter: { states: [], search: '', sort: 'queue', descending: false },
    visible: { start: 0, end: 50 },
    setFilter: (patch) => {
      set((s) => ({
        filter: { ...s.filter, ...patch },
        visible: { start: 0, end: s.visible.end - s.visible.start },
      }));
      refresh();
    },
    setVisible: (start, end) => {
      const s = get();
      if (s.visible.start === start && s.visible.end === end) return;
      set({ visible: { start, end } });
      if (!covers(s, start, end)) refresh();
    },
    refresh,
    applyChange: (change) => {
      set((s) => patchWindow(s, change));
      refresh();
    },
  };
});
