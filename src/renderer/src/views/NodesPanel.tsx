import { useCluster, nodeStateLabel } from '../state/cluster.ts';

/**
 * Several machines: the worker nodes of the cluster (Settings → Cluster), each with its state,
 * what it has done and how fast, its OCR engine and memory. Shown only when the app coordinates a
 * cluster.
 */
export function NodesPanel() {
  const cluster = useCluster((s) => s.cluster);
  if (!cluster || cluster.redis === null) return null;
  const working = cluster.nodes.filter((n) => !n.gone && n.state === 'working');
  return (
    <section className="watch" aria-label="Worker nodes">
      <div className="watch-head">
        <h2>
          Worker nodes <span className="badge">{working.length}</span>
        </h2>
        <span className="muted small">
          {cluster.connected
            ? `${cluster.redis} · ${cluster.inFlight} page${cluster.inFlight === 1 ? '' : 's'} with the nodes`
            : `${cluster.redis} · not connected (retrying)`}
        </span>
      </div>
      {cluster.nodes.length === 0 ? (
        <p className="muted">No node has reported yet. On each helper machine: bulk-ocr worker --redis URL</p>
      ) : (
        <table className="nodes" aria-label="Nodes">
          <thead>
            <tr>
              <th>Node</th>
              <th>State</th>
              <th>Pages</th>
              <th>Pages/min</th>
              <th>Failed</th>
              <th>Memory</th>
              <th>OCR</th>
            </tr>
          </thead>
          <tbody>
            {cluster.nodes.map((n) => (
              <tr key={n.id} className={n.gone || n.state !== 'working' ? 'node-off' : undefined}>
                <td title={`${n.host}, ${n.cores} cores, pid ${n.pid}, version ${n.version}`}>{n.name}</td>
                <td>{nodeStateLabel(n)}</td>
                <td>{n.pagesDone}</td>
                <td>{n.pagesPerMinute.toFixed(1)}</td>
                <td>{n.pagesFailed}</td>
                <td>{Math.round(n.rssBytes / 2 ** 20)} MB</td>
                <td>{n.engine}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
