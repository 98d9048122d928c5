import { app } from 'electron';
import type { Engine } from '../engine/engine.ts';
import { createRouter, type Router } from '../api/router.ts';

/** The API router for the desktop app: the engine plus the app's version from Electron. */
export function desktopRouter(engine: Engine): Router {
  return createRouter({ engine, version: app.getVersion() });
}
