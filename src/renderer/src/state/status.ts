/** Overall progress and connection: what the header and the progress strip show. */
import { create } from 'zustand';
import type { QueueStatus } from '../../../shared/api.ts';
import type { ConnectionState } from '../api/client.ts';

interface StatusStore {
  status: QueueStatus | null;
  connection: ConnectionState;
  version: string;
  /** The last failed action, shown in a dismissable bar. */
  notice: { kind: 'error' | 'info'; text: string } | null;
  setNotice: (notice: StatusStore['notice']) => void;
}

export const useStatus = create<StatusStore>()((set) => ({
  status: null,
  connection: 'connecting',
  version: '',
  notice: null,
  setNotice: (notice) => set({ notice }),
}));
