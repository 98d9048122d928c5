/** The review window's page view: which page is open, its words and its picture. */
import { create } from 'zustand';
import type { PageDetail } from '../../../shared/api.ts';
import type { Word } from '../../../shared/model.ts';
import { call, isDesktop } from '../api/client.ts';
import { PAGE_IMAGE_PATH } from '../../../shared/api.ts';
import { parseSearch, type ParsedSearch } from '../../../shared/searchSyntax.ts';
import { matchingWords } from '../../../shared/searchMatch.ts';

interface PageViewStore {
  target: { docId: number; pageNo: number } | null;
  detail: PageDetail | null;
  imageUrl: string | null;
  imageError: string | null;
  error: string | null;
  /** Index into `detail.words` of the word clicked. */
  selected: number | null;
  /** The search the page was opened from: its words are highlighted, on this page and the next ones flipped to. */
  highlight: ParsedSearch | null;
  /** Indices into `detail.words` of the words the search matches. */
  hits: ReadonlySet<number>;
  /** Whether the page as prepared for Tesseract is shown beside the picture (kept while flipping pages). */
  preparedShown: boolean;
  /** The prepared page: its picture and what preprocessing did, or why there is none. */
  prepared: { url: string; steps: string[] } | null;
  preparedError: string | null;
  /** Opens a page; with a search query, the words it matches are highlighted. */
  open: (docId: number, pageNo: number, query?: string) => void;
  close: () => void;
  select: (index: number | null) => void;
  /** Shows or hides what Tesseract read beside the page. */
  togglePrepared: () => void;
}

let objectUrl: string | null = null;
const releaseImage = (): void => {
  if (objectUrl) URL.revokeObjectURL(objectUrl);
  objectUrl = null;
};

export const usePageView = create<PageViewStore>()((set, get) => ({
  target: null,
  detail: null,
  imageUrl: null,
  imageError: null,
  error: null,
  selected: null,
  highlight: null,
  hits: new Set(),
  preparedShown: false,
  prepared: null,
  preparedError: null,
  open: (docId, pageNo, query) => {
    releaseImage();
    // Flipping pages keeps the search; opening from elsewhere (the review list) clears it.
    const parsed = query === undefined ? null : parseSearch(query);
    const highlight =
      query === undefined && get().target?.docId === docId
        ? get().highlight
        : parsed?.ok
          ? parsed.query
          : null;
    set({
      target: { docId, pageNo },
      detail: null,
      imageUrl: null,
      imageError: null,
      error: null,
      selected: null,
      highlight,
      hits: new Set(),
      prepared: null,
      preparedError: null,
    });
    const still = () => get().target?.docId === docId && get().target?.pageNo === pageNo;
    if (get().preparedShown) loadPrepared(docId, pageNo, still, set);
    call('review.page', docId, pageNo).then(
      (detail) =>
        still() &&
        set({
          detail,
          hits: new Set(
            highlight
              ? matchingWords(
                  detail.words.map((w) => w.text),
                  highlight,
                )
              : [],
          ),
        }),
      (e: unknown) => still() && set({ error: e instanceof Error ? e.message : String(e) }),
    );
    loadImage(docId, pageNo).then(
      (url) => {
        if (still()) set({ imageUrl: url });
        else if (url.startsWith('blob:')) URL.revokeObjectURL(url);
      },
      (e: unknown) => still() && set({ imageError: e instanceof Error ? e.message : String(e) }),
    );
  },
  close: () => {
    releaseImage();
    set({
      target: null,
      detail: null,
      imageUrl: null,
      imageError: null,
      error: null,
      selected: null,
      highlight: null,
      hits: new Set(),
      prepared: null,
      preparedError: null,
    });
  },
  select: (selected) => set({ selected }),
  togglePrepared: () => {
    const shown = !get().preparedShown;
    set({ preparedShown: shown });
    const target = get().target;
    if (!shown || !target || get().prepared) return;
    const { docId, pageNo } = target;
    loadPrepared(docId, pageNo, () => get().target?.docId === docId && get().target?.pageNo === pageNo, set);
  },
}));

/**
 * The page as prepared for Tesseract, through the contract in both hosts (its steps come with it):
 * a worker prepares it again with the document's options, so it takes a moment.
 */
function loadPrepared(
  docId: number,
  pageNo: number,
  still: () => boolean,
  set: (patch: Partial<PageViewStore>) => void,
): void {
  set({ preparedError: null });
  call('review.pageImage', docId, pageNo, 'prepared').then(
    (image) =>
      still() &&
      set({ prepared: { url: `data:${image.mime};base64,${image.base64}`, steps: image.steps ?? [] } }),
    (e: unknown) => still() && set({ preparedError: e instanceof Error ? e.message : String(e) }),
  );
}

/**
 * The page picture: in the desktop app through the contract (base64 in a data URL), in a browser
 * over HTTP from `bulk-ocr serve` (the session cookie carries the token), kept as a blob URL.
 */
async function loadImage(docId: number, pageNo: number): Promise<string> {
  if (isDesktop()) {
    const image = await call('review.pageImage', docId, pageNo);
    return `data:${image.mime};base64,${image.base64}`;
  }
  const response = await fetch(`${PAGE_IMAGE_PATH}?doc=${docId}&page=${pageNo}`);
  if (!response.ok) throw new Error((await response.text()).trim() || `HTTP ${response.status}`);
  releaseImage();
  objectUrl = URL.createObjectURL(await response.blob());
  return objectUrl;
}

/** Confidence bands the boxes are coloured by (the review list flags pages under 60). */
export type ConfidenceBand = 'high' | 'medium' | 'low';

export function confidenceBand(confidence: number): ConfidenceBand {
  if (confidence >= 85) return 'high';
  if (confidence >= 60) return 'medium';
  return 'low';
}

/**
 * A word's box as percentages of the page, so it lands on the picture at any display size: the
 * boxes are in pixels of the page at recognition size (`width` × `height`), the picture is the
 * same page smaller.
 */
export function boxPercent(
  word: Word,
  width: number,
  height: number,
): { left: number; top: number; width: number; height: number } {
  return {
    left: (word.x0 / width) * 100,
    top: (word.y0 / height) * 100,
    width: ((word.x1 - word.x0) / width) * 100,
    height: ((word.y1 - word.y0) / height) * 100,
  };
}
