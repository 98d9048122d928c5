/** Failed documents for the review panel, refetched when a document changes for the worse or better. */
import { create } from 'zustand';
import type { DocumentRow } from '../../../shared/model.ts';
import { call } from '../api/client.ts';

interface ReviewStore {
  failures: DocumentRow[];
  open: boolean;
  setOpen: (open: boolean) => void;
  refresh: () => Promise<void>;
}

export const useReview = create<ReviewStore>()((set) => ({
  failures: [],
  open: true,
  setOpen: (open) => set({ open }),
  refresh: async () => {
    set({ failures: await call('review.failures', 100) });
  },
}));
