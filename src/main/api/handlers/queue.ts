/** The queue's methods: listing, adding, and what a selection of documents can be told to do. */
import type { ApiMethod } from '../../../shared/api.ts';
import type { HandlerContext, HandlerMap } from './context.ts';

type QueueMethod = Extract<ApiMethod, `queue.${string}`>;

export function queueHandlers({ engine, pushes }: HandlerContext): HandlerMap<QueueMethod> {
  /** Mutations the engine does not announce itself: announce the ids and the queue. */
  const mutate =
    (op: (ids: number[]) => void) =>
    (ids: number[]): void => {
      op(ids);
      pushes.changed(ids);
    };
  return {
    'queue.counts': () => engine.read.counts(),
    'queue.status': () => pushes.status(),
    'queue.list': (query) => engine.read.list(query),
    'queue.ids': (query) => engine.read.ids(query),
    'queue.add': async (request) => {
      const s = engine.read.settings();
      const summary = await engine.ingest({
        paths: request.paths,
        source: 'drop',
        options: { languages: s.languages, dpi: s.dpi, mode: s.mode },
        outDir: s.outDir,
        formats: s.formats,
        overwrite: s.overwrite,
        priority: request.priority,
      });
      const ids = [...new Set(summary.outcomes.map((o) => o.id))];
      pushes.changed(ids);
      return {
        queued: ids.length,
        created: summary.outcomes.filter((o) => o.created).length,
        alreadyDone: new Set(
          summary.outcomes
            .filter(
              (o) => !o.created && (o.previousState === 'done' || o.previousState === 'done-with-errors'),
            )
            .map((o) => o.id),
        ).size,
        skipped: summary.skipped,
        rebuilding: summary.outputs.missing,
        keptChanged: summary.outputs.kept,
        replacing: summary.outputs.replacing,
      };
    },
    'queue.pause': mutate((ids) => engine.pause(ids)),
    'queue.resume': mutate((ids) => engine.resume(ids)),
    'queue.cancel': mutate((ids) => engine.cancel(ids)),
    'queue.retry': mutate((ids) => engine.retry(ids)),
    'queue.remove': mutate((ids) => engine.remove(ids)),
    'queue.setPriority': (ids, priority) => {
      engine.setPriority(ids, priority);
      pushes.changed(ids);
    },
    'queue.shiftPriority': (ids, delta) => {
      engine.shiftPriority(ids, delta);
      pushes.changed(ids);
    },
    'queue.setPaused': (paused) => {
      engine.setPaused(paused);
      pushes.changed();
    },
  };
}
