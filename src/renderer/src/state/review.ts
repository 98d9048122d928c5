/** Failed documents, failed exports and low-confidence pages for the review panel, refetched when they change. */
import { create } from 'zustand';
import type { DocumentRow, LowConfidencePage } from '../../../shared/model.ts';
import type { ExportItem } from '../../../shared/exports.ts';
import { call } from '../api/client.ts';

interface ReviewStore {
  failures: DocumentRow[];
  lowConfidence: LowConfidencePage[];
  /** Exports (from the export dialog) that failed and were not redone. */
  exportFailures: ExportItem[];
  open: boolean;
  setOpen: (open: boolean) => void;
  refresh: () => Promise<void>;
}

export const useReview = create<ReviewStore>()((set) => ({
  failures: [],
  lowConfidence: [],
  exportFailures: [],
  open: true,
  setOpen: (open) => set({ open }),
  refresh: async () => {
    const [failures, lowConfidence, exportFailures] = await Promise.all([
      call('review.failures', 100),
      call('review.lowConfidence', 100),
      call('export.failures', 100),
    ]);
    set({ failures, lowConfidence, exportFailures });
  },
}));
