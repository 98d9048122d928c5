import { describe, expect, it } from 'vitest';
import { formatWorkerFaultReport, runWorkerFaults } from './workerFaults.ts';

/**
 * Issue 6, promise 2: workers die, the run goes on. Random SIGKILLs, a SIGSTOPped (hung) worker
 * and a page that eats memory, during a run of ~200 pages (the 500-page version:
 * `npm run test:faults`). Assertions are about outcomes; the throughput figures are reported.
 */
describe('workers die, the run goes on', () => {
  it('every page ends done or failed with a reason, the pool recovers, nothing is left running', async () => {
    const report = await runWorkerFaults({ pages: 200, kills: 8 });
    console.log(formatWorkerFaultReport(report));
    expect(report.problems).toEqual([]);
    expect(report.faults).toEqual({ sigkill: 8, sigstop: 1, outOfMemory: 1 });
    expect(report.pages.done + report.pages.failed).toBe(report.pages.total);
    expect(report.workersAfterFaults).toBe(2);
    expect(report.leakedProcesses).toBe(0);
    // Work went on after the last fault.
    expect(report.pagesPerMinute.afterFaults).toBeGreaterThan(0);
  }, 600_000);
});
