import type { PageResult, ProbeResult } from '../../shared/model.ts';
import type { TaskType } from '../worker/protocol.ts';
import type { Logger } from './log/logger.ts';
import type { TaskOutcome } from './pool.ts';

/**
 * Logs a task's outcome with its ids, worker, time and error code, and passes it on unchanged.
 * Only measurements and codes are taken from a result: never its text or words.
 */
export function logged<T>(
  log: Logger,
  type: Exclude<TaskType, 'render'>,
  ids: Record<string, number | undefined>,
  outcome: Promise<TaskOutcome<T>>,
): Promise<TaskOutcome<T>> {
  const started = performance.now();
  return outcome.then((o) => {
    const ms = Math.round(performance.now() - started);
    if (!o.ok) {
      log.warn(`${type}.failed`, {
        ...ids,
        worker: o.worker,
        ms,
        code: o.error.code,
        reason: o.error.message,
      });
      return o;
    }
    log.info(`${type}.done`, { ...ids, worker: o.worker, ms, ...measurements(type, o.value) });
    return o;
  });
}

function measurements(type: Exclude<TaskType, 'render'>, value: unknown): Record<string, unknown> {
  const v = value as Partial<PageResult & ProbeResult & { written: string[]; bytes: number }>;
  if (type === 'page')
    return {
      source: v.source,
      dpi: v.dpi,
      width: v.width,
      height: v.height,
      confidence:
        v.meanConfidence === null || v.meanConfidence === undefined ? null : Math.round(v.meanConfidence),
      rasterizeMs: v.timings?.rasterize,
      recognizeMs: v.timings?.recognize,
    };
  if (type === 'probe') return { kind: v.kind, pages: v.pageCount, bytes: v.size };
  return { files: v.written?.length, bytes: v.bytes };
}
