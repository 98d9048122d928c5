/**
 * Argument schemas, one per API method: what arrives from a window or a browser is checked here
 * before anything reaches the engine. Each schema validates the whole argument array (a tuple).
 */
import { z } from 'zod';
import type { ApiMethod } from '../../shared/api.ts';
import { DOCUMENT_STATES, OUTPUT_FORMATS, type OutputFormat } from '../../shared/model.ts';
import {
  MAX_IMAGE_MPIXELS_RANGE,
  MAX_IMAGE_MPIXELS_RULE,
  MAX_PAGES_RANGE,
  MAX_PAGES_RULE,
} from '../engine/settings.ts';

const ids = z.array(z.number().int().positive()).max(100_000);
const priority = z.number().int().min(0).max(9);
const noArgs = z.tuple([]);
const outputFormat = z.enum(OUTPUT_FORMATS as [OutputFormat, ...OutputFormat[]]);

const settingsPatch = z
  .object({
    languages: z
      .array(z.string().regex(/^[a-z]{3}(?:_[a-z]+)?$/, 'a Tesseract language code such as eng'))
      .min(1)
      .max(8),
    dpi: z.number().int().min(72).max(1200),
    mode: z.enum(['auto', 'force']),
    formats: z.array(outputFormat).min(1),
    outDir: z.string().min(1).max(4096).nullable(),
    outputPlaceChosen: z.boolean(),
    overwrite: z.boolean(),
    workers: z.number().int().min(1).max(64).nullable(),
    maxPages: z
      .number({ error: MAX_PAGES_RULE })
      .int({ error: MAX_PAGES_RULE })
      .min(MAX_PAGES_RANGE.min, { error: MAX_PAGES_RULE })
      .max(MAX_PAGES_RANGE.max, { error: MAX_PAGES_RULE }),
    maxImageMpixels: z
      .number({ error: MAX_IMAGE_MPIXELS_RULE })
      .int({ error: MAX_IMAGE_MPIXELS_RULE })
      .min(MAX_IMAGE_MPIXELS_RANGE.min, { error: MAX_IMAGE_MPIXELS_RULE })
      .max(MAX_IMAGE_MPIXELS_RANGE.max, { error: MAX_IMAGE_MPIXELS_RULE }),
    clusterRedis: z.string().min(1).max(2048).nullable(),
  })
  .partial()
  .strict();

/** A watched folder's options; every field optional (a patch, or what "Watch folder…" overrides). */
const watchOptionsPatch = z
  .object({
    recursive: z.boolean(),
    ocr: z
      .object({
        languages: settingsPatch.shape.languages.unwrap(),
        dpi: z.number().int().min(72).max(1200),
        mode: z.enum(['auto', 'force']),
        rotate: z.boolean().optional(),
        deskew: z.boolean().optional(),
        removeRules: z.boolean().optional(),
        estimateDpi: z.boolean().optional(),
        correctPhotos: z.boolean().optional(),
        despeckle: z.boolean().optional(),
      })
      .strict(),
    formats: z.array(outputFormat).min(1).max(OUTPUT_FORMATS.length),
    outDir: z.string().min(1).max(4096).nullable(),
    priority: priority.nullable(),
    after: z.enum(['leave', 'move']),
    detection: z.enum(['auto', 'events', 'polling']),
  })
  .partial()
  .strict();
const watchId = z.number().int().positive();

const docId = z.number().int().positive();
const pageNo = z.number().int().positive();

const exportOptions = z
  .object({
    formats: z.array(outputFormat).min(1).max(OUTPUT_FORMATS.length),
    destination: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('next-to-source') }).strict(),
      z.object({ kind: z.literal('folder'), path: z.string().min(1).max(4096) }).strict(),
    ]),
    ifExists: z.enum(['skip', 'overwrite', 'suffix']),
  })
  .strict();

const filter = {
  states: z.array(z.enum(DOCUMENT_STATES as [string, ...string[]])).optional(),
  search: z.string().max(500).optional(),
  sort: z.enum(['queue', 'name', 'added', 'state', 'progress']).optional(),
  descending: z.boolean().optional(),
};

export const schemas = {
  'app.version': noArgs,
  'app.diagnostics': noArgs,
  'queue.counts': noArgs,
  'queue.status': noArgs,
  'queue.list': z.tuple([
    z
      .object({
        ...filter,
        offset: z.number().int().min(0),
        limit: z.number().int().min(0).max(500),
      })
      .strict(),
  ]),
  'queue.ids': z.tuple([z.object(filter).strict()]),
  'queue.add': z.tuple([
    z
      .object({
        paths: z.array(z.string().min(1).max(4096)).min(1).max(1_000),
        priority: priority.optional(),
      })
      .strict(),
  ]),
  'queue.pause': z.tuple([ids]),
  'queue.resume': z.tuple([ids]),
  'queue.cancel': z.tuple([ids]),
  'queue.retry': z.tuple([ids]),
  'queue.remove': z.tuple([ids]),
  'queue.setPriority': z.tuple([ids, priority]),
  'queue.shiftPriority': z.tuple([ids, z.number().int().min(-9).max(9)]),
  'queue.setPaused': z.tuple([z.boolean()]),
  'review.failures': z.union([z.tuple([]), z.tuple([z.number().int().min(1).max(500)])]),
  'review.lowConfidence': z.union([z.tuple([]), z.tuple([z.number().int().min(1).max(500)])]),
  'review.failedPages': z.union([
    z.tuple([z.array(docId).max(500)]),
    z.tuple([z.array(docId).max(500), z.number().int().min(1).max(100)]),
  ]),
  'settings.get': noArgs,
  'settings.set': z.tuple([settingsPatch]),
  'settings.languages': noArgs,
  'cluster.status': noArgs,
  'app.capabilities': noArgs,
  'export.start': z.tuple([
    z
      .object({ ids: ids.optional(), allDone: z.boolean().optional(), options: exportOptions })
      .strict()
      .refine((r) => r.allDone === true || (r.ids?.length ?? 0) > 0, 'give ids or allDone'),
  ]),
  'export.batch': z.union([
    z.tuple([z.number().int().positive()]),
    z.tuple([z.number().int().positive(), z.number().int().min(1).max(1000)]),
  ]),
  'export.failures': z.union([z.tuple([]), z.tuple([z.number().int().min(1).max(500)])]),
  'export.retry': z.tuple([ids]),
  'review.page': z.tuple([docId, pageNo]),
  'review.pageImage': z.union([
    z.tuple([docId, pageNo]),
    z.tuple([docId, pageNo, z.enum(['page', 'prepared'])]),
  ]),
  'files.reveal': z.tuple([z.object({ docId, path: z.string().min(1).max(4096).optional() }).strict()]),
  'files.pickFolder': z.tuple([
    z.object({ title: z.string().max(200).optional(), multiple: z.boolean().optional() }).strict(),
  ]),
  'watch.list': noArgs,
  'watch.add': z.tuple([
    z.object({ path: z.string().min(1).max(4096), options: watchOptionsPatch.optional() }).strict(),
  ]),
  'watch.update': z.tuple([watchId, watchOptionsPatch]),
  'watch.remove': z.tuple([watchId]),
  'watch.rescan': z.tuple([watchId]),
  // The query's own limits (length, terms) are checked by the search, which says so in words.
  'search.query': z.tuple([
    z
      .object({
        query: z.string().max(100_000),
        folder: z.string().max(4096).optional(),
        from: z.string().max(40).optional(),
        to: z.string().max(40).optional(),
        offset: z.number().int().min(0).max(1_000_000).optional(),
        limit: z.number().int().min(1).max(100).optional(),
      })
      .strict(),
  ]),
  'search.status': noArgs,
} satisfies Record<ApiMethod, z.ZodType<unknown[]>>;

/**
 * The fields to blame, for `ApiError.fields`: each issue's path inside its argument (the argument's
 * index dropped: `[1, 'ocr', 'dpi']` → `ocr.dpi`) and its message; the first issue per field wins.
 */
export function issueFields(error: z.ZodError): Record<string, string> | undefined {
  const fields: Record<string, string> = {};
  for (const i of error.issues) {
    const key = i.path.slice(1).map(String).join('.');
    if (key && !(key in fields)) fields[key] = i.message;
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** A readable one-line summary of what was wrong with the arguments. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `argument ${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
