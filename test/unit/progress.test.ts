import { describe, expect, it } from 'vitest';
import {
  ETA_MIN_PAGES,
  ETA_MIN_WORK_MS,
  ProgressMeter,
  type ProgressInput,
  type ProgressReading,
} from '../../src/shared/progress.ts';
import type { QueueStatus } from '../../src/shared/api.ts';
import { stripFigures } from '../../src/renderer/src/views/progressFigures.ts';
import {
  createProgressView,
  describe as describeProgress,
  type ProgressSnapshot,
} from '../../src/main/cli/progress.ts';

/**
 * The progress a person watches, as sequences of readings: what the bar, the rate and the time left
 * say while files are opened, pages finish, the queue idles and a run resumes.
 */

/** Feeds a meter readings and keeps what it said. */
function feed(meter: ProgressMeter, inputs: ProgressInput[]): ProgressReading[] {
  return inputs.map((i) => meter.update(i));
}

function expectNeverDecreasing(readings: ProgressReading[]): void {
  const fractions = readings.map((r) => r.fraction).filter((f): f is number => f !== null);
  for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
}

describe('progress while files are opened', () => {
  it('says "counting" with no total until every file is opened, then a bar that never decreases', () => {
    // 11 files: 4 opened a second (17, 44 pages counted as they open), a page done every 2 s.
    const pagesPerFile = [1, 5, 20, 3, 2, 1, 1, 3, 4, 2, 2];
    const meter = new ProgressMeter({ scope: 'files' });
    const readings: ProgressReading[] = [];
    let settled = 0;
    for (let t = 0; t <= 200; t++) {
      const opened = Math.min(11, t * 4);
      const counted = pagesPerFile.slice(0, opened).reduce((a, b) => a + b, 0);
      if (t > 0 && t % 2 === 0 && settled < counted) settled++;
      readings.push(
        meter.update({
          now: t * 1000,
          filesUncounted: 11 - opened,
          pagesSettled: settled,
          pagesOutstanding: counted - settled,
        }),
      );
    }
    const counting = readings.filter((r) => r.counting);
    expect(counting.length).toBeGreaterThan(0);
    for (const r of counting) {
      expect(r.pagesTotal).toBeNull();
      expect(r.fraction).toBeNull();
      expect(r.etaSeconds).toBeNull();
    }
    const started = readings.filter((r) => !r.counting);
    // Once counted, the total is the whole run's and does not move.
    expect(new Set(started.map((r) => r.pagesTotal))).toEqual(new Set([44]));
    for (const r of started) expect(r.fraction).toBeCloseTo(r.pagesDone / 44, 10);
    expectNeverDecreasing(readings);
    expect(readings.at(-1)).toMatchObject({ fraction: 1, pagesDone: 44, idle: true, etaSeconds: 0 });
  });

  it('slows down, never goes back, when files are added to a run under way (a watched folder)', () => {
    const meter = new ProgressMeter({ scope: 'sinceStart' });
    const readings: ProgressReading[] = [];
    const naive: number[] = [];
    let total = 10;
    let settled = 0;
    let uncounted = 0;
    for (let t = 1; t <= 160; t++) {
      if (t === 5 || t === 30) uncounted += 3; // files arrive…
      if (t === 8 || t === 33) {
        uncounted -= 3; // …and are opened: 30 pages each time
        total += 30;
      }
      if (t % 2 === 0 && settled < total) settled++;
      naive.push(settled / total);
      readings.push(
        meter.update({
          now: t * 1000,
          filesUncounted: uncounted,
          pagesSettled: settled,
          pagesOutstanding: total - settled,
        }),
      );
    }
    expectNeverDecreasing(readings);
    // Files waiting to be opened keep the bar from filling while they wait.
    expect(readings.filter((r) => r.counting).every((r) => (r.fraction ?? 0) < 1)).toBe(true);
    expect(readings.at(-1)!.fraction).toBe(1);
    expect(readings.at(-1)!.pagesDone).toBe(70);
    // The same sequence as done/total goes backwards: what the meter is for.
    expect(naive.some((f, i) => i > 0 && f < naive[i - 1])).toBe(true);
  });
});

describe('time left', () => {
  it('is hidden until a few pages and some seconds of work, then follows pages left / recent rate', () => {
    const meter = new ProgressMeter({ scope: 'files' });
    // 100 pages, all counted at once; a page every 3 s (20 pages/min).
    const readings = feed(
      meter,
      Array.from({ length: 100 }, (_, t) => ({
        now: t * 1000,
        filesUncounted: 0,
        pagesSettled: Math.floor(t / 3),
        pagesOutstanding: 100 - Math.floor(t / 3),
      })),
    );
    const firstEta = readings.findIndex((r) => r.etaSeconds !== null);
    expect(firstEta).toBeGreaterThanOrEqual(ETA_MIN_PAGES * 3);
    expect(firstEta * 1000).toBeGreaterThanOrEqual(ETA_MIN_WORK_MS);
    for (const r of readings.slice(0, firstEta)) expect(r.etaSeconds).toBeNull();
    const last = readings.at(-1)!;
    expect(last.pagesPerMinute).toBeCloseTo(20, 0);
    // 67 pages left at 20 pages/min: about 201 s.
    expect(last.etaSeconds).toBeGreaterThan(190);
    expect(last.etaSeconds).toBeLessThan(215);
  });

  it('follows the recent rate: the machine slows down, the time left grows', () => {
    const meter = new ProgressMeter({ scope: 'files' });
    let r: ProgressReading | null = null;
    let settled = 0;
    for (let t = 0; t <= 300; t++) {
      // 30 pages/min for two minutes, then 6 pages/min.
      if (t > 0 && (t <= 120 ? t % 2 === 0 : t % 10 === 0)) settled++;
      r = meter.update({
        now: t * 1000,
        filesUncounted: 0,
        pagesSettled: settled,
        pagesOutstanding: 500 - settled,
      });
    }
    expect(r!.pagesPerMinute).toBeCloseTo(6, 0);
    expect(r!.etaSeconds).toBeCloseTo(((500 - settled) / 6) * 60, -2);
  });

  it('is not given while the queue is paused, and paused time is not work time', () => {
    const meter = new ProgressMeter({ scope: 'files' });
    let r: ProgressReading | null = null;
    for (let t = 0; t <= 60; t++)
      r = meter.update({ now: t * 1000, filesUncounted: 0, pagesSettled: t, pagesOutstanding: 100 - t });
    expect(r!.pagesPerMinute).toBeCloseTo(60, 0);
    for (let t = 61; t <= 600; t++)
      r = meter.update({
        now: t * 1000,
        filesUncounted: 0,
        pagesSettled: 60,
        pagesOutstanding: 40,
        paused: true,
      });
    expect(r!.etaSeconds).toBeNull();
    // (59: the second between the last page and the pause was work without a page.)
    expect(r!.pagesPerMinute).toBeGreaterThan(58);
    r = meter.update({ now: 601_000, filesUncounted: 0, pagesSettled: 61, pagesOutstanding: 39 });
    expect(r.pagesPerMinute).toBeGreaterThan(55);
    expect(r.etaSeconds).toBeGreaterThan(30);
    expect(r.etaSeconds).toBeLessThan(50);
  });
});

describe('pages per minute', () => {
  it('is not dragged down by idle time, and a new batch after the idle is a run of its own', () => {
    const meter = new ProgressMeter({ scope: 'sinceStart' });
    let r: ProgressReading | null = null;
    // 10 pages, one every 6 s: 10 pages/min.
    for (let t = 0; t <= 60; t++)
      r = meter.update({
        now: t * 1000,
        filesUncounted: 0,
        pagesSettled: Math.floor(t / 6),
        pagesOutstanding: 10 - Math.floor(t / 6),
      });
    expect(r).toMatchObject({ idle: true, fraction: 1 });
    expect(r!.pagesPerMinute).toBeCloseTo(10, 0);
    // Ten idle minutes.
    for (let t = 61; t <= 660; t++)
      r = meter.update({ now: t * 1000, filesUncounted: 0, pagesSettled: 10, pagesOutstanding: 0 });
    expect(r!.pagesPerMinute).toBeCloseTo(10, 0);
    // Two files dropped in: counted, then a bar that starts at 0 for this batch.
    r = meter.update({ now: 661_000, filesUncounted: 2, pagesSettled: 10, pagesOutstanding: 0 });
    expect(r).toMatchObject({ counting: true, fraction: null, pagesPerMinute: null, etaSeconds: null });
    r = meter.update({ now: 662_000, filesUncounted: 0, pagesSettled: 10, pagesOutstanding: 20 });
    expect(r).toMatchObject({ counting: false, fraction: 0, pagesDone: 0, pagesTotal: 20 });
    // This batch runs at 30 pages/min; its rate is its own.
    for (let t = 663; t <= 702; t++) {
      const done = Math.min(20, Math.floor((t - 662) / 2));
      r = meter.update({
        now: t * 1000,
        filesUncounted: 0,
        pagesSettled: 10 + done,
        pagesOutstanding: 20 - done,
      });
    }
    // 20 pages in 41 s of work (the second spent opening the files included).
    expect(r.pagesPerMinute).toBeCloseTo((20 / 41) * 60, 5);
    expect(r).toMatchObject({ pagesDone: 20, pagesTotal: 20, fraction: 1 });
  });
});

describe('a resumed run', () => {
  it('starts its bar where the interruption left it, and its rate counts only pages of this run', () => {
    const meter = new ProgressMeter({ scope: 'files' });
    // 30 of 44 pages were done before the interruption; this run does the other 14 in 84 s.
    let r = meter.update({ now: 0, filesUncounted: 0, pagesSettled: 30, pagesOutstanding: 14 });
    expect(r.fraction).toBeCloseTo(30 / 44, 10);
    expect(r.pagesPerMinute).toBeNull();
    const readings = [r];
    for (let t = 1; t <= 84; t++) {
      const done = Math.floor(t / 6);
      r = meter.update({
        now: t * 1000,
        filesUncounted: 0,
        pagesSettled: 30 + done,
        pagesOutstanding: 14 - done,
      });
      readings.push(r);
    }
    expectNeverDecreasing(readings);
    expect(r).toMatchObject({ fraction: 1, pagesDone: 44, pagesTotal: 44 });
    // 14 pages in 84 s is 10 pages/min; mixing in the earlier 30 would say 31.
    expect(r.pagesPerMinute).toBeCloseTo(10, 0);
  });
});

describe("the window's progress strip", () => {
  const counts = (
    pages: { total: number; done: number; queued: number },
    docs: Partial<Record<string, number>>,
  ) => ({
    documents: {
      new: 0,
      queued: 0,
      running: 0,
      paused: 0,
      exporting: 0,
      done: 0,
      'done-with-errors': 0,
      failed: 0,
      cancelled: 0,
      total: Object.values(docs).reduce((a: number, b) => a + (b ?? 0), 0),
      ...docs,
    },
    pages: { total: pages.total, queued: pages.queued, running: 0, done: pages.done, failed: 0 },
  });

  it('says it is counting pages instead of a time left while files wait to be opened, then a bar from the meter', () => {
    // A queue with 40 pages done earlier; a folder of 3 files is added, 1 opened so far (20 pages).
    const meter = new ProgressMeter({ scope: 'sinceStart' });
    meter.update({ now: 0, filesUncounted: 0, pagesSettled: 40, pagesOutstanding: 0 });
    let run = meter.update({ now: 1000, filesUncounted: 2, pagesSettled: 40, pagesOutstanding: 20 });
    let status: QueueStatus = {
      counts: counts({ total: 60, done: 40, queued: 20 }, { done: 5, new: 2, queued: 1 }),
      paused: false,
      pagesPerMinute: run.pagesPerMinute,
      etaSeconds: run.etaSeconds,
      run,
      workers: { total: 2, busy: 1 },
    };
    let f = stripFigures(status);
    expect(f).toMatchObject({ timeLeft: 'Counting pages…', fraction: 0, pages: '40 / 60' });
    expect(f.note).toBe('Counting the pages of 2 files not opened yet…');
    // Paused says so, whatever else is true.
    expect(stripFigures({ ...status, paused: true }).timeLeft).toBe('Paused');
    // All opened (24 pages), 6 done: a quarter of this batch, not 46/64 of the whole queue.
    run = meter.update({ now: 20_000, filesUncounted: 0, pagesSettled: 46, pagesOutstanding: 18 });
    status = { ...status, counts: counts({ total: 64, done: 46, queued: 18 }, { done: 5, running: 3 }), run };
    f = stripFigures(status);
    expect(f.fraction).toBeCloseTo(6 / 24, 10);
    expect(f.note).toBeNull();
    expect(f.timeLeft).not.toBe('Counting pages…');
    // Finished and idle: a full bar.
    run = meter.update({ now: 90_000, filesUncounted: 0, pagesSettled: 64, pagesOutstanding: 0 });
    f = stripFigures({ ...status, counts: counts({ total: 64, done: 64, queued: 0 }, { done: 8 }), run });
    expect(f).toMatchObject({ fraction: 1, pages: '64 / 64', documents: '8 / 8', note: null });
  });
});

describe('the CLI progress line', () => {
  function terminal(columns: number) {
    let text = '';
    const stream = {
      isTTY: true,
      columns,
      write: (s: string) => {
        text += s;
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    return { stream, text: () => text };
  }
  const snapshot = (progress: Partial<ProgressReading>): ProgressSnapshot => ({
    documentsDone: 1,
    documentsFailed: 0,
    documentsTotal: 2,
    workersBusy: 1,
    progress: {
      counting: false,
      filesUncounted: 0,
      pagesDone: 3,
      pagesTotal: 4,
      fraction: 0.75,
      pagesPerMinute: null,
      etaSeconds: null,
      idle: false,
      ...progress,
    },
  });

  it('says "counting pages" before the total, then the share, with no rate or ETA it cannot give yet', () => {
    expect(
      describeProgress(
        snapshot({ counting: true, filesUncounted: 1, fraction: null, pagesTotal: null, pagesDone: 0 }),
      ),
    ).toEqual(['counting pages… (1 of 2 files opened)', '1/2 files']);
    expect(describeProgress(snapshot({}))).toEqual(['75%', '3/4 pages', '1/2 files']);
    expect(describeProgress(snapshot({ pagesPerMinute: 12.34, etaSeconds: 95 }))).toEqual([
      '75%',
      '3/4 pages',
      '12.3 pages/min',
      'ETA 1:35',
      '1/2 files',
    ]);
  });

  it('draws the whole line on a terminal that does not say its width', () => {
    const t = terminal(0);
    const view = createProgressView(t.stream, false);
    view.update(snapshot({}));
    view.finish();
    expect(t.text()).toMatch(/3\/4 pages · 1\/2 files\n$/);
  });
});
