/** The app's methods: version, capabilities, diagnostics, settings, and the host's file dialogs. */
import type { ApiMethod } from '../../../shared/api.ts';
import { describeOcrEngine, installedLanguages } from '../../engine/installation.ts';
import { workerCount } from '../../engine/settings.ts';
import { ApiFailure } from '../failure.ts';
import type { HandlerContext, HandlerMap } from './context.ts';

type AppMethod = Extract<ApiMethod, `app.${string}` | `settings.${string}` | 'files.pickFolder'>;

export function appHandlers({ engine, pushes, host, version }: HandlerContext): HandlerMap<AppMethod> {
  return {
    'app.version': () => version,
    'app.diagnostics': () =>
      engine.read.diagnostics({
        dbPath: engine.db.name,
        appVersion: version,
        logFiles: engine.log.files(),
        workers: engine.workers,
      }),
    'app.capabilities': () => ({
      reveal: host?.reveal !== undefined,
      pickFolder: host?.pickFolder !== undefined,
      cores: workerCount(null),
      ocrEngine: describeOcrEngine(engine.workers.ocrEngines),
    }),
    'settings.get': () => engine.read.settings(),
    'settings.set': (patch) => {
      const next = engine.updateSettings(patch);
      if (patch.workers !== undefined) pushes.changed();
      return next;
    },
    'settings.languages': () => installedLanguages(),
    'files.pickFolder': async (request) => {
      if (!host?.pickFolder) throw new ApiFailure('UNAVAILABLE', 'no folder dialog here: type the path');
      return host.pickFolder(request);
    },
  };
}
