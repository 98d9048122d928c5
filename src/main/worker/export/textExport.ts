/** Minimal page shape the text export needs (a subset of `ExportPage`). */
export interface TextPage {
  text: string;
  failed?: boolean;
}

/**
 * The `.txt` contents of a document: each page's text, pages separated by a form feed (no form
 * feed after the last page, so N pages give N−1 form feeds, like the corpus ground truth).
 * A failed page contributes an empty page so page numbers stay aligned. Trailing line breaks of
 * a page are dropped: Tesseract ends every page with `\n`, which would otherwise sit before
 * each form feed.
 */
export function buildText(pages: readonly TextPage[]): string {
  return pages.map((p) => (p.failed ? '' : p.text.replace(/[\r\n]+$/, ''))).join('\f');
}

/** `buildText` as UTF-8 bytes (no BOM). */
export function encodeText(pages: readonly TextPage[]): Uint8Array {
  return new TextEncoder().encode(buildText(pages));
}
