import { useState, type FormEvent } from 'react';
import type { WatchFolderRow } from '../../../shared/model.ts';
import { call } from '../api/client.ts';
import { isAbsolutePath, useSettings } from '../state/settings.ts';
import { useStatus } from '../state/status.ts';
import { useWatch, watchStateLabel, watchStatsLine } from '../state/watch.ts';
import './WatchPanel.css';

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Watched folders: each with its state (watching / polling / unavailable, and why) and what it has
 * ingested, with "Watch folder…", rescan and remove. Folders are stored by the engine and resume
 * when the app starts again.
 */
export function WatchPanel() {
  const folders = useWatch((s) => s.folders);
  const open = useWatch((s) => s.open);
  const setOpen = useWatch((s) => s.setOpen);
  const [adding, setAdding] = useState(false);
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
      {adding && <WatchForm onDone={() => setAdding(false)} />}
      {open && folders.length > 0 && (
        <ul className="watch-list">
          {folders.map((f) => (
            <WatchItem key={f.id} folder={f} />
          ))}
        </ul>
      )}
    </section>
  );
}

function WatchItem({ folder: f }: { folder: WatchFolderRow }) {
  const setNotice = useStatus((s) => s.setNotice);
  const { remove, rescan } = useWatch.getState();
  const act = (work: Promise<void>) =>
    work.catch((e: unknown) => setNotice({ kind: 'error', text: errorText(e) }));
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
      </div>
      <div className="watch-actions">
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

/** A folder's options in one line: where outputs go, languages, priority, subfolders, originals, why polling. */
function optionsLine(f: WatchFolderRow): string {
  const o = f.options;
  return [
    o.outDir ? `→ ${o.outDir}` : '→ next to each file',
    o.ocr.languages.join('+'),
    o.priority !== null ? `priority ${o.priority}` : null,
    o.recursive ? 'with subfolders' : 'this folder only',
    o.after === 'move' ? 'originals to processed/ and failed/' : null,
    f.stateReason,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** "Watch folder…": the folder, where outputs go, and what happens to the originals. */
function WatchForm({ onDone }: { onDone: () => void }) {
  const settings = useSettings((s) => s.settings);
  const installed = useSettings((s) => s.languages);
  const canPick = useSettings((s) => s.capabilities?.pickFolder ?? false);
  const setNotice = useStatus((s) => s.setNotice);
  const [path, setPath] = useState('');
  const [outDir, setOutDir] = useState(settings?.outDir ?? '');
  const [recursive, setRecursive] = useState(true);
  const [move, setMove] = useState(false);
  const [detection, setDetection] = useState<'auto' | 'events' | 'polling'>('auto');
  const [languages, setLanguages] = useState<string[]>(settings?.languages ?? ['eng']);
  const [priority, setPriority] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const problem = !path.trim()
    ? 'Type the folder to watch.'
    : !isAbsolutePath(path)
      ? 'The folder must be a full path.'
      : outDir.trim() && !isAbsolutePath(outDir)
        ? 'The output folder must be a full path.'
        : languages.length === 0
          ? 'Choose at least one language.'
          : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (problem) return;
    setBusy(true);
    useWatch
      .getState()
      .add({
        path: path.trim(),
        options: {
          outDir: outDir.trim() || null,
          recursive,
          after: move ? 'move' : 'leave',
          detection,
          priority,
          ...(settings ? { ocr: { languages, dpi: settings.dpi, mode: settings.mode } } : {}),
        },
      })
      .then((row) => {
        setNotice({ kind: 'info', text: `Watching ${row.path}. Files already there are queued now.` });
        onDone();
      })
      .catch((err: unknown) => setNotice({ kind: 'error', text: errorText(err) }))
      .finally(() => setBusy(false));
  };
  return (
    <form className="watch-form" onSubmit={submit} aria-label="Watch a folder">
      <label className="watch-field">
        <span>Folder</span>
        <input
          autoFocus
          aria-label="Folder to watch"
          placeholder="/path/to/scanner/inbox"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && onDone()}
        />
        {canPick && (
          <button
            type="button"
            className="btn small"
            onClick={() =>
              void call('files.pickFolder', { title: 'Folder to watch' }).then((p) => p && setPath(p[0]))
            }
          >
            Browse…
          </button>
        )}
      </label>
      <label className="watch-field">
        <span>Outputs</span>
        <input
          aria-label="Output folder"
          placeholder="next to each file (NAME.ocr.pdf, NAME.ocr.txt)"
          value={outDir}
          onChange={(e) => setOutDir(e.target.value)}
        />
      </label>
      {installed.length > 1 && (
        <div className="watch-field" role="group" aria-label="Languages">
          <span>Languages</span>
          <div className="watch-langs">
            {installed.map((l) => (
              <label key={l.code}>
                <input
                  type="checkbox"
                  checked={languages.includes(l.code)}
                  onChange={(e) =>
                    setLanguages(
                      e.target.checked ? [...languages, l.code] : languages.filter((c) => c !== l.code),
                    )
                  }
                />{' '}
                {l.name}
              </label>
            ))}
          </div>
        </div>
      )}
      <div className="watch-checks">
        <label>
          Priority{' '}
          <select
            aria-label="Priority"
            value={priority ?? ''}
            onChange={(e) => setPriority(e.target.value === '' ? null : Number(e.target.value))}
          >
            <option value="">by size (small files first)</option>
            {[9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((p) => (
              <option key={p} value={p}>
                {p === 9 ? '9 (first)' : p === 0 ? '0 (last)' : String(p)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={recursive} onChange={(e) => setRecursive(e.target.checked)} />{' '}
          Include subfolders
        </label>
        <label>
          <input type="checkbox" checked={move} onChange={(e) => setMove(e.target.checked)} /> Move originals
          into processed/ and failed/ when done
        </label>
        <label>
          Detect new files{' '}
          <select
            aria-label="Detect new files"
            value={detection}
            onChange={(e) => setDetection(e.target.value as typeof detection)}
          >
            <option value="auto">automatically (polls network shares)</option>
            <option value="events">by file events</option>
            <option value="polling">by polling (network shares)</option>
          </select>
        </label>
      </div>
      <div className="watch-form-actions">
        {problem && path && <span className="muted">{problem}</span>}
        <button type="submit" className="btn primary small" disabled={busy || problem !== null}>
          Watch
        </button>
        <button type="button" className="btn ghost small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
