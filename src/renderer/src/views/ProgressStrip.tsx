import { useStatus } from '../state/status.ts';
import { formatEta, formatRate } from './format.ts';

/** Overall progress: documents and pages done of total, rate, ETA, workers. */
export function ProgressStrip() {
  const status = useStatus((s) => s.status);
  if (!status) return <section className="progress-strip muted">Loading the queue…</section>;
  const d = status.counts.documents;
  const p = status.counts.pages;
  const docsDone = d.done + d['done-with-errors'] + d.failed + d.cancelled;
  const pagesDone = p.done + p.failed;
  const fraction = p.total > 0 ? pagesDone / p.total : d.total > 0 ? docsDone / d.total : 0;
  return (
    <section className="progress-strip" aria-label="Overall progress">
      <div className="stats">
        <Stat
          label="Documents"
          value={`${docsDone.toLocaleString()} / ${d.total.toLocaleString()}`}
          testId="docs"
        />
        <Stat
          label="Pages"
          value={`${pagesDone.toLocaleString()} / ${p.total.toLocaleString()}`}
          testId="pages"
        />
        <Stat label="Pages / min" value={formatRate(status.pagesPerMinute)} testId="rate" />
        <Stat
          label="Time left"
          value={status.paused ? 'Paused' : formatEta(status.etaSeconds)}
          testId="eta"
        />
        <Stat
          label="Workers busy"
          value={`${status.workers.busy} / ${status.workers.total}`}
          testId="workers"
        />
        {d.failed + d['done-with-errors'] > 0 && (
          <Stat
            label="With errors"
            value={String(d.failed + d['done-with-errors'])}
            testId="failed"
            tone="bad"
          />
        )}
      </div>
      <div
        className={status.paused ? 'bar big paused' : 'bar big'}
        role="progressbar"
        aria-label="Pages done"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
      >
        <span style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
      {status.paused && (
        <p className="paused-note">The queue is paused: running pages finish, no new page starts.</p>
      )}
    </section>
  );
}

function Stat(props: { label: string; value: string; testId: string; tone?: 'bad' }) {
  return (
    <div className={props.tone ? `stat ${props.tone}` : 'stat'} data-testid={`stat-${props.testId}`}>
      <span className="stat-label">{props.label}</span>
      <span className="stat-value">{props.value}</span>
    </div>
  );
}
