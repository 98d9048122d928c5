/** The review window's methods: what failed, what reads badly, and a page with its picture. */
import type { ApiMethod } from '../../../shared/api.ts';
import { ApiFailure } from '../failure.ts';
import type { HandlerContext, HandlerMap } from './context.ts';

type ReviewMethod = Extract<ApiMethod, `review.${string}`>;

export function reviewHandlers({ engine, previews }: HandlerContext): HandlerMap<ReviewMethod> {
  return {
    'review.failures': (limit) => engine.read.failures(limit ?? 100),
    'review.lowConfidence': (limit) => engine.read.lowConfidence(limit ?? 100),
    'review.failedPages': (docIds, perDocument) => engine.read.failedPages(docIds, perDocument ?? 5),
    'review.page': (docId, pageNo) => {
      const page = engine.read.page(docId, pageNo);
      if (!page) throw new ApiFailure('NOT_FOUND', `document ${docId} has no recognised page ${pageNo}`);
      return page;
    },
    'review.pageImage': async (docId, pageNo, kind) => {
      const r = await previews.picture(docId, pageNo, kind);
      return {
        mime: r.mime,
        base64: Buffer.from(r.image).toString('base64'),
        width: r.width,
        height: r.height,
        ...(r.steps ? { steps: r.steps } : {}),
      };
    },
  };
}
