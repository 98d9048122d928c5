import { describe, expect, it } from 'vitest';
import type { DocumentRow } from '../../src/shared/model.ts';
import { clickSelection, withoutIds, type SelectionState } from '../../src/renderer/src/state/selection.ts';
import { covers, patchWindow, windowFor, type RowWindow } from '../../src/renderer/src/state/queueWindow.ts';

const none: SelectionState = { selected: new Set(), anchor: null };
const ids = [10, 11, 12, 13, 14];
const idAt = (i: number) => ids[i];
const plain = { shift: false, toggle: false };

describe('selection', () => {
  it('click selects one, ctrl-click toggles, shift-click selects a range from the anchor', () => {
    let s = clickSelection(none, 1, 11, plain, idAt);
    expect([...s.selected]).toEqual([11]);
    s = clickSelection(s, 3, 13, { shift: false, toggle: true }, idAt);
    expect([...s.selected].sort()).toEqual([11, 13]);
    s = clickSelection(s, 3, 13, { shift: false, toggle: true }, idAt);
    expect([...s.selected]).toEqual([11]);
    s = clickSelection(clickSelection(none, 1, 11, plain, idAt), 4, 14, { shift: true, toggle: false }, idAt);
    expect([...s.selected].sort()).toEqual([11, 12, 13, 14]);
    // Shift-click upwards, from the same anchor, replaces the range.
    s = clickSelection(s, 0, 10, { shift: true, toggle: false }, idAt);
    expect([...s.selected].sort()).toEqual([10, 11]);
    // Ctrl+shift adds a range to what is selected.
    s = clickSelection({ selected: new Set([14]), anchor: 0 }, 1, 11, { shift: true, toggle: true }, idAt);
    expect([...s.selected].sort()).toEqual([10, 11, 14]);
  });

  it('forgets removed documents', () => {
    const s = { selected: new Set([1, 2, 3]), anchor: 0 };
    expect([...withoutIds(s, [2, 9]).selected]).toEqual([1, 3]);
    expect(withoutIds(s, [9])).toBe(s);
  });
});

function row(id: number, state: DocumentRow['state'] = 'queued'): DocumentRow {
  return { id, state, path: `/x/${id}.pdf` } as DocumentRow;
}

describe('queue window', () => {
  const w: RowWindow = {
    total: 1000,
    offset: 100,
    rows: Array.from({ length: 200 }, (_, i) => row(101 + i)),
  };

  it('knows which visible ranges it covers and what to fetch otherwise', () => {
    expect(covers(w, 120, 140)).toBe(true);
    expect(covers(w, 290, 310)).toBe(false);
    expect(covers({ total: 5, offset: 0, rows: w.rows.slice(0, 5) }, 0, 20)).toBe(true);
    expect(windowFor(0, 20)).toEqual({ offset: 0, limit: 120 });
    expect(windowFor(5000, 5030)).toEqual({ offset: 4900, limit: 230 });
    expect(windowFor(0, 10_000).limit).toBe(500);
  });

  it('applies a coalesced document.changed in place: changed rows replaced, removed rows dropped', () => {
    const next = patchWindow(w, {
      rows: [row(105, 'done'), row(9999, 'done')],
      removed: [106],
      truncated: false,
    });
    expect(next.rows.find((r) => r.id === 105)?.state).toBe('done');
    expect(next.rows.some((r) => r.id === 106)).toBe(false);
    expect(next.rows.some((r) => r.id === 9999)).toBe(false);
    expect(next.total).toBe(999);
    expect(next.rows[4].id).toBe(105);
    // Nothing of ours changed: the same object, so React does not re-render.
    expect(patchWindow(w, { rows: [row(1)], removed: [2], truncated: false })).toBe(w);
  });
});
