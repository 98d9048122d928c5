/**
 * The search methods: full-text search over the recognised pages and how far the index is. Both
 * are reads; a query the engine cannot run comes back as `problem`, in words, not as an error.
 */
import type { ApiMethod } from '../../../shared/api.ts';
import type { HandlerContext, HandlerMap } from './context.ts';

type SearchMethod = Extract<ApiMethod, `search.${string}`>;

export function searchHandlers({ engine }: HandlerContext): HandlerMap<SearchMethod> {
  return {
    'search.query': (request) => engine.read.search(request),
    'search.status': () => engine.read.searchStatus(),
  };
}
