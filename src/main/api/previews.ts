import type { Engine } from '../engine/engine.ts';
import { InputError } from '../common/errors.ts';
import type { RenderResult } from '../worker/protocol.ts';
import { ApiFailure } from './failure.ts';

/** Largest side of a page picture, in pixels: sharp on a screen, quick to render and send. */
const PREVIEW_MAX_SIDE = 1600;
/** Resolution for pages whose recognition resolution is not known (text-layer pages). */
const PREVIEW_FALLBACK_DPI = 110;
/** Page pictures kept, so flipping back and forth does not take a worker each time. */
const PREVIEW_CACHE = 12;

/** The page view's pictures: rendered by a worker at a scale matching the page's word boxes, a few kept. */
export class Previews {
  private readonly engine: Engine;
  private readonly cache = new Map<string, RenderResult>();

  constructor(engine: Engine) {
    this.engine = engine;
  }

  async picture(docId: number, pageNo: number): Promise<RenderResult> {
    const g = this.engine.read.pageGeometry(docId, pageNo);
    if (!g) throw new ApiFailure('NOT_FOUND', `document ${docId} has no page ${pageNo}`);
    const key = `${docId}:${pageNo}:${g.width}x${g.height}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const longer = Math.max(g.width, g.height);
    const dpi =
      g.dpi && longer > 0 ? Math.min(g.dpi, (g.dpi * PREVIEW_MAX_SIDE) / longer) : PREVIEW_FALLBACK_DPI;
    const outcome = await this.engine.renderPage({ path: g.path, pageNo, dpi, maxSide: PREVIEW_MAX_SIDE });
    if (!outcome.ok) throw new InputError(outcome.error.code, outcome.error.message);
    this.cache.set(key, outcome.value);
    if (this.cache.size > PREVIEW_CACHE) this.cache.delete(this.cache.keys().next().value!);
    return outcome.value;
  }
}
