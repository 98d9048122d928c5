import { useCallback, useEffect, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { DocumentRow } from '../../../shared/model.ts';
import type { QueueSort } from '../../../shared/api.ts';
import { count, STATE_WORDS } from '../../../shared/words.ts';
import { call } from '../api/client.ts';
import { useQueue } from '../state/queue.ts';
import { useSelection } from '../state/selection.ts';
import { usePageView } from '../state/pageView.ts';
import {
  fileName,
  folderForRtl,
  folderOf,
  progressOf,
  shownState,
  STATE_ICON,
  STATE_LABEL,
} from './format.ts';

const ROW_HEIGHT = 36;

const COLUMNS: { label: string; sort?: QueueSort; className: string }[] = [
  { label: 'Name', sort: 'name', className: 'c-name' },
  { label: 'Folder', className: 'c-folder' },
  { label: 'Pages', sort: 'progress', className: 'c-pages' },
  { label: 'State', sort: 'state', className: 'c-state' },
  { label: 'Priority', sort: 'queue', className: 'c-prio' },
  { label: 'Problem', className: 'c-error' },
];

/**
 * The queue, virtualised: only the rows in view (plus a few) exist in the DOM, and only a window of
 * rows around them is fetched from the engine, so 100k documents scroll like 100.
 */
export function QueueTable() {
  const { total, offset, rows, loaded, filter, visible } = useQueue(
    useShallow((s) => ({
      total: s.total,
      offset: s.offset,
      rows: s.rows,
      loaded: s.loaded,
      filter: s.filter,
      visible: s.visible,
    })),
  );
  const setVisible = useQueue((s) => s.setVisible);
  const setFilter = useQueue((s) => s.setFilter);
  const selected = useSelection((s) => s.selected);
  const body = useRef<HTMLDivElement>(null);

  const measure = useCallback(() => {
    const el = body.current;
    if (!el) return;
    const start = Math.floor(el.scrollTop / ROW_HEIGHT);
    const end = start + Math.ceil(el.clientHeight / ROW_HEIGHT) + 1;
    setVisible(start, end);
  }, [setVisible]);

  useEffect(() => {
    measure();
    const el = body.current;
    if (!el) return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [measure]);

  // A new filter or order starts at the top (the store has reset its window to row 0).
  useEffect(() => {
    if (body.current) body.current.scrollTop = 0;
  }, [filter]);

  const idAt = (i: number): number | undefined => rows[i - offset]?.id;

  const onRowClick = (e: MouseEvent, index: number, id: number) => {
    useSelection.getState().click(index, id, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey }, idAt);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      const { states, search, sort, descending } = useQueue.getState().filter;
      void call('queue.ids', { states, search, sort, descending }).then((ids) =>
        useSelection.getState().selectAll(ids),
      );
    } else if (e.key === 'Escape') useSelection.getState().clear();
  };

  const first = Math.max(0, visible.start - 5);
  const last = Math.min(total, visible.end + 5);
  const items: { index: number; row: DocumentRow | undefined }[] = [];
  for (let i = first; i < last; i++) items.push({ index: i, row: rows[i - offset] });

  return (
    <div className="table" role="grid" aria-label="Queue" aria-rowcount={total} aria-multiselectable>
      <div className="thead" role="row">
        {COLUMNS.map((c) => (
          <div key={c.label} role="columnheader" className={`cell ${c.className}`}>
            {c.sort ? (
              <button
                type="button"
                className={filter.sort === c.sort ? 'sort on' : 'sort'}
                onClick={() =>
                  setFilter({ sort: c.sort, descending: filter.sort === c.sort ? !filter.descending : false })
                }
              >
                {c.label}
                {filter.sort === c.sort ? arrow(c.sort, filter.descending) : ''}
              </button>
            ) : (
              c.label
            )}
          </div>
        ))}
      </div>
      <div className="tbody" ref={body} onScroll={measure} tabIndex={0} onKeyDown={onKeyDown}>
        {loaded && total === 0 ? (
          <EmptyState filtered={filter.states.length > 0 || filter.search !== ''} />
        ) : (
          <div className="spacer" style={{ height: total * ROW_HEIGHT }}>
            {items.map(({ index, row }) =>
              row ? (
                <Row
                  key={row.id}
                  row={row}
                  top={index * ROW_HEIGHT}
                  selected={selected.has(row.id)}
                  onClick={(e) => onRowClick(e, index, row.id)}
                />
              ) : (
                <div key={`p${index}`} className="tr placeholder" style={{ top: index * ROW_HEIGHT }} />
              ),
            )}
          </div>
        )}
      </div>
    </div>
  );
}

function Row(props: { row: DocumentRow; top: number; selected: boolean; onClick: (e: MouseEvent) => void }) {
  const d = props.row;
  const p = progressOf(d);
  const state = shownState(d);
  const name = fileName(d.path);
  return (
    <div
      role="row"
      aria-selected={props.selected}
      aria-label={name}
      data-state={state}
      className={props.selected ? 'tr selected' : 'tr'}
      style={{ top: props.top }}
      onMouseDown={(e) => e.shiftKey && e.preventDefault()}
      onClick={props.onClick}
      // A double-click opens the document's pages in the page view (when something was recognised).
      onDoubleClick={() => d.pagesDone > 0 && usePageView.getState().open(d.id, 1)}
    >
      <div role="gridcell" className="cell c-name" title={d.path}>
        {name}
      </div>
      <div role="gridcell" className="cell c-folder" title={folderOf(d.path)}>
        {folderForRtl(d.path)}
      </div>
      <div role="gridcell" className="cell c-pages">
        <span className="pages-text">{p.total === null ? '–' : `${p.done} / ${p.total}`}</span>
        <span className={`bar state-${state}`}>
          <span style={{ width: `${(p.fraction * 100).toFixed(1)}%` }} />
        </span>
      </div>
      <div role="gridcell" className="cell c-state">
        <span className={`pill state-${state}`} title={STATE_WORDS[state].meaning}>
          <span className="icon" aria-hidden>
            {STATE_ICON[state]}
          </span>
          {STATE_LABEL[state]}
        </span>
      </div>
      <div role="gridcell" className="cell c-prio">
        {d.priority}
      </div>
      <div role="gridcell" className="cell c-error" title={d.error?.message}>
        {d.error ? d.error.message : d.pagesFailed > 0 ? `${count(d.pagesFailed, 'page')} failed` : ''}
      </div>
    </div>
  );
}

function EmptyState({ filtered }: { filtered: boolean }) {
  return (
    <div className="empty">
      {filtered ? (
        <p>No documents match this filter.</p>
      ) : (
        <>
          <p className="empty-title">The queue is empty</p>
          <p className="muted">Use “Add folder…” to queue a folder of scanned PDFs and images.</p>
        </>
      )}
    </div>
  );
}

/** The arrow shows the order of the column's values: queue order is highest priority first. */
function arrow(sort: QueueSort, descending: boolean): string {
  const down = sort === 'queue' ? !descending : descending;
  return down ? ' ▾' : ' ▴';
}
