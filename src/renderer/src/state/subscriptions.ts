/**
 * The one place where pushed events enter the stores: registered once at start-up. The host already
 * coalesces pushes (≤ 10 per second), so each one is applied as it comes.
 */
import { call, on, onConnection } from '../api/client.ts';
import { useQueue } from './queue.ts';
import { useReview } from './review.ts';
import { useSelection } from './selection.ts';
import { useStatus } from './status.ts';
import { useSettings } from './settings.ts';
import { useExport } from './exportDialog.ts';
import { useWatch } from './watch.ts';
import { useSearch } from './search.ts';
import { useCluster } from './cluster.ts';

const FAILED = new Set(['failed', 'done-with-errors']);

export function startSubscriptions(): () => void {
  const refreshReview = (): void =>
    void useReview
      .getState()
      .refresh()
      .catch(() => {});
  const loadAll = (): void => {
    call('queue.status').then(
      (status) => useStatus.setState({ status }),
      () => {},
    );
    call('app.version').then(
      (version) => useStatus.setState({ version }),
      () => {},
    );
    useQueue.getState().refresh();
    refreshReview();
    useSettings
      .getState()
      .load()
      .catch(() => {});
    void useExport
      .getState()
      .refresh()
      .catch(() => {});
    void useWatch
      .getState()
      .refresh()
      .catch(() => {});
    call('search.status').then(
      (index) => useSearch.setState({ index }),
      () => {},
    );
    void useCluster
      .getState()
      .refresh()
      .catch(() => {});
  };
  const offs = [
    onConnection((connection) => {
      useStatus.setState({ connection });
      // (Re)connected: everything may have moved meanwhile.
      if (connection === 'open') loadAll();
    }),
    on('queue.changed', (status) => {
      useStatus.setState({ status });
      useQueue.getState().refresh();
    }),
    on('document.changed', (change) => {
      useQueue.getState().applyChange(change);
      useSelection.getState().forget(change.removed);
      const review = useReview.getState();
      const inReview = new Set(review.failures.map((f) => f.id));
      if (
        change.truncated ||
        change.rows.some((r) => FAILED.has(r.state) || inReview.has(r.id)) ||
        change.removed.some((id) => inReview.has(id))
      )
        refreshReview();
    }),
    on('watch.changed', ({ folders }) => useWatch.setState({ folders })),
    on('search.changed', (index) => useSearch.setState({ index })),
    on('cluster.changed', (cluster) => useCluster.setState({ cluster })),
    on('export.changed', ({ batchIds }) => {
      refreshReview();
      const exp = useExport.getState();
      if (exp.started?.batchId && batchIds.includes(exp.started.batchId)) void exp.refresh().catch(() => {});
    }),
  ];
  return () => offs.forEach((off) => off());
}
