import { useState, type FormEvent } from 'react';
import type { QueueAddResult } from '../../../shared/api.ts';
import { call } from '../api/client.ts';
import { useStatus } from '../state/status.ts';
import { useQueue } from '../state/queue.ts';
import { useSettings } from '../state/settings.ts';
import { askWhereOutputsGo, mustAskWhereOutputsGo } from '../state/outputsQuestion.ts';
import { nextToSourceNames } from './outputFormats.ts';
import './OutputsQuestion.css';
import { addedSentence } from '../../../shared/words.ts';

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
          text: `${addedSentence({ created: r.created, alreadyDone: r.alreadyDone, alreadyQueued: r.queued - r.created - r.alreadyDone })}${outputsNote(r)}${skipped ? ` Skipped: ${skipped}` : ''}`,
        },
  );
  useQueue.getState().refresh();
}

/**
 * "Add folder…": the native folder dialog in the desktop app. A browser has none (and the engine
 * reads the paths on its own machine), so there the path is typed or pasted into a field.
 */
export function AddFolder() {
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
  // The first time outputs would go next to the originals, the user is asked first (and may
  // cancel). Settings still loading (a click right after the window opened) are waited for.
  const start = () => {
    const go = () => (native ? pick() : setOpen(true));
    const store = useSettings.getState();
    (store.settings ? Promise.resolve() : store.load())
      .then(() =>
        mustAskWhereOutputsGo(useSettings.getState().settings)
          ? askWhereOutputsGo().then((answered) => answered && go())
          : go(),
      )
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
      <button type="button" className="btn primary" onClick={start}>
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
      <OutputsLine />
    </form>
  );
}

/** Under the add form: where the outputs of what is added go, and the way to change it. */
function OutputsLine() {
  const settings = useSettings((s) => s.settings);
  if (!settings) return null;
  return (
    <p className="add-folder-outputs" data-testid="add-folder-outputs">
      {settings.outDir === null
        ? `Outputs go next to each file, as ${nextToSourceNames(settings.formats)}.`
        : `Outputs go to ${settings.outDir}, sub-folders mirrored.`}{' '}
      <button type="button" onClick={() => useSettings.getState().setOpen(true)}>
        Change…
      </button>
    </p>
  );
}
