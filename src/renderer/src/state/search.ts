/**
 * The search box: what is typed, the filters, the hits so far (a page of 20 at a time, "more"
 * appends), which hit the keyboard is on, and how far the index is. The engine searches; a
 * query it cannot run comes back with `problem`, shown as is.
 */
import { create } from 'zustand';
import type { SearchHit, SearchIndexStatus, SearchResults } from '../../../shared/api.ts';
import { call } from '../api/client.ts';
import { usePageView } from './pageView.ts';

const PAGE = 20;

interface SearchStore {
  query: string;
  folder: string;
  from: string;
  to: string;
  /** The last answer (for the query as it was run), and every hit fetched for it so far. */
  results: SearchResults | null;
  hits: SearchHit[];
  /** What `results` answer (query and filters): Enter before the typing pause ends must not open an older query's hit. */
  answered: string;
  /** The hit ↑/↓ are on. */
  active: number;
  /** The results panel is shown. */
  open: boolean;
  loading: boolean;
  error: string | null;
  /** Pushed by the engine while the index is built or catching up. */
  index: SearchIndexStatus | null;
  setQuery: (query: string) => void;
  setFilter: (patch: Partial<Pick<SearchStore, 'folder' | 'from' | 'to'>>) => void;
  run: () => Promise<void>;
  more: () => Promise<void>;
  move: (delta: number) => void;
  openHit: (index: number) => void;
  /** Enter: opens the active hit of what is typed now, searching first if the answer is not in yet. */
  submit: () => Promise<void>;
  setOpen: (open: boolean) => void;
}

/** Answers to an older request are dropped: typing fast must not show the results of a prefix. */
let sequence = 0;

const askedFor = (s: Pick<SearchStore, 'query' | 'folder' | 'from' | 'to'>): string =>
  JSON.stringify([s.query, s.folder.trim(), s.from, s.to]);

export const useSearch = create<SearchStore>()((set, get) => ({
  query: '',
  folder: '',
  from: '',
  to: '',
  results: null,
  answered: '',
  hits: [],
  active: 0,
  open: false,
  loading: false,
  error: null,
  index: null,
  setQuery: (query) => set({ query }),
  setFilter: (patch) => set(patch),
  run: async () => {
    const { query, folder, from, to } = get();
    const asked = askedFor(get());
    const mine = ++sequence;
    if (!query.trim()) {
      set({ results: null, hits: [], active: 0, loading: false, error: null });
      return;
    }
    set({ loading: true, open: true });
    try {
      const results = await call('search.query', {
        query,
        limit: PAGE,
        ...(folder.trim() ? { folder: folder.trim() } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      if (mine !== sequence) return;
      set({
        results,
        answered: asked,
        hits: results.hits,
        active: 0,
        loading: false,
        error: null,
        index: results.index,
      });
    } catch (e) {
      if (mine !== sequence) return;
      set({ loading: false, error: e instanceof Error ? e.message : String(e) });
    }
  },
  more: async () => {
    const { results, hits, folder, from, to } = get();
    if (!results || hits.length >= results.total) return;
    const mine = ++sequence;
    set({ loading: true });
    try {
      const next = await call('search.query', {
        query: results.query,
        offset: hits.length,
        limit: PAGE,
        ...(folder.trim() ? { folder: folder.trim() } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      if (mine !== sequence) return;
      set({ hits: [...hits, ...next.hits], loading: false });
    } catch (e) {
      if (mine !== sequence) return;
      set({ loading: false, error: e instanceof Error ? e.message : String(e) });
    }
  },
  move: (delta) => {
    const { hits, active } = get();
    if (hits.length === 0) return;
    set({ active: Math.min(hits.length - 1, Math.max(0, active + delta)), open: true });
  },
  openHit: (index) => {
    const { hits, results } = get();
    const hit = hits[index];
    if (!hit || !results) return;
    // The list closes under the page view; it opens again when the focus comes back to the box.
    set({ active: index, open: false });
    usePageView.getState().open(hit.docId, hit.pageNo, results.query);
  },
  submit: async () => {
    if (get().answered !== askedFor(get())) await get().run();
    const { hits, active, answered } = get();
    if (answered === askedFor(get()) && hits.length > 0) get().openHit(active);
  },
  setOpen: (open) => set({ open }),
}));
