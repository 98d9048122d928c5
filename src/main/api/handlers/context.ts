import type { ApiMethod, ApiMethods } from '../../../shared/api.ts';
import type { Engine } from '../../engine/engine.ts';
import type { Previews } from '../previews.ts';
import type { Pushes } from '../pushes.ts';

/**
 * What the host process adds to the engine: the Electron shell passes native dialogs and the file
 * manager; `bulk-ocr serve` passes nothing, and those methods answer `UNAVAILABLE`.
 */
export interface HostShell {
  /** Shows a file selected in the system file manager. */
  reveal?: (path: string) => void | Promise<void>;
  /** The native "choose folders" dialog; null when cancelled. */
  pickFolder?: (request: { title?: string; multiple?: boolean }) => Promise<string[] | null>;
}

/** What every handler map is built from. */
export interface HandlerContext {
  engine: Engine;
  pushes: Pushes;
  previews: Previews;
  host: HostShell | undefined;
  version: string;
}

/** The handlers of a group of API methods, typed from the contract (arguments already validated). */
export type HandlerMap<M extends ApiMethod> = {
  [K in M]: (...args: Parameters<ApiMethods[K]>) => unknown;
};
