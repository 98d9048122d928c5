import { useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { call } from '../api/client.ts';
import { useStatus } from '../state/status.ts';
import { useQueue } from '../state/queue.ts';
import { UploadButton } from './DropTarget.tsx';

/** Title, connection, "Add folder…" and the global pause. */
export function Header() {
  const { version, connection, paused } = useStatus(
    useShallow((s) => ({ version: s.version, connection: s.connection, paused: s.status?.paused ?? false })),
  );
  const setNotice = useStatus((s) => s.setNotice);
  const togglePause = () => {
    call('queue.setPaused', !paused).catch((e: unknown) =>
      setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) }),
    );
  };
  return (
    <header className="header">
      <div className="brand">
        <span className="logo" aria-hidden>
          ▤
        </span>
        <h1>Bulk OCR</h1>
        {version && <span className="version">v{version}</span>}
        <span className={`conn conn-${connection}`} title={`Connection: ${connection}`}>
          {connection === 'open' ? 'Connected' : connection === 'forbidden' ? 'Access denied' : 'Connecting…'}
        </span>
      </div>
      <div className="header-actions">
        <AddFolder />
        <UploadButton />
        <button type="button" className={paused ? 'btn primary' : 'btn'} onClick={togglePause}>
          {paused ? '▶ Resume all' : '❚❚ Pause all'}
        </button>
      </div>
    </header>
  );
}

/**
 * "Add folder…": a path field. In a browser there is no native folder dialog (and the engine reads
 * the paths on its own machine), so the path is typed or pasted; in the desktop app, dropping works too.
 */
function AddFolder() {
  const [open, setOpen] = useState(false);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const setNotice = useStatus((s) => s.setNotice);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const paths = path
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean);
    if (paths.length === 0) return;
    setBusy(true);
    call('queue.add', { paths })
      .then((r) => {
        const skipped = r.skipped.map((s) => `${s.path}: ${s.reason}`).join('; ');
        setNotice(
          r.queued === 0 && skipped
            ? { kind: 'error', text: `Nothing added. ${skipped}` }
            : {
                kind: 'info',
                text: `Added ${r.created.toLocaleString()} new document${r.created === 1 ? '' : 's'}${r.queued > r.created ? ` (${(r.queued - r.created).toLocaleString()} already queued)` : ''}.${skipped ? ` Skipped: ${skipped}` : ''}`,
              },
        );
        setPath('');
        setOpen(false);
        useQueue.getState().refresh();
      })
      .catch((err: unknown) =>
        setNotice({ kind: 'error', text: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => setBusy(false));
  };
  if (!open)
    return (
      <button type="button" className="btn primary" onClick={() => setOpen(true)}>
        + Add folder…
      </button>
    );
  return (
    <form className="add-folder" onSubmit={submit}>
      <input
        autoFocus
        aria-label="Folder or file path"
        placeholder="/path/to/scans"
        value={path}
        onChange={(e) => setPath(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
      />
      <button type="submit" className="btn primary" disabled={busy || !path.trim()}>
        Add
      </button>
      <button type="button" className="btn ghost" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
