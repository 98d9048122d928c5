/**
 * The layering of the source tree, as zones for ESLint's `import-x/no-restricted-paths`: each zone
 * is one arrow that must not exist ("files in `target` never import from `from`"), with the reason.
 * eslint.config.js applies them; test/unit/layering.test.ts feeds each zone an import it must refuse.
 *
 *   shared ← everything          (the contract: types and plain data)
 *   common ← worker, engine, front ends   (process-agnostic helpers: errors, atomic writes, names)
 *   worker ← engine (protocol and installation facts only), nothing else
 *   engine ← api, cli, server, electron (through Engine, engine.read and installation.ts)
 *   renderer → shared only
 */

/** Folders whose code talks to the engine from outside: they use its facade, never its insides. */
const FRONT_ENDS = [
  'src/main/api',
  'src/main/cli',
  'src/main/server',
  'src/main/electron',
  'src/main/index.ts',
];

/** @type {{ target: string | string[]; from: string | string[]; except?: string[]; message: string }[]} */
export const layeringZones = [
  {
    target: ['src/shared'],
    from: ['src/main', 'src/renderer', 'src/preload'],
    message: 'src/shared is the contract every process shares: it imports no process code.',
  },
  {
    target: ['src/renderer'],
    from: ['src/main', 'src/preload'],
    message: 'The window reaches the app only through the API contract (src/shared/api.ts).',
  },
  {
    target: ['src/main/common'],
    from: [
      'src/main/engine',
      'src/main/worker',
      'src/main/api',
      'src/main/cli',
      'src/main/server',
      'src/main/electron',
    ],
    message: 'src/main/common holds helpers every side uses; it depends on none of them.',
  },
  {
    target: ['src/main/worker'],
    from: ['src/main/engine', 'src/main/api', 'src/main/cli', 'src/main/server', 'src/main/electron'],
    message:
      'A worker process is self-contained: it runs tasks from its protocol and knows nothing of the queue.',
  },
  {
    target: ['src/main/engine'],
    from: ['src/main/api', 'src/main/cli', 'src/main/server', 'src/main/electron'],
    message:
      'The engine is used by front ends, never the other way round (events and the API carry what they need).',
  },
  {
    target: FRONT_ENDS,
    from: ['src/main/engine/store'],
    message:
      'Only the engine touches the database: read through engine.read (engine/queries.ts), change through Engine methods.',
  },
  {
    target: FRONT_ENDS,
    from: ['src/main/worker'],
    except: ['./protocol.ts'],
    message:
      'Front ends do not reach into the worker: installation facts come from engine/installation.ts; only the worker protocol (types) is shared.',
  },
];
