import type { LowConfidencePage } from '../../../shared/model.ts';
import type { Db } from './db.ts';

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
