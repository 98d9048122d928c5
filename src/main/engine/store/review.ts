import type { ErrorCode, LowConfidencePage, OcrOptions, PageState, Word } from '../../../shared/model.ts';
import type { FailedPage, PageDetail } from '../../../shared/api.ts';
import type { Db } from './db.ts';
import type { PageRecord } from './rows.ts';

/** Below this mean word confidence a page is flagged whatever its neighbours score. */
export const LOW_CONFIDENCE = 60;
/** A page this many points below its document's mean is flagged too (a smudged or misfed sheet). */
export const BELOW_DOCUMENT_MEAN = 20;

/**
 * Recognised pages worth a person's look, lowest confidence first: under `LOW_CONFIDENCE`, or
 * `BELOW_DOCUMENT_MEAN` points under their document's mean. Pages that kept their own text layer and
 * pages where nothing was read (blank sheets) are left out.
 */
export function lowConfidencePages(db: Db, limit: number, docIds?: readonly number[]): LowConfidencePage[] {
  const only = docIds ? `AND p.doc_id IN (${docIds.map(() => '?').join(',')})` : '';
  return db
    .prepare(
      `WITH recognised AS (
         SELECT doc_id, page_no, mean_confidence FROM pages
         WHERE state = 'done' AND source = 'ocr' AND mean_confidence IS NOT NULL AND length(trim(text)) > 0
       ), means AS (
         SELECT doc_id, avg(mean_confidence) AS mean FROM recognised GROUP BY doc_id
       )
       SELECT p.doc_id AS docId, d.path, p.page_no AS pageNo, p.mean_confidence AS confidence, m.mean AS documentMean
       FROM recognised p JOIN means m ON m.doc_id = p.doc_id JOIN documents d ON d.id = p.doc_id
       WHERE (p.mean_confidence < ? OR p.mean_confidence < m.mean - ?) ${only}
       ORDER BY p.mean_confidence, p.doc_id, p.page_no LIMIT ?`,
    )
    .all(LOW_CONFIDENCE, BELOW_DOCUMENT_MEAN, ...(docIds ?? []), limit) as LowConfidencePage[];
}

/** A page as the page view shows it (a duplicate's pages are its original's), or null. */
export function pageDetail(db: Db, docId: number, pageNo: number): PageDetail | null {
  const doc = db
    .prepare('SELECT id, path, page_count, duplicate_of FROM documents WHERE id = ?')
    .get(docId) as
    { id: number; path: string; page_count: number | null; duplicate_of: number | null } | undefined;
  if (!doc) return null;
  const p = db
    .prepare('SELECT * FROM pages WHERE doc_id = ? AND page_no = ?')
    .get(doc.duplicate_of ?? docId, pageNo) as PageRecord | undefined;
  if (!p) return null;
  const words = p.words
    ? (JSON.parse(p.words) as [string, number, number, number, number, number][]).map(
        ([text, x0, y0, x1, y1, confidence]): Word => ({ text, x0, y0, x1, y1, confidence }),
      )
    : [];
  return {
    docId,
    path: doc.path,
    pageNo,
    pageCount: doc.page_count ?? 0,
    state: p.state as PageState,
    source: (p.source as PageDetail['source']) ?? null,
    text: p.text ?? '',
    words,
    width: p.width ?? 0,
    height: p.height ?? 0,
    meanConfidence: p.mean_confidence,
    error: p.error_code ? { code: p.error_code as ErrorCode, message: p.error_message ?? '' } : null,
  };
}

/**
 * Geometry of a page as recognised, for rendering its picture at a matching scale; with the
 * document's OCR options and where the page's text came from, for drawing it as it was prepared.
 */
export function pageGeometry(
  db: Db,
  docId: number,
  pageNo: number,
): {
  path: string;
  kind: string | null;
  width: number;
  height: number;
  dpi: number | null;
  options: OcrOptions;
  source: PageDetail['source'];
} | null {
  const doc = db
    .prepare('SELECT path, kind, options, duplicate_of FROM documents WHERE id = ?')
    .get(docId) as
    { path: string; kind: string | null; options: string; duplicate_of: number | null } | undefined;
  if (!doc) return null;
  const p = db
    .prepare('SELECT width, height, dpi, source FROM pages WHERE doc_id = ? AND page_no = ?')
    .get(doc.duplicate_of ?? docId, pageNo) as
    { width: number | null; height: number | null; dpi: number | null; source: string | null } | undefined;
  if (!p) return null;
  return {
    path: doc.path,
    kind: doc.kind,
    width: p.width ?? 0,
    height: p.height ?? 0,
    dpi: p.dpi,
    options: JSON.parse(doc.options) as OcrOptions,
    source: (p.source as PageDetail['source']) ?? null,
  };
}

/** Pages that failed for good, with their reason, for the documents listed (a few per document). */
export function failedPages(db: Db, docIds: readonly number[], perDocument: number): FailedPage[] {
  if (docIds.length === 0) return [];
  return db
    .prepare(
      `SELECT doc_id AS docId, page_no AS pageNo, error_code AS code, error_message AS message FROM (
         SELECT p.*, row_number() OVER (PARTITION BY doc_id ORDER BY page_no) AS n FROM pages p
         WHERE p.state = 'failed' AND p.doc_id IN (${docIds.map(() => '?').join(',')}))
       WHERE n <= ? ORDER BY doc_id, page_no`,
    )
    .all(...docIds, perDocument)
    .map((r) => {
      const row = r as { docId: number; pageNo: number; code: string | null; message: string | null };
      return {
        docId: row.docId,
        pageNo: row.pageNo,
        error: { code: (row.code ?? 'INTERNAL') as ErrorCode, message: row.message ?? '' },
      };
    });
}
