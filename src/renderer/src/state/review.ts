/** Failed documents and low-confidence pages for the review panel, refetched when documents change. */
import { create } from 'zustand';
import type { DocumentRow, LowConfidencePage } from '../../../shared/model.ts';
import { call } from '../api/client.ts';

interface ReviewStore {
  failures: DocumentRow[];
  lowConfidence: LowConfidencePage[];
  open: boolean;
  setOpen: (open: boolean) => void;
  refresh: () => Promise<void>;
}

export const useReview = create<ReviewStore>()((set) => ({
  failures: [],
  lowConfidence: [],
  open: true,
  setOpen: (open) => set({ open }),
  refresh: async () => {
    const [failures, lowConfidence] = await Promise.all([
      call('review.failures', 100),
      call('review.lowConfidence', 100),
    ]);
    set({ failures, lowConfidence });
  },
}));
