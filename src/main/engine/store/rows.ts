import type {
  DocumentRow,
  DocumentState,
  OcrOptions,
  OutputTarget,
  DocumentKind,
  DocumentSource,
} from '../../../shared/model.ts';

/** The documents table as better-sqlite3 returns it. */
export interface DocumentRecord {
  id: number;
  path: string;
  root: string;
  size: number;
  mtime_ms: number;
  sha256: string | null;
  kind: string | null;
  page_count: number | null;
  priority: number;
  state: string;
  paused: number;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  error_code: string | null;
  error_message: string | null;
  source: string;
  options: string;
  output: string;
  output_stem: string;
  outputs: string | null;
  duplicate_of: number | null;
  pages_done: number;
  pages_failed: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** The pages table as better-sqlite3 returns it. */
export interface PageRecord {
  id: number;
  doc_id: number;
  page_no: number;
  priority: number;
  paused: number;
  state: string;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  text: string | null;
  words: string | null;
  mean_confidence: number | null;
  source: string | null;
  width: number | null;
  height: number | null;
  dpi: number | null;
  timings: string | null;
  error_code: string | null;
  error_message: string | null;
  started_at: number | null;
  finished_at: number | null;
}

export function toDocumentRow(r: DocumentRecord): DocumentRow {
  return {
    id: r.id,
    path: r.path,
    root: r.root,
    size: r.size,
    kind: r.kind as DocumentKind | null,
    pageCount: r.page_count,
    pagesDone: r.pages_done,
    pagesFailed: r.pages_failed,
    priority: r.priority,
    state: r.state as DocumentState,
    paused: r.paused === 1,
    error: r.error_code ? { code: r.error_code as never, message: r.error_message ?? '' } : null,
    source: r.source as DocumentSource,
    options: JSON.parse(r.options) as OcrOptions,
    output: JSON.parse(r.output) as OutputTarget,
    outputs: r.outputs ? (JSON.parse(r.outputs) as string[]) : [],
    duplicateOf: r.duplicate_of,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}
