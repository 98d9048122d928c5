/** The export dialog: what it exports, the batch it started, and that batch as it progresses. */
import { create } from 'zustand';
import type { ExportBatch, ExportOptions, ExportStartResult } from '../../../shared/exports.ts';
import { call } from '../api/client.ts';

export type ExportScope = { kind: 'selection'; ids: number[] } | { kind: 'all-done'; count: number };

interface ExportStore {
  /** The dialog is open while a scope is set. */
  scope: ExportScope | null;
  started: ExportStartResult | null;
  batch: ExportBatch | null;
  openFor: (scope: ExportScope) => void;
  close: () => void;
  start: (options: ExportOptions) => Promise<void>;
  /** Refetches the batch (on `export.changed`). */
  refresh: () => Promise<void>;
}

export const useExport = create<ExportStore>()((set, get) => ({
  scope: null,
  started: null,
  batch: null,
  openFor: (scope) => set({ scope, started: null, batch: null }),
  close: () => set({ scope: null, started: null, batch: null }),
  start: async (options) => {
    const scope = get().scope;
    if (!scope) return;
    const started = await call(
      'export.start',
      scope.kind === 'all-done' ? { allDone: true, options } : { ids: scope.ids, options },
    );
    set({ started });
    await get().refresh();
  },
  refresh: async () => {
    const id = get().started?.batchId;
    if (!id) return;
    const batch = await call('export.batch', id, 500);
    if (get().started?.batchId === id) set({ batch });
  },
}));

/** True once no document of the batch is waiting or being written. */
export function batchFinished(batch: ExportBatch | null): boolean {
  return batch !== null && batch.counts.queued + batch.counts.running === 0;
}

/** One line for the dialog: how far the batch is, and how it ended. */
export function batchSummary(batch: ExportBatch): string {
  const c = batch.counts;
  const finished = c.written + c.skipped + c.failed;
  if (finished < c.total) return `Exporting… ${finished} of ${c.total} document${c.total === 1 ? '' : 's'}`;
  const parts = [`${c.written} exported`];
  if (c.skipped > 0) parts.push(`${c.skipped} skipped (files already there)`);
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  return `Done: ${parts.join(', ')}.`;
}
