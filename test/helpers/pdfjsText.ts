import { readFileSync } from 'node:fs';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * What pdf.js, the PDF engine of Firefox and of many web viewers, makes of a PDF's text: the
 * text content its viewer's copy and find are built on, and its viewer's own find controller
 * (PDFFindController from pdfjs-dist/web/pdf_viewer.mjs), run headless.
 */

/** Opens a PDF; `close` releases pdf.js's document and worker. */
async function open(file: string): Promise<{ doc: pdfjs.PDFDocumentProxy; close: () => Promise<void> }> {
  const task = pdfjs.getDocument({ data: new Uint8Array(readFileSync(file)), useSystemFonts: false });
  return { doc: await task.promise, close: () => task.destroy() };
}

/** Each page's text as pdf.js extracts it: the items' strings, a newline where it marks a line end. */
export async function pdfjsPageTexts(file: string): Promise<string[]> {
  const { doc, close } = await open(file);
  try {
    const pages: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent();
      pages.push(
        content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''),
      );
    }
    return pages;
  } finally {
    await close();
  }
}

type Viewer = typeof import('pdfjs-dist/web/pdf_viewer.mjs');
let viewer: Promise<Viewer> | null = null;

/**
 * The viewer module expects a browser at load time (it reads document.documentElement.style and
 * measures a div once); the find controller itself only needs an event bus and a page count.
 */
function loadViewer(): Promise<Viewer> {
  const g = globalThis as Record<string, unknown>;
  g.pdfjsLib ??= pdfjs;
  const element = () => ({
    style: {},
    classList: { add() {}, remove() {}, toggle() {} },
    setAttribute() {},
    append() {},
  });
  g.window ??= { requestAnimationFrame() {}, addEventListener() {}, removeEventListener() {} };
  g.document ??= { documentElement: { style: { setProperty() {} } }, createElement: element };
  viewer ??= import('pdfjs-dist/web/pdf_viewer.mjs');
  return viewer;
}

/** For each query, the number of matches pdf.js's find finds on each page (as the find bar would). */
export async function pdfjsFind(file: string, queries: readonly string[]): Promise<number[][]> {
  const { EventBus, PDFFindController } = await loadViewer();
  const { doc, close } = await open(file);
  try {
    const results: number[][] = [];
    for (const query of queries) {
      const eventBus = new EventBus();
      const linkService = { pagesCount: doc.numPages, page: 1 };
      const finder = new PDFFindController({ linkService: linkService as never, eventBus });
      finder.setDocument(doc);
      const settled = new Promise<void>((resolve) =>
        eventBus.on('updatefindcontrolstate', (e: { state: number }) => {
          if (e.state !== 3) resolve(); // 3: pending
        }),
      );
      eventBus.dispatch('find', {
        source: null,
        type: '',
        query,
        caseSensitive: false,
        entireWord: false,
        highlightAll: true,
        findPrevious: false,
        matchDiacritics: false,
      });
      await settled;
      const internal = finder as unknown as { _extractTextPromises: Promise<void>[] };
      await Promise.all(internal._extractTextPromises);
      await new Promise((r) => setTimeout(r, 0));
      const matches = (finder.pageMatches ?? []) as (number[] | undefined)[];
      results.push(matches.map((m) => m?.length ?? 0));
    }
    return results;
  } finally {
    await close();
  }
}
