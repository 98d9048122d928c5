import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useSearch } from '../state/search.ts';
import { fileName } from './format.ts';
import { Snippet } from './MarkedText.tsx';

/** How long typing must pause before the search runs. */
const TYPING_PAUSE_MS = 250;

/**
 * The search box in the header: searches the text of every recognised page as you type; the hits
 * drop down below it, best first, each with its file, page and a passage with the words marked.
 * ↑/↓ move through them, Enter (or a click) opens the page with the matching words highlighted,
 * Escape closes the list. Filters by folder and date sit under the list.
 */
export function SearchBox() {
  const { query, folder, from, to, open, active, hits } = useSearch(
    useShallow((s) => ({
      query: s.query,
      folder: s.folder,
      from: s.from,
      to: s.to,
      open: s.open,
      active: s.active,
      hits: s.hits,
    })),
  );
  const { setQuery, run, move, submit, setOpen } = useSearch.getState();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const timer = setTimeout(() => void run(), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [query, folder, from, to, run]);

  // A click anywhere else closes the list (the query and its hits stay for when the box is back in focus).
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open, setOpen]);

  return (
    <div className="fulltext" ref={box}>
      <input
        type="search"
        className="fulltext-input"
        placeholder="Search the text of every page…"
        aria-label="Search the text of every page"
        role="combobox"
        aria-expanded={open}
        aria-controls="fulltext-results"
        aria-activedescendant={open && hits.length > 0 ? `fulltext-hit-${active}` : undefined}
        aria-autocomplete="list"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onFocus={() => query.trim() && setOpen(true)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            move(1);
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            move(-1);
          } else if (e.key === 'Enter') {
            e.preventDefault();
            void submit();
          } else if (e.key === 'Escape') setOpen(false);
        }}
      />
      {open && query.trim() && <SearchPanel />}
    </div>
  );
}

function SearchPanel() {
  const { results, hits, active, loading, error, index, folder, from, to } = useSearch(
    useShallow((s) => ({
      results: s.results,
      hits: s.hits,
      active: s.active,
      loading: s.loading,
      error: s.error,
      index: s.index,
      folder: s.folder,
      from: s.from,
      to: s.to,
    })),
  );
  const { openHit, more, setFilter } = useSearch.getState();
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    list.current?.querySelector(`#fulltext-hit-${active}`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const summary = error
    ? error
    : results?.problem
      ? results.problem
      : !results
        ? 'Searching…'
        : results.total === 0
          ? 'No page matches.'
          : `${results.totalExact ? results.total.toLocaleString() : `More than ${results.total.toLocaleString()}`} page${results.total === 1 ? '' : 's'} match${results.total === 1 ? 'es' : ''}` +
            (results.order === 'relevance'
              ? ', best first'
              : results.totalExact
                ? ', newest first'
                : ' — too many to rank: newest first, add words to narrow');
  return (
    <div className="fulltext-panel" role="region" aria-label="Search results">
      <div className={`fulltext-summary${error || results?.problem ? ' problem' : ''}`} role="status">
        {summary}
        {loading && results && <span className="muted"> · searching…</span>}
      </div>
      {index && index.pending > 0 && (
        <div className="fulltext-index muted">
          {index.building
            ? `Building the search index: ${Math.floor((index.building.done / Math.max(1, index.building.total)) * 100)}% — pages recognised before the upgrade may be missing until it is done.`
            : `${index.pending.toLocaleString()} page${index.pending === 1 ? '' : 's'} just recognised will be searchable in a moment.`}
        </div>
      )}
      {hits.length > 0 && (
        <ul
          className="fulltext-hits"
          role="listbox"
          id="fulltext-results"
          aria-label="Matching pages"
          ref={list}
        >
          {hits.map((h, i) => (
            <li
              key={`${h.docId}:${h.pageNo}`}
              id={`fulltext-hit-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'fulltext-hit active' : 'fulltext-hit'}
              // Keep the focus in the box, so ↑/↓ go on working after a click.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => openHit(i)}
            >
              <div className="fulltext-where">
                <strong>{fileName(h.path)}</strong>
                <span className="muted">
                  page {h.pageNo}
                  {h.pageCount ? ` of ${h.pageCount}` : ''}
                </span>
                <span className="muted fulltext-folder" title={h.path}>
                  {h.path.slice(0, h.path.length - fileName(h.path).length)}
                </span>
              </div>
              <div className="fulltext-snippet">
                <Snippet text={h.snippet.text} hits={h.snippet.hits} />
              </div>
            </li>
          ))}
        </ul>
      )}
      {results && hits.length < results.total && (
        <button
          type="button"
          className="btn small fulltext-more"
          disabled={loading}
          onClick={() => void more()}
        >
          More results
        </button>
      )}
      <div className="fulltext-filters">
        <label>
          In folder
          <input
            value={folder}
            placeholder="any"
            aria-label="Only files under this folder"
            onChange={(e) => setFilter({ folder: e.target.value })}
          />
        </label>
        <label>
          From
          <input
            type="date"
            value={from}
            aria-label="Files dated from"
            onChange={(e) => setFilter({ from: e.target.value })}
          />
        </label>
        <label>
          to
          <input
            type="date"
            value={to}
            aria-label="Files dated to"
            onChange={(e) => setFilter({ to: e.target.value })}
          />
        </label>
        <span className="muted fulltext-syntax" title={SYNTAX_HELP}>
          "phrase" · pre* · -word · a OR b
        </span>
      </div>
    </div>
  );
}

const SYNTAX_HELP =
  'invoice 30687: both words · "annual report": the exact phrase · invo*: words starting with invo · ' +
  'invoice -paid: leave out pages with paid · invoice OR receipt: either. Case and accents do not matter.';
