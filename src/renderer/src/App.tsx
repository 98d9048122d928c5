import { useEffect } from 'react';
import { startSubscriptions } from './state/subscriptions.ts';
import { useStatus } from './state/status.ts';
import { DropTarget } from './views/DropTarget.tsx';
import { Header } from './views/Header.tsx';
import { ProgressStrip } from './views/ProgressStrip.tsx';
import { QueueTable } from './views/QueueTable.tsx';
import { QueueToolbar } from './views/QueueToolbar.tsx';
import { ReviewPanel } from './views/ReviewPanel.tsx';
import { SettingsDialog } from './views/SettingsDialog.tsx';
import { ExportDialog } from './views/ExportDialog.tsx';
import { PageView } from './views/PageView.tsx';
import { useSettings } from './state/settings.ts';
import { WatchPanel } from './views/WatchPanel.tsx';
import { NodesPanel } from './views/NodesPanel.tsx';
import { OutputsQuestion } from './views/OutputsQuestion.tsx';

/** The main window: header, overall progress, the queue with its toolbar, and the review panel. */
export function App() {
  useEffect(() => startSubscriptions(), []);
  const connection = useStatus((s) => s.connection);
  const settingsOpen = useSettings((s) => s.open);
  if (connection === 'forbidden')
    return (
      <div className="forbidden">
        <h1>Bulk OCR</h1>
        <p>
          This page needs its access token. Open the full URL that <code>bulk-ocr serve</code> printed.
        </p>
      </div>
    );
  return (
    <DropTarget>
      <div className="app">
        <Header />
        <Notice />
        <ProgressStrip />
        <WatchPanel />
        <NodesPanel />
        <div className="workspace">
          <section className="queue" aria-label="Queue">
            <QueueToolbar />
            <QueueTable />
          </section>
          <ReviewPanel />
        </div>
      </div>
      {/* Keyed so the form starts from the stored settings each time it opens. */}
      {settingsOpen && <SettingsDialog key="settings" />}
      <ExportDialog />
      <PageView />
      <OutputsQuestion />
    </DropTarget>
  );
}

function Notice() {
  const notice = useStatus((s) => s.notice);
  const setNotice = useStatus((s) => s.setNotice);
  if (!notice) return null;
  return (
    <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      <span>{notice.text}</span>
      <button type="button" className="btn ghost small" onClick={() => setNotice(null)} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}
