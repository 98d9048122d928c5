import { describe, expect, it } from 'vitest';
import type { DocumentRow } from '../../src/shared/model.ts';
import { clickSelection, withoutIds, type SelectionState } from '../../src/renderer/src/state/selection.ts';
import { covers, patchWindow, windowFor, type RowWindow } from '../../src/renderer/src/state/queueWindow.ts';
import { isAbsolutePath, settingsPatch, settingsProblem } from '../../src/renderer/src/state/settings.ts';
import { batchFinished, batchSummary } from '../../src/renderer/src/state/exportDialog.ts';
import { boxPercent, confidenceBand } from '../../src/renderer/src/state/pageView.ts';
import type { Settings } from '../../src/shared/api.ts';
import type { ExportBatch } from '../../src/shared/exports.ts';
import {
  errorsFromApi,
  optionsFromValues,
  optionsPatch,
  valuesFromOptions,
  watchFormProblems,
} from '../../src/renderer/src/state/watchForm.ts';
import type { WatchFolderOptions } from '../../src/shared/model.ts';

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

const saved: Settings = {
  languages: ['eng'],
  dpi: 300,
  mode: 'auto',
  formats: ['txt', 'pdf'],
  outDir: null,
  outputPlaceChosen: false,
  overwrite: false,
  workers: null,
  maxPages: 10_000,
  maxImageMpixels: 150,
  clusterRedis: null,
};

describe('settings form', () => {
  it('sends only what changed', () => {
    expect(settingsPatch(saved, { ...saved })).toEqual({});
    expect(settingsPatch(saved, { ...saved, languages: ['eng', 'deu'], workers: 2 })).toEqual({
      languages: ['eng', 'deu'],
      workers: 2,
    });
    expect(settingsPatch({ ...saved, workers: 2 }, saved)).toEqual({ workers: null });
  });

  it('names what cannot be saved', () => {
    expect(settingsProblem(saved)).toBeNull();
    expect(settingsProblem({ ...saved, languages: [] })).toMatch(/language/);
    expect(settingsProblem({ ...saved, formats: [] })).toMatch(/format/);
    expect(settingsProblem({ ...saved, workers: 0 })).toMatch(/workers/);
    expect(settingsProblem({ ...saved, outDir: 'out' })).toMatch(/full path/);
    for (const maxPages of [0, 2.5, NaN, 2_000_000])
      expect(settingsProblem({ ...saved, maxPages })).toMatch(/page limit must be a whole number/);
    expect(settingsProblem({ ...saved, maxPages: 1 })).toBeNull();
    for (const maxImageMpixels of [0, 1.5, NaN, 10_001])
      expect(settingsProblem({ ...saved, maxImageMpixels })).toMatch(/image limit must be a whole number/);
    expect(settingsProblem({ ...saved, maxImageMpixels: 1200 })).toBeNull();
    expect(isAbsolutePath('C:\\scans')).toBe(true);
    expect(isAbsolutePath('/srv/scans')).toBe(true);
    expect(isAbsolutePath('scans')).toBe(false);
  });
});

function batch(counts: Partial<ExportBatch['counts']>): ExportBatch {
  const c = { queued: 0, running: 0, written: 0, skipped: 0, failed: 0, ...counts };
  return {
    id: 1,
    createdAt: 0,
    options: { formats: ['txt'], destination: { kind: 'next-to-source' }, ifExists: 'skip' },
    counts: { ...c, total: c.queued + c.running + c.written + c.skipped + c.failed },
    items: [],
  };
}

describe('watched folder form', () => {
  const stored: WatchFolderOptions = {
    recursive: true,
    ocr: { languages: ['eng'], dpi: 400, mode: 'force', deskew: false },
    formats: ['txt', 'pdf'],
    outDir: '/srv/ocr',
    priority: null,
    after: 'leave',
    detection: 'auto',
  };

  it('sends only what changed, keeping OCR settings the form does not show', () => {
    const values = valuesFromOptions(stored);
    expect(optionsPatch(stored, optionsFromValues(values, stored.ocr))).toEqual({});
    const next = optionsFromValues(
      { ...values, outDir: '  ', languages: ['eng', 'deu'], recursive: false, move: true },
      stored.ocr,
    );
    expect(optionsPatch(stored, next)).toEqual({
      outDir: null,
      ocr: { languages: ['eng', 'deu'], dpi: 400, mode: 'force', deskew: false },
      recursive: false,
      after: 'move',
    });
  });

  it('names the field to blame, its own checks and the engine’s', () => {
    const values = valuesFromOptions(stored);
    expect(watchFormProblems(values)).toEqual({});
    expect(watchFormProblems({ ...values, outDir: 'out', languages: [], formats: [] }, '')).toEqual({
      path: 'Type the folder to watch.',
      outDir: 'The output folder must be a full path.',
      languages: 'Choose at least one language.',
      formats: 'Choose at least one output format.',
    });
    expect(
      errorsFromApi(
        {
          'options.outDir': 'the output folder is a file, not a folder: /x',
          'ocr.languages': 'the OCR language kor is not installed',
          'formats.0': 'Invalid option',
          detection: 'Invalid option',
        },
        'ignored',
      ),
    ).toEqual({
      outDir: 'The output folder is a file, not a folder: /x.',
      languages: 'The OCR language kor is not installed.',
      formats: 'Invalid option.',
      options: 'Invalid option.',
    });
    expect(errorsFromApi(undefined, 'the engine has stopped')).toEqual({
      options: 'The engine has stopped.',
    });
  });
});

describe('export batch as the dialog shows it', () => {
  it('is under way while anything is queued or running, then sums up how it ended', () => {
    expect(batchFinished(null)).toBe(false);
    expect(batchFinished(batch({ queued: 1, written: 2 }))).toBe(false);
    expect(batchSummary(batch({ running: 1, written: 2 }))).toBe('Exporting… 2 of 3 documents');
    expect(batchFinished(batch({ written: 2, failed: 1 }))).toBe(true);
    expect(batchSummary(batch({ written: 2 }))).toBe('Done: 2 exported.');
    expect(batchSummary(batch({ written: 1, skipped: 2, failed: 1 }))).toBe(
      'Done: 1 exported, 2 skipped (files already there), 1 failed.',
    );
  });
});

describe('page view', () => {
  it('places a word box as a share of the page, whatever size the picture is shown at', () => {
    const w = { text: 'fox', x0: 250, y0: 100, x1: 500, y1: 150, confidence: 91 };
    expect(boxPercent(w, 1000, 2000)).toEqual({ left: 25, top: 5, width: 25, height: 2.5 });
  });

  it('colours by confidence: high from 85, low under 60 (as the review list flags pages)', () => {
    expect([95, 85, 84.9, 60, 59.9, 0].map(confidenceBand)).toEqual([
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
    ]);
  });
});
