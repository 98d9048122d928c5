import { useState } from 'react';
import type { ExportItem, ExportOptions, IfExists } from '../../../shared/exports.ts';
import type { OutputFormat } from '../../../shared/model.ts';
import { call } from '../api/client.ts';
import { Modal } from '../components/Modal.tsx';
import { RevealButton } from '../components/RevealButton.tsx';
import { batchFinished, batchSummary, useExport } from '../state/exportDialog.ts';
import { isAbsolutePath, useSettings } from '../state/settings.ts';
import { useStatus } from '../state/status.ts';
import { FORMAT_CHOICES, nextToSourceNames } from './outputFormats.ts';
import { fileName } from './format.ts';
import { Radio } from './SettingsDialog.tsx';
import { Reason } from '../components/Reason.tsx';

/** "Export…": formats, destination, what to do with existing files; then each document's result. */
export function ExportDialog() {
  const scope = useExport((s) => s.scope);
  const started = useExport((s) => s.started);
  const close = useExport((s) => s.close);
  if (!scope) return null;
  const n = scope.kind === 'selection' ? scope.ids.length : scope.count;
  const what =
    scope.kind === 'selection'
      ? `Export ${n} document${n === 1 ? '' : 's'}`
      : `Export all done documents (${n.toLocaleString()})`;
  return started ? (
    <ExportProgress title={what} onClose={close} />
  ) : (
    <ExportForm title={what} onClose={close} />
  );
}

function ExportForm(props: { title: string; onClose: () => void }) {
  const settings = useSettings((s) => s.settings);
  const canPick = useSettings((s) => s.capabilities?.pickFolder ?? false);
  const paused = useStatus((s) => s.status?.paused ?? false);
  const start = useExport((s) => s.start);
  const [formats, setFormats] = useState<OutputFormat[]>(settings?.formats ?? ['txt', 'pdf']);
  const [toFolder, setToFolder] = useState(settings?.outDir != null);
  const [folder, setFolder] = useState(settings?.outDir ?? '');
  const [ifExists, setIfExists] = useState<IfExists>(settings?.overwrite ? 'overwrite' : 'skip');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const toggle = (f: OutputFormat, on: boolean) =>
    setFormats((list) => (on ? [...list.filter((x) => x !== f), f] : list.filter((x) => x !== f)));
  const submit = () => {
    if (formats.length === 0) return setError('Choose at least one format.');
    if (toFolder && !isAbsolutePath(folder))
      return setError('Give the folder as a full path, e.g. /home/me/ocr.');
    const options: ExportOptions = {
      formats,
      destination: toFolder ? { kind: 'folder', path: folder.trim() } : { kind: 'next-to-source' },
      ifExists,
    };
    setBusy(true);
    start(options)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setBusy(false));
  };
  return (
    <Modal
      title={props.title}
      onClose={props.onClose}
      footer={
        <>
          {error && (
            <span className="form-error" role="alert">
              {error}
            </span>
          )}
          <button type="button" className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="button" className="btn primary" disabled={busy} onClick={submit}>
            Export
          </button>
        </>
      }
    >
      <div className="field">
        <div className="field-label">Formats</div>
        <div className="field-control inline" role="group" aria-label="Formats">
          {FORMAT_CHOICES.map(({ format: f, label, file }) => (
            <label key={f} className="check">
              <input
                type="checkbox"
                checked={formats.includes(f)}
                onChange={(e) => toggle(f, e.target.checked)}
              />
              {label} ({file})
            </label>
          ))}
        </div>
      </div>
      <div className="field">
        <div className="field-label">Destination</div>
        <div className="field-control radio-list" role="radiogroup" aria-label="Destination">
          <Radio name="export-dest" checked={!toFolder} onChange={() => setToFolder(false)}>
            Next to each source file <span className="muted">— {nextToSourceNames(formats)}</span>
          </Radio>
          <Radio name="export-dest" checked={toFolder} onChange={() => setToFolder(true)}>
            Into a folder <span className="muted">— the structure below each added folder is kept</span>
          </Radio>
          {toFolder && (
            <div className="path-row">
              <input
                aria-label="Export folder"
                placeholder="/path/to/export"
                value={folder}
                autoFocus
                onChange={(e) => setFolder(e.target.value)}
              />
              {canPick && (
                <button
                  type="button"
                  className="btn"
                  onClick={() =>
                    void call('files.pickFolder', { title: 'Export into' }).then((p) => p && setFolder(p[0]))
                  }
                >
                  Choose…
                </button>
              )}
            </div>
          )}
        </div>
      </div>
      <div className="field">
        <div className="field-label">If a file exists</div>
        <div className="field-control radio-list" role="radiogroup" aria-label="If a file exists">
          <Radio name="export-exists" checked={ifExists === 'skip'} onChange={() => setIfExists('skip')}>
            Skip it <span className="muted">— leave the existing file as it is</span>
          </Radio>
          <Radio
            name="export-exists"
            checked={ifExists === 'overwrite'}
            onChange={() => setIfExists('overwrite')}
          >
            Replace it
          </Radio>
          <Radio name="export-exists" checked={ifExists === 'suffix'} onChange={() => setIfExists('suffix')}>
            Keep both <span className="muted">— the new one gets a number: NAME (1).pdf</span>
          </Radio>
        </div>
      </div>
      {paused && (
        <p className="dialog-note warn">The queue is paused: the export starts when you resume it.</p>
      )}
    </Modal>
  );
}

const ITEM_LABEL: Record<ExportItem['state'], string> = {
  queued: 'Queued',
  running: 'Writing',
  written: 'Exported',
  skipped: 'Skipped',
  failed: 'Failed',
};

function ExportProgress(props: { title: string; onClose: () => void }) {
  const started = useExport((s) => s.started)!;
  const batch = useExport((s) => s.batch);
  const finished = batchFinished(batch);
  const c = batch?.counts;
  const fraction = c && c.total > 0 ? (c.written + c.skipped + c.failed) / c.total : 0;
  return (
    <Modal
      title={props.title}
      onClose={props.onClose}
      wide
      footer={
        <button type="button" className={finished ? 'btn primary' : 'btn'} onClick={props.onClose}>
          {finished ? 'Done' : 'Close (the export goes on)'}
        </button>
      }
    >
      {started.notReady.length > 0 && (
        <div className="dialog-note warn">
          {started.notReady.length} not exported, because they are not done:{' '}
          {started.notReady
            .slice(0, 5)
            .map((d) => `${fileName(d.path)} (${d.reason})`)
            .join('; ')}
          {started.notReady.length > 5 ? '…' : ''}
        </div>
      )}
      {batch && (
        <>
          <p className="export-summary" role="status">
            {batchSummary(batch)}
          </p>
          <div
            className="bar big"
            role="progressbar"
            aria-label="Export progress"
            aria-valuenow={Math.round(fraction * 100)}
          >
            <span style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
          </div>
          <ul className="export-items" aria-label="Exported documents">
            {batch.items.map((item) => (
              <li
                key={item.taskId}
                className="export-item"
                data-state={item.state}
                aria-label={fileName(item.path)}
              >
                <span className={`pill export-${item.state}`}>{ITEM_LABEL[item.state]}</span>
                <div className="export-item-main">
                  <div className="export-item-name" title={item.path}>
                    {fileName(item.path)}
                  </div>
                  {item.error && (
                    <div className="failure-reason">
                      <Reason error={item.error} />
                    </div>
                  )}
                  {[...item.written, ...item.skipped].map((p) => (
                    <div key={p} className="export-file">
                      <span className="muted">{item.skipped.includes(p) ? 'left as it was:' : '→'}</span>{' '}
                      <span className="path" title={p}>
                        {p}
                      </span>
                    </div>
                  ))}
                </div>
                {item.written[0] && <RevealButton docId={item.docId} path={item.written[0]} />}
              </li>
            ))}
          </ul>
        </>
      )}
    </Modal>
  );
}
