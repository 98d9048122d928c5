import { useEffect, useState, type DragEvent } from 'react';
import type { QueueCounts } from '../../shared/model.ts';
import { call, on, pathForFile } from './bridge.ts';

/** Scaffold window: title, a drop zone placeholder and the live queue counts. */
export function App() {
  const [counts, setCounts] = useState<QueueCounts | null>(null);
  const [version, setVersion] = useState<string>('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const off = on('queue.counts', setCounts);
    call('queue.counts').then(setCounts, (e: unknown) =>
      setError(e instanceof Error ? e.message : String(e)),
    );
    call('app.version').then(setVersion, () => {});
    return off;
  }, []);

  return (
    <div className="app">
      <header className="header">
        <h1>Bulk OCR</h1>
        {version && <span className="version">v{version}</span>}
      </header>
      <main className="main">
        <DropZone />
        <section className="counts" aria-label="Queue">
          {error && <p className="error">{error}</p>}
          {counts ? <Counts counts={counts} /> : !error && <p className="muted">Loading the queue…</p>}
        </section>
      </main>
    </div>
  );
}

function Counts({ counts }: { counts: QueueCounts }) {
  const d = counts.documents;
  const p = counts.pages;
  const items: [string, number][] = [
    ['Documents', d.total],
    ['Queued', d.new + d.queued],
    ['Running', d.running + d.exporting],
    ['Done', d.done + d['done-with-errors']],
    ['Failed', d.failed],
    ['Pages done', p.done],
    ['Pages left', p.queued + p.running],
  ];
  return (
    <dl className="count-grid">
      {items.map(([label, value]) => (
        <div key={label} className="count">
          <dt>{label}</dt>
          <dd>{value.toLocaleString()}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Placeholder: shows what was dropped. Queuing dropped files comes with the desktop issue. */
function DropZone() {
  const [over, setOver] = useState(false);
  const [dropped, setDropped] = useState<string[]>([]);

  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setOver(true);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    setDropped(Array.from(e.dataTransfer.files, (f) => pathForFile(f) || f.name));
  };

  return (
    <section
      className={over ? 'drop over' : 'drop'}
      onDragOver={onDragOver}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p className="drop-title">Drop folders, PDFs or images here</p>
      <p className="muted">They will be queued for OCR and exported as searchable PDF and text.</p>
      {dropped.length > 0 && (
        <ul className="dropped">
          {dropped.slice(0, 5).map((p) => (
            <li key={p}>{p}</li>
          ))}
          {dropped.length > 5 && <li className="muted">… and {dropped.length - 5} more</li>}
        </ul>
      )}
    </section>
  );
}
