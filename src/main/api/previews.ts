import type { Engine } from '../engine/engine.ts';
import type { PagePicture } from '../../shared/api.ts';
import { InputError } from '../common/errors.ts';
import type { RenderResult } from '../worker/protocol.ts';
import { ApiFailure } from './failure.ts';

/** Largest side of a page picture, in pixels: sharp on a screen, quick to render and send. */
const PREVIEW_MAX_SIDE = 1600;
/**
 * Largest side of the prepared page: sent at full size up to this (an A4 page prepared for
 * Tesseract is ~1,700–3,600 px high), so the window shows the very pixels Tesseract read; a poster
 * is scaled down.
 */
const PREPARED_MAX_SIDE = 5000;
/** Resolution for pages whose recognition resolution is not known (text-layer pages). */
const PREVIEW_FALLBACK_DPI = 110;
/** Page pictures kept, so flipping back and forth does not take a worker each time. */
const PREVIEW_CACHE = 12;
/** Prepared pages kept: full-size PNGs (up to a few MB), so fewer. */
const PREPARED_CACHE = 4;

/** Which picture of a page: as the user sees it, or as it was prepared for Tesseract. */
export type PictureKind = PagePicture;

/** The page view's pictures: rendered by a worker at a scale matching the page's word boxes, a few kept. */
export class Previews {
  private readonly engine: Engine;
  private readonly cache = new Map<string, RenderResult>();
  private readonly preparedCache = new Map<string, RenderResult>();

  constructor(engine: Engine) {
    this.engine = engine;
  }

  async picture(docId: number, pageNo: number, kind: PictureKind = 'page'): Promise<RenderResult> {
    if (kind === 'prepared') return this.prepared(docId, pageNo);
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
    remember(this.cache, key, outcome.value, PREVIEW_CACHE);
    return outcome.value;
  }

  /**
   * The page as the page task prepared it for Tesseract, prepared again by a worker with the
   * document's own options (worker/preparedPicture.ts says why it is not kept from the OCR run).
   */
  private async prepared(docId: number, pageNo: number): Promise<RenderResult> {
    const g = this.engine.read.pageGeometry(docId, pageNo);
    if (!g) throw new ApiFailure('NOT_FOUND', `document ${docId} has no page ${pageNo}`);
    if (g.source === 'text-layer')
      throw new ApiFailure(
        'NOT_FOUND',
        `page ${pageNo} kept the PDF's own text layer: it was not recognised, so nothing was prepared for Tesseract`,
      );
    const key = `${docId}:${pageNo}:${JSON.stringify(g.options)}`;
    const cached = this.preparedCache.get(key);
    if (cached) return cached;
    const outcome = await this.engine.renderPage({
      path: g.path,
      pageNo,
      dpi: g.options.dpi,
      maxSide: PREPARED_MAX_SIDE,
      prepared: g.options,
    });
    if (!outcome.ok) throw new InputError(outcome.error.code, outcome.error.message);
    remember(this.preparedCache, key, outcome.value, PREPARED_CACHE);
    return outcome.value;
  }
}

function remember(cache: Map<string, RenderResult>, key: string, value: RenderResult, size: number): void {
  cache.set(key, value);
  if (cache.size > size) cache.delete(cache.keys().next().value!);
}
