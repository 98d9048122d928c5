/** Several machines: the cluster as the engine reports it (pushed by `cluster.changed`). */
import { create } from 'zustand';
import type { ClusterStatus } from '../../../shared/api.ts';
import type { ClusterNode } from '../../../shared/model.ts';
import { call } from '../api/client.ts';

interface ClusterStore {
  cluster: ClusterStatus | null;
  refresh: () => Promise<void>;
}

export const useCluster = create<ClusterStore>()((set) => ({
  cluster: null,
  refresh: async () => set({ cluster: await call('cluster.status') }),
}));

/** A node's state in words, for its row. */
export function nodeStateLabel(n: ClusterNode, now = Date.now()): string {
  if (n.gone)
    return `gone — last heard ${Math.max(1, Math.round((now - n.seenAt) / 1000))} s ago; its pages went back to the queue`;
  switch (n.state) {
    case 'working':
      return n.busy > 0
        ? `working (${n.busy} of ${n.jobs} busy)`
        : `ready (${n.jobs} worker${n.jobs === 1 ? '' : 's'})`;
    case 'waiting':
      return 'waiting for the coordinator';
    case 'excluded':
      return `excluded: ${n.reason ?? 'its own failures'}${n.retryAt ? ` — tries again in ${Math.max(0, Math.round((n.retryAt - now) / 1000))} s` : ''}`;
    case 'refused':
      return `refused: ${n.reason ?? 'another version'}`;
  }
}
