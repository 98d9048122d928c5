/** Failed documents, failed exports and low-confidence pages for the review panel, refetched when they change. */
import { create } from 'zustand';
import type { DocumentRow, LowConfidencePage } from '../../../shared/model.ts';
import type { ExportItem } from '../../../shared/exports.ts';
import type { FailedPage } from '../../../shared/api.ts';
import { call } from '../api/client.ts';

interface ReviewStore {
  failures: DocumentRow[];
  lowConfidence: LowConfidencePage[];
  /** Exports (from the export dialog) that failed and were not redone. */
  exportFailures: ExportItem[];
  /** The failed pages of documents done with errors, by document id. */
  failedPages: Record<number, FailedPage[]>;
  open: boolean;
  setOpen: (open: boolean) => void;
  refresh: () => Promise<void>;
}

export const useReview = create<ReviewStore>()((set) => ({
  failures: [],
  lowConfidence: [],
  exportFailures: [],
  failedPages: {},
  open: true,
  setOpen: (open) => set({ open }),
  refresh: async () => {
    const [failures, lowConfidence, exportFailures] = await Promise.all([
      call('review.failures', 100),
      call('review.lowConfidence', 100),
      call('export.failures', 100),
    ]);
    const partial = failures.filter((f) => f.state === 'done-with-errors').map((f) => f.id);
    const pages = partial.length > 0 ? await call('review.failedPages', partial, 5) : [];
    const failedPages: Record<number, FailedPage[]> = {};
    for (const p of pages) (failedPages[p.docId] ??= []).push(p);
    set({ failures, lowConfidence, exportFailures, failedPages });
  },
}));
