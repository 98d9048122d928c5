/**
 * The one table of what the scheduler does with each kind of claimed task: the worker request it
 * becomes, how its outcome is written to the store, and what is announced. The scheduler runs the
 * same step for all of them (run on an executor → log → record → announce), so a new kind of task
 * or a new executor adds a row or an executor, never another copy of the step.
 */
import type { Limits } from '../worker/ocrTypes.ts';
import type { ExportWireJob, TaskType, WorkerTasks } from '../worker/protocol.ts';
import type { Announcer } from './announce.ts';
import type { TaskMeta } from './executors/executor.ts';
import type { TaskOutcome } from './pool.ts';
import type { Db } from './store/db.ts';
import { exportPolicyOf } from './store/outputFiles.ts';
import { completeExportTask, failExportTask, type ExportTaskClaim } from './store/exportTasks.ts';
import type { RetryPolicy } from './store/policy.ts';
import {
  completeExport,
  completePage,
  completeProbe,
  exportSource,
  failExport,
  failPage,
  failProbe,
  type Task,
} from './store/tasks.ts';

/** Every task the store hands out: queue work (probe, page, export) and the export dialog's tasks. */
export type ClaimedTask = Task | ExportTaskClaim;

/** What a step needs from the engine it runs in. */
export interface StepContext {
  db: Db;
  /** This engine's lease owner. */
  owner: string;
  now: () => number;
  policy: RetryPolicy;
  /** The engine's input limits for worker requests, or nothing when the defaults apply. */
  limits: () => { limits?: Partial<Limits> };
  announce: Announcer;
}

interface TaskKind<T extends ClaimedTask, K extends Exclude<TaskType, 'render'>> {
  /** The worker task that runs it. */
  type: K;
  /** The ids its log lines carry. */
  logIds(task: T): Record<string, number>;
  /** What an executor may want to know besides the request (priority, page). */
  meta(task: T): TaskMeta;
  /** The worker request, or null when there is nothing left to run (the document is gone). */
  request(task: T, ctx: StepContext): WorkerTasks[K]['request'] | null;
  /** Writes the outcome; false when the lease was lost meanwhile and nothing was written. */
  record(task: T, outcome: TaskOutcome<WorkerTasks[K]['result']>, ctx: StepContext): boolean;
  announce(
    task: T,
    outcome: TaskOutcome<WorkerTasks[K]['result']>,
    recorded: boolean,
    ctx: StepContext,
  ): void;
}

type WorkerTypeOf = { probe: 'probe'; page: 'page'; export: 'export'; reexport: 'export' };
type KindTable = {
  [C in ClaimedTask['kind']]: TaskKind<Extract<ClaimedTask, { kind: C }>, WorkerTypeOf[C]>;
};

export const TASK_KINDS: KindTable = {
  probe: {
    type: 'probe',
    logIds: (t) => ({ docId: t.docId }),
    meta: (t) => ({ docId: t.docId, attempt: t.attempt }),
    request: (t, ctx) => ({ path: t.path, ...ctx.limits() }),
    record: (t, o, ctx) =>
      o.ok
        ? completeProbe(ctx.db, t.docId, ctx.owner, o.value, ctx.now())
        : failProbe(ctx.db, t.docId, ctx.owner, o.error, ctx.policy, ctx.now()),
    announce: (t, _o, _recorded, ctx) => ctx.announce.document(t.docId),
  },
  page: {
    type: 'page',
    logIds: (t) => ({ docId: t.docId, pageNo: t.pageNo, attempt: t.attempt }),
    meta: (t) => ({
      docId: t.docId,
      pageId: t.pageId,
      pageNo: t.pageNo,
      priority: t.priority,
      attempt: t.attempt,
    }),
    request: (t, ctx) => ({
      path: t.path,
      pageNo: t.pageNo,
      options: t.options,
      identity: t.identity,
      ...ctx.limits(),
    }),
    record: (t, o, ctx) =>
      o.ok
        ? completePage(ctx.db, t.pageId, ctx.owner, o.value, ctx.now())
        : failPage(ctx.db, t.pageId, ctx.owner, o.error, ctx.policy, ctx.now()),
    announce: (t, o, recorded, ctx) => {
      if (!recorded) return;
      ctx.announce.page(
        t.docId,
        t.pageId,
        t.pageNo,
        o.ok ? { ok: true, timings: o.value.timings } : { ok: false, error: o.error },
      );
    },
  },
  export: {
    type: 'export',
    logIds: (t) => ({ docId: t.docId }),
    meta: (t) => ({ docId: t.docId, attempt: t.attempt }),
    request: (t, ctx) => {
      const job = exportJob(ctx.db, t.docId);
      if (!job) return null;
      const ifExists = exportPolicyOf(ctx.db, t.docId);
      return ifExists ? { job, ifExists } : { job };
    },
    record: (t, o, ctx) =>
      o.ok
        ? completeExport(
            ctx.db,
            t.docId,
            ctx.owner,
            [...o.value.written, ...(o.value.skipped ?? [])],
            ctx.now(),
            o.value.files,
          )
        : failExport(ctx.db, t.docId, ctx.owner, o.error, ctx.policy, ctx.now()),
    announce: (t, _o, _recorded, ctx) => ctx.announce.document(t.docId),
  },
  reexport: {
    type: 'export',
    logIds: (t) => ({ docId: t.docId, batchId: t.batchId }),
    meta: (t) => ({ docId: t.docId, attempt: t.attempt }),
    request: (t, ctx) => {
      const job = exportJob(ctx.db, t.docId);
      if (!job) return null;
      job.target = { formats: t.formats, stem: t.stem, overwrite: false };
      return { job, ifExists: t.ifExists };
    },
    record: (t, o, ctx) =>
      o.ok
        ? completeExportTask(ctx.db, t.taskId, ctx.owner, o.value, ctx.now())
        : failExportTask(ctx.db, t.taskId, ctx.owner, o.error, ctx.policy, ctx.now()),
    announce: (t, _o, _recorded, ctx) => ctx.announce.export(t.batchId, t.docId),
  },
};

/** What an export task sends to the worker: the source, its identity, the target and every page's result. */
function exportJob(db: Db, docId: number): ExportWireJob | null {
  const src = exportSource(db, docId);
  if (!src) return null;
  return {
    sourcePath: src.doc.path,
    sourceIdentity: { size: src.doc.size, mtimeMs: src.doc.mtime_ms, sha256: src.doc.sha256 },
    kind: (src.doc.kind ?? 'pdf') as ExportWireJob['kind'],
    target: src.output,
    pages: src.pages.map((p) => ({
      text: p.text ?? '',
      words: p.words ?? '[]',
      width: p.width ?? 0,
      height: p.height ?? 0,
      dpi: p.dpi ?? 0,
      source: (p.source ?? 'ocr') as 'ocr' | 'text-layer',
      failed: p.state !== 'done',
    })),
  };
}
