import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { DocumentState } from '../../../shared/model.ts';
import type { ApiMethod } from '../../../shared/api.ts';
import { call } from '../api/client.ts';
import { useQueue } from '../state/queue.ts';
import { useSelection } from '../state/selection.ts';
import { useStatus } from '../state/status.ts';
import { useExport } from '../state/exportDialog.ts';
import { usePageView } from '../state/pageView.ts';
import { RevealButton } from '../components/RevealButton.tsx';

/** Filter groups (a user thinks "active", not "new + queued + running + exporting"). */
export const FILTERS: { label: string; states: DocumentState[] }[] = [
  { label: 'All', states: [] },
  { label: 'Active', states: ['new', 'queued', 'running', 'exporting'] },
  { label: 'Paused', states: ['paused'] },
  { label: 'Done', states: ['done', 'done-with-errors'] },
  { label: 'Failed', states: ['failed', 'done-with-errors'] },
  { label: 'Cancelled', states: ['cancelled'] },
];

export function QueueToolbar() {
  const { states, total } = useQueue(useShallow((s) => ({ states: s.filter.states, total: s.total })));
  const setFilter = useQueue((s) => s.setFilter);
  const [search, setSearch] = useState('');
  // Debounced: the engine searches, one query per pause in typing.
  useEffect(() => {
    const t = setTimeout(() => {
      if (useQueue.getState().filter.search !== search) setFilter({ search });
    }, 200);
    return () => clearTimeout(t);
  }, [search, setFilter]);
  const active = FILTERS.find((f) => f.states.join() === states.join())?.label ?? 'All';

  return (
    <div className="toolbars">
      <div className="toolbar">
        <div className="segmented" role="radiogroup" aria-label="Show">
          {FILTERS.map((f) => (
            <button
              key={f.label}
              type="button"
              role="radio"
              aria-checked={active === f.label}
              className={active === f.label ? 'seg on' : 'seg'}
              onClick={() => setFilter({ states: f.states })}
            >
              {f.label}
            </button>
          ))}
        </div>
        <input
          className="search"
          type="search"
          placeholder="Search by name"
          aria-label="Search by name"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <span className="muted count-label">
          {total.toLocaleString()} document{total === 1 ? '' : 's'}
        </span>
      </div>
      <SelectionActions />
    </div>
  );
}

function SelectionActions() {
  const selected = useSelection((s) => s.selected);
  const setNotice = useStatus((s) => s.setNotice);
  const rows = useQueue((s) => s.rows);
  const n = selected.size;
  if (n === 0)
    return (
      <div className="selection-bar idle">
        <span className="selection-hint muted">
          Click a row to select it · Shift/Ctrl-click for more · Ctrl-A for all · double-click to view its
          pages
        </span>
      </div>
    );
  const ids = [...selected];
  // With one document selected: its pages and its file.
  const single = n === 1 ? rows.find((r) => r.id === ids[0]) : undefined;
  const run = (method: ApiMethod, ...rest: unknown[]) => {
    (call as (m: ApiMethod, ...a: unknown[]) => Promise<unknown>)(method, ids, ...rest).catch((e: unknown) =>
      setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) }),
    );
  };
  return (
    <div className="selection-bar selection-actions" role="toolbar" aria-label="Selected documents">
      <span className="sel-count">{n.toLocaleString()} selected</span>
      <span className="sep" aria-hidden />
      <button
        type="button"
        className="btn small"
        title="Raise priority"
        onClick={() => run('queue.shiftPriority', 1)}
      >
        ↑ Priority
      </button>
      <button
        type="button"
        className="btn small"
        title="Lower priority"
        onClick={() => run('queue.shiftPriority', -1)}
      >
        ↓ Priority
      </button>
      <span className="sep" aria-hidden />
      <button type="button" className="btn small" onClick={() => run('queue.pause')}>
        Pause
      </button>
      <button type="button" className="btn small" onClick={() => run('queue.resume')}>
        Resume
      </button>
      <button type="button" className="btn small" onClick={() => run('queue.retry')}>
        Retry
      </button>
      <button type="button" className="btn small" onClick={() => run('queue.cancel')}>
        Cancel
      </button>
      <span className="sep" aria-hidden />
      <button
        type="button"
        className="btn small"
        onClick={() => useExport.getState().openFor({ kind: 'selection', ids })}
      >
        ⤓ Export…
      </button>
      {single && single.pagesDone > 0 && (
        <button type="button" className="btn small" onClick={() => usePageView.getState().open(single.id, 1)}>
          View pages
        </button>
      )}
      {single && <RevealButton docId={single.id} path={single.path} />}
      <span className="spacer-flex" />
      <button
        type="button"
        className="btn small danger"
        title="Remove from the queue (files and outputs are kept)"
        onClick={() => {
          run('queue.remove');
          useSelection.getState().clear();
        }}
      >
        Remove
      </button>
      <button
        type="button"
        className="btn ghost small"
        title="Clear the selection (Esc)"
        aria-label="Clear selection"
        onClick={() => useSelection.getState().clear()}
      >
        ✕
      </button>
    </div>
  );
}
