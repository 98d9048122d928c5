/** Several machines: the cluster's state for the window's nodes view. */
import type { ApiMethod } from '../../../shared/api.ts';
import { NO_CLUSTER } from '../../engine/clusterControl.ts';
import type { HandlerContext, HandlerMap } from './context.ts';

type ClusterMethod = Extract<ApiMethod, `cluster.${string}`>;

export function clusterHandlers({ engine }: HandlerContext): HandlerMap<ClusterMethod> {
  return {
    'cluster.status': () => engine.cluster?.status() ?? NO_CLUSTER,
  };
}
