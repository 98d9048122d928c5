import { useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { QueueAddResult } from '../../../shared/api.ts';
import { call } from '../api/client.ts';
import { useStatus } from '../state/status.ts';
import { useQueue } from '../state/queue.ts';
import { useSettings } from '../state/settings.ts';
import { useExport } from '../state/exportDialog.ts';
import { UploadButton } from './DropTarget.tsx';
import { SearchBox } from './SearchBox.tsx';

/** Title, connection, "Add folder…", export of everything done, the global pause and settings. */
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
      <SearchBox />
      <div className="header-actions">
        <AddFolder />
        <UploadButton />
        <ExportAllButton />
        <button type="button" className={paused ? 'btn primary' : 'btn'} onClick={togglePause}>
          {paused ? '▶ Resume all' : '❚❚ Pause all'}
        </button>
        <DiagnosticsButton />
        <button
          type="button"
          className="btn ghost icon-btn"
          aria-label="Settings"
          title="Settings"
          onClick={() => useSettings.getState().setOpen(true)}
        >
          ⚙
        </button>
      </div>
    </header>
  );
}

/**
 * "Export diagnostics": the engine's report (versions, queue, recent errors, settings, log tail;
 * no document text) downloaded as a JSON file the user can attach to a problem report.
 */
function DiagnosticsButton() {
  const setNotice = useStatus((s) => s.setNotice);
  const download = () => {
    call('app.diagnostics')
      .then((report) => {
        const blob = new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' });
        const url = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = `bulk-ocr-diagnostics-${report.generatedAt.replace(/[:.]/g, '-')}.json`;
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        setNotice({
          kind: 'info',
          text: 'Diagnostics saved: versions, queue counts, recent errors and the log, with file names but no document text.',
        });
      })
      .catch((e: unknown) => setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) }));
  };
  return (
    <button
      type="button"
      className="btn ghost"
      title="Save a report to send with a problem: versions, queue counts, recent errors, the log (no document text)"
      onClick={download}
    >
      Export diagnostics
    </button>
  );
}

/** "Export…" for every document that is done (the selection has its own). */
function ExportAllButton() {
  const done = useStatus((s) =>
    s.status ? s.status.counts.documents.done + s.status.counts.documents['done-with-errors'] : 0,
  );
  return (
    <button
      type="button"
      className="btn"
      disabled={done === 0}
      title={done === 0 ? 'Nothing is done yet' : `Export the ${done} documents that are done`}
      onClick={() => useExport.getState().openFor({ kind: 'all-done', count: done })}
    >
      ⤓ Export done…
    </button>
  );
}

/** What a re-add did to the outputs of documents already done, in a sentence or two (or nothing). */
function outputsNote(r: QueueAddResult): string {
  const n = (k: number, what: string) => `${k.toLocaleString()} ${what}${k === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (r.rebuilding.length > 0)
    parts.push(
      ` Rebuilding ${n(r.rebuilding.length, 'output')} that ${r.rebuilding.length === 1 ? 'was' : 'were'} missing, from the stored results (no OCR again).`,
    );
  if (r.replacing.length > 0) parts.push(` Replacing ${n(r.replacing.length, 'changed output')}.`);
  if (r.keptChanged.length > 0)
    parts.push(
      ` Kept ${n(r.keptChanged.length, 'output')} changed since ${r.keptChanged.length === 1 ? 'it was' : 'they were'} written (${r.keptChanged.slice(0, 3).join(', ')}${r.keptChanged.length > 3 ? '…' : ''}); Settings → “Replace it” replaces them.`,
    );
  return parts.join('');
}

/** Queues paths and says what happened in the notice bar. */
async function addPaths(paths: string[]): Promise<void> {
  const setNotice = useStatus.getState().setNotice;
  const r = await call('queue.add', { paths });
  const skipped = r.skipped.map((s) => `${s.path}: ${s.reason}`).join('; ');
  setNotice(
    r.queued === 0 && skipped
      ? { kind: 'error', text: `Nothing added. ${skipped}` }
      : {
          kind: 'info',
          text: `Added ${r.created.toLocaleString()} new document${r.created === 1 ? '' : 's'}${r.queued > r.created ? ` (${(r.queued - r.created).toLocaleString()} already queued)` : ''}.${outputsNote(r)}${skipped ? ` Skipped: ${skipped}` : ''}`,
        },
  );
  useQueue.getState().refresh();
}

/**
 * "Add folder…": the native folder dialog in the desktop app. A browser has none (and the engine
 * reads the paths on its own machine), so there the path is typed or pasted into a field.
 */
function AddFolder() {
  const [open, setOpen] = useState(false);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const setNotice = useStatus((s) => s.setNotice);
  const native = useSettings((s) => s.capabilities?.pickFolder ?? false);
  const fail = (err: unknown) =>
    setNotice({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
  const pick = () => {
    call('files.pickFolder', { title: 'Add folders to the queue', multiple: true })
      .then((paths) => (paths ? addPaths(paths) : undefined))
      .catch(fail);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const paths = path
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean);
    if (paths.length === 0) return;
    setBusy(true);
    addPaths(paths)
      .then(() => {
        setPath('');
        setOpen(false);
        useQueue.getState().refresh();
      })
      .catch(fail)
      .finally(() => setBusy(false));
  };
  if (!open)
    return (
      <button type="button" className="btn primary" onClick={() => (native ? pick() : setOpen(true))}>
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
