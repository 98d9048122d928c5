import { useShallow } from 'zustand/react/shallow';
import { call } from '../api/client.ts';
import { useStatus } from '../state/status.ts';
import { useSettings } from '../state/settings.ts';
import { useExport } from '../state/exportDialog.ts';
import { UploadButton } from './DropTarget.tsx';
import { SearchBox } from './SearchBox.tsx';
import { AddFolder } from './AddFolder.tsx';

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
