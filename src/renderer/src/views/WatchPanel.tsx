import { useEffect, useRef, useState } from 'react';
import type { WatchFolderRow } from '../../../shared/model.ts';
import { useStatus } from '../state/status.ts';
import { useWatch, watchStateLabel, watchStatsLine } from '../state/watch.ts';
import { WatchAddForm, WatchEditForm } from './WatchFolderForm.tsx';
import './WatchPanel.css';

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Watched folders: each with its state (watching / polling / unavailable, and why) and what it has
 * ingested, with "Watch folder…", Edit (its options), rescan and remove. Folders are stored by the
 * engine and resume when the app starts again.
 */
export function WatchPanel() {
  const folders = useWatch((s) => s.folders);
  const open = useWatch((s) => s.open);
  const setOpen = useWatch((s) => s.setOpen);
  const [adding, setAdding] = useState(false);
  /** The folder whose options are being edited (one at a time). */
  const [editing, setEditing] = useState<number | null>(null);
  return (
    <section className="watch" aria-label="Watched folders">
      <div className="watch-head">
        <h2>
          Watched folders <span className="badge">{folders.length}</span>
        </h2>
        <div className="watch-head-actions">
          {!adding && (
            <button type="button" className="btn small" onClick={() => setAdding(true)}>
              + Watch folder…
            </button>
          )}
          {folders.length > 0 && (
            <button type="button" className="btn ghost small" onClick={() => setOpen(!open)}>
              {open ? 'Hide' : 'Show'}
            </button>
          )}
        </div>
      </div>
      {adding && <WatchAddForm onDone={() => setAdding(false)} />}
      {open && folders.length > 0 && (
        <ul className={editing !== null ? 'watch-list editing' : 'watch-list'}>
          {folders.map((f) => (
            <WatchItem
              key={f.id}
              folder={f}
              editing={editing === f.id}
              onEdit={(on) => setEditing(on ? f.id : null)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function WatchItem(props: { folder: WatchFolderRow; editing: boolean; onEdit: (on: boolean) => void }) {
  const { folder: f, editing, onEdit } = props;
  const setNotice = useStatus((s) => s.setNotice);
  const { remove, rescan } = useWatch.getState();
  const act = (work: Promise<void>) =>
    work.catch((e: unknown) => setNotice({ kind: 'error', text: errorText(e) }));
  // Back from the form (saved or cancelled): the focus returns to Edit, where the keyboard left off.
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(editing);
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  return (
    <li className="watch-item" aria-label={f.path} data-state={f.state}>
      <span className={`pill watch-${f.state}`} title={f.stateReason ?? undefined}>
        {watchStateLabel(f)}
      </span>
      <div className="watch-main">
        <div className="watch-path" title={f.path}>
          {/* LRM marks keep the slashes in place in the right-to-left cell (cut at the start). */}
          {`\u200e${f.path}\u200e`}
        </div>
        <div className="watch-stats">{watchStatsLine(f)}</div>
        <div className="watch-options muted">{optionsLine(f)}</div>
        {editing && <WatchEditForm folder={f} onDone={() => onEdit(false)} />}
      </div>
      <div className="watch-actions" hidden={editing}>
        <button
          ref={editButton}
          type="button"
          className="btn ghost small"
          aria-label={`Edit ${f.path}`}
          title="Change this folder's options"
          onClick={() => onEdit(true)}
        >
          Edit
        </button>
        <button
          type="button"
          className="btn ghost small"
          onClick={() => void act(rescan(f.id))}
          title="List the folder again now"
        >
          ↻ Rescan
        </button>
        <button
          type="button"
          className="btn ghost small"
          aria-label={`Stop watching ${f.path}`}
          onClick={() => void act(remove(f.id))}
        >
          Stop watching
        </button>
      </div>
    </li>
  );
}

/** A folder's options in one line: where outputs go, languages, formats, priority, subfolders, originals, why polling. */
function optionsLine(f: WatchFolderRow): string {
  const o = f.options;
  return [
    o.outDir ? `→ ${o.outDir}` : '→ next to each file',
    o.ocr.languages.join('+'),
    o.formats.length === 1 ? (o.formats[0] === 'pdf' ? 'searchable PDF only' : 'text only') : null,
    o.priority !== null ? `priority ${o.priority}` : null,
    o.recursive ? 'with subfolders' : 'this folder only',
    o.after === 'move' ? 'originals to processed/ and failed/' : null,
    f.stateReason,
  ]
    .filter(Boolean)
    .join(' · ');
}
