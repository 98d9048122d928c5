import { useShallow } from 'zustand/react/shallow';
import { call } from '../api/client.ts';
import { useReview } from '../state/review.ts';
import { useStatus } from '../state/status.ts';
import { usePageView } from '../state/pageView.ts';
import { RevealButton } from '../components/RevealButton.tsx';
import { fileName, folderForRtl, folderOf } from './format.ts';
import { Reason } from '../components/Reason.tsx';

/**
 * Documents that failed (or finished with failed pages) with their reason, retry and the file's
 * location; pages of low confidence, each opening the page view.
 */
export function ReviewPanel() {
  const { failures, lowConfidence, exportFailures, failedPages, open } = useReview(
    useShallow((s) => ({
      failedPages: s.failedPages,
      failures: s.failures,
      lowConfidence: s.lowConfidence,
      exportFailures: s.exportFailures,
      open: s.open,
    })),
  );
  const setOpen = useReview((s) => s.setOpen);
  const setNotice = useStatus((s) => s.setNotice);
  const retry = (ids: number[]) =>
    call('queue.retry', ids).catch((e: unknown) =>
      setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) }),
    );
  return (
    <aside className={open ? 'review' : 'review closed'} aria-label="Review">
      <div className="review-head">
        <h2>
          Needs attention{' '}
          <span className="badge">{failures.length + exportFailures.length + lowConfidence.length}</span>
        </h2>
        <div className="review-head-actions">
          {failures.length > 1 && (
            <button type="button" className="btn small" onClick={() => void retry(failures.map((f) => f.id))}>
              Retry all
            </button>
          )}
          <button type="button" className="btn ghost small" onClick={() => setOpen(!open)}>
            {open ? 'Hide' : 'Show'}
          </button>
        </div>
      </div>
      {open && (
        <div className="review-body">
          {failures.length === 0 ? (
            exportFailures.length === 0 && (
              <p className="muted review-empty">
                Nothing failed. Documents that cannot be read show up here with the reason.
              </p>
            )
          ) : (
            <ul className="failures">
              {failures.map((f) => (
                <li key={f.id} className="failure" aria-label={fileName(f.path)}>
                  <div className="failure-top">
                    <span className={`pill state-${f.state}`}>
                      {f.state === 'failed' ? 'Failed' : 'Some pages failed'}
                    </span>
                    <span className="failure-name" title={f.path}>
                      {fileName(f.path)}
                    </span>
                  </div>
                  <div className="failure-folder muted" title={folderOf(f.path)}>
                    {folderForRtl(f.path)}
                  </div>
                  <p className="failure-reason">
                    {f.error ? (
                      <Reason error={f.error} />
                    ) : (
                      `${f.pagesFailed} of ${f.pageCount ?? '?'} pages could not be recognised.`
                    )}
                  </p>
                  {(failedPages[f.id] ?? []).length > 0 && (
                    <ul className="failed-pages" aria-label="Failed pages">
                      {failedPages[f.id].map((p) => (
                        <li key={p.pageNo}>
                          <button
                            type="button"
                            className="link"
                            title="Open this page"
                            onClick={() => usePageView.getState().open(f.id, p.pageNo)}
                          >
                            Page {p.pageNo}
                          </button>{' '}
                          <Reason error={p.error} />
                        </li>
                      ))}
                      {f.pagesFailed > failedPages[f.id].length && (
                        <li className="muted">and {f.pagesFailed - failedPages[f.id].length} more</li>
                      )}
                    </ul>
                  )}
                  <div className="failure-actions">
                    <button type="button" className="btn small" onClick={() => void retry([f.id])}>
                      ↻ Retry
                    </button>
                    {f.pagesDone > 0 && (
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => usePageView.getState().open(f.id, 1)}
                      >
                        View pages
                      </button>
                    )}
                    <RevealButton docId={f.id} path={f.path} />
                  </div>
                </li>
              ))}
            </ul>
          )}
          {exportFailures.length > 0 && (
            <section aria-label="Exports that failed">
              <h3 className="review-subhead">Exports that failed</h3>
              <ul className="failures">
                {exportFailures.map((x) => (
                  <li key={x.taskId} className="failure" aria-label={`export of ${fileName(x.path)}`}>
                    <div className="failure-top">
                      <span className="pill state-failed">Export failed</span>
                      <span className="failure-name" title={x.path}>
                        {fileName(x.path)}
                      </span>
                    </div>
                    {x.error && (
                      <p className="failure-reason">
                        <Reason error={x.error} />
                      </p>
                    )}
                    <div className="failure-actions">
                      <button
                        type="button"
                        className="btn small"
                        onClick={() =>
                          void call('export.retry', [x.taskId]).catch((e: unknown) =>
                            setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) }),
                          )
                        }
                      >
                        ↻ Retry export
                      </button>
                      <RevealButton docId={x.docId} path={x.path} />
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {lowConfidence.length > 0 && (
            <section aria-label="Low confidence">
              <h3 className="review-subhead">Low confidence — worth a look</h3>
              <ul className="failures">
                {lowConfidence.map((p) => (
                  <li
                    key={`${p.docId}:${p.pageNo}`}
                    className="failure"
                    aria-label={`${fileName(p.path)} page ${p.pageNo}`}
                  >
                    <div className="failure-top">
                      <span className="pill state-done-with-errors">Page {p.pageNo}</span>
                      <span className="failure-name" title={p.path}>
                        {fileName(p.path)}
                      </span>
                    </div>
                    <p className="failure-reason">
                      Confidence {Math.round(p.confidence)}% (document {Math.round(p.documentMean)}%)
                    </p>
                    <div className="failure-actions">
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => usePageView.getState().open(p.docId, p.pageNo)}
                      >
                        View page
                      </button>
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      )}
    </aside>
  );
}
