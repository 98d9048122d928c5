import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { DocumentState } from '../../../shared/model.ts';
import type { ApiMethod } from '../../../shared/api.ts';
import { call } from '../api/client.ts';
import { useQueue } from '../state/queue.ts';
import { useSelection } from '../state/selection.ts';
import { useStatus } from '../state/status.ts';

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
      <SelectionActions />
    </div>
  );
}

function SelectionActions() {
  const selected = useSelection((s) => s.selected);
  const setNotice = useStatus((s) => s.setNotice);
  const n = selected.size;
  if (n === 0)
    return <span className="selection-hint muted">Click a row to select · Shift/Ctrl-click · Ctrl-A</span>;
  const ids = [...selected];
  const run = (method: ApiMethod, ...rest: unknown[]) => {
    (call as (m: ApiMethod, ...a: unknown[]) => Promise<unknown>)(method, ids, ...rest).catch((e: unknown) =>
      setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) }),
    );
  };
  return (
    <div className="selection-actions" role="toolbar" aria-label="Selected documents">
      <span className="sel-count">{n.toLocaleString()} selected</span>
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
    </div>
  );
}
