import { useStatus } from '../state/status.ts';
import { formatRate } from './format.ts';
import { stripFigures } from './progressFigures.ts';

/** Overall progress: documents and pages done of total, rate, ETA, workers. */
export function ProgressStrip() {
  const status = useStatus((s) => s.status);
  if (!status) return <section className="progress-strip muted">Loading the queue…</section>;
  const d = status.counts.documents;
  const figures = stripFigures(status);
  const fraction = figures.fraction;
  return (
    <section className="progress-strip" aria-label="Overall progress">
      <div className="stats">
        <Stat label="Documents" value={figures.documents} testId="docs" />
        <Stat label="Pages" value={figures.pages} testId="pages" />
        <Stat label="Pages / min" value={formatRate(status.pagesPerMinute)} testId="rate" />
        <Stat label="Time left" value={figures.timeLeft} testId="eta" />
        <Stat
          label="Workers busy"
          value={`${status.workers.busy} / ${status.workers.total}`}
          testId="workers"
        />
        {d.failed > 0 && (
          <Stat label="Files failed" value={d.failed.toLocaleString()} testId="failed" tone="bad" />
        )}
        {status.counts.pages.failed > 0 && (
          <Stat
            label="Pages failed"
            value={status.counts.pages.failed.toLocaleString()}
            testId="pages-failed"
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
        aria-valuenow={Math.floor(fraction * 100)}
      >
        <span style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
      {figures.note && !status.paused && <p className="muted">{figures.note}</p>}
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
