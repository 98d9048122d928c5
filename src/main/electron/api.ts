import { app } from 'electron';
import type { Engine } from '../engine/engine.ts';
import type { ApiHandlers } from './ipc.ts';
import { pushEvent } from './ipc.ts';

/** The API methods, served by the engine. The same map will back the WebSocket binding. */
export function engineHandlers(engine: Engine): ApiHandlers {
  return {
    'app.version': () => app.getVersion(),
    'queue.counts': () => engine.counts(),
  };
}

/** Pushes at most one `queue.counts` per interval, after the engine reports changes (trailing edge). */
export function pushCountsOnChange(engine: Engine, intervalMs = 100): () => void {
  let timer: NodeJS.Timeout | null = null;
  const schedule = (): void => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      if (engine.db.open) pushEvent('queue.counts', engine.counts());
    }, intervalMs);
  };
  engine.events.on('document', schedule);
  engine.events.on('page', schedule);
  engine.events.on('idle', schedule);
  return () => {
    if (timer) clearTimeout(timer);
    engine.events.off('document', schedule);
    engine.events.off('page', schedule);
    engine.events.off('idle', schedule);
  };
}
