/**
 * Multi-selection over the queue table, like a file manager: click selects one, ctrl/cmd-click
 * toggles, shift-click selects the range from the anchor, ctrl-A selects everything that matches
 * the filter. The selection is a set of document ids, so it survives scrolling and refetches.
 */
import { create } from 'zustand';

export interface SelectionState {
  selected: ReadonlySet<number>;
  /** Row index the next shift-click extends from. */
  anchor: number | null;
}

export interface ClickModifiers {
  shift: boolean;
  /** Ctrl on Linux/Windows, Cmd on macOS. */
  toggle: boolean;
}

/**
 * The selection after a click on row `index` (document `id`). `idAt` gives the id at a row index
 * when it is loaded; a range reaching rows that are not loaded takes the ones that are.
 */
export function clickSelection(
  state: SelectionState,
  index: number,
  id: number,
  mods: ClickModifiers,
  idAt: (index: number) => number | undefined,
): SelectionState {
  if (mods.shift && state.anchor !== null) {
    const [from, to] = state.anchor <= index ? [state.anchor, index] : [index, state.anchor];
    const next = mods.toggle ? new Set(state.selected) : new Set<number>();
    for (let i = from; i <= to; i++) {
      const rowId = idAt(i);
      if (rowId !== undefined) next.add(rowId);
    }
    return { selected: next, anchor: state.anchor };
  }
  if (mods.toggle) {
    const next = new Set(state.selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return { selected: next, anchor: index };
  }
  return { selected: new Set([id]), anchor: index };
}

/** Drops ids that no longer exist (removed documents). */
export function withoutIds(state: SelectionState, gone: readonly number[]): SelectionState {
  if (!gone.some((id) => state.selected.has(id))) return state;
  const next = new Set(state.selected);
  for (const id of gone) next.delete(id);
  return { ...state, selected: next };
}

interface SelectionStore extends SelectionState {
  click: (index: number, id: number, mods: ClickModifiers, idAt: (i: number) => number | undefined) => void;
  selectAll: (ids: readonly number[]) => void;
  clear: () => void;
  forget: (ids: readonly number[]) => void;
}

export const useSelection = create<SelectionStore>()((set) => ({
  selected: new Set(),
  anchor: null,
  click: (index, id, mods, idAt) => set((s) => clickSelection(s, index, id, mods, idAt)),
  selectAll: (ids) => set({ selected: new Set(ids), anchor: null }),
  clear: () => set({ selected: new Set(), anchor: null }),
  forget: (ids) => set((s) => withoutIds(s, ids)),
}));
