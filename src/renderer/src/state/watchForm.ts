/**
 * The watched-folder forms ("Watch folder…" and Edit) as plain data: their values, what is wrong
 * with them (here first, then from the engine, field by field), and the options they send.
 */
import type { OutputFormat, WatchDetection, WatchFolderOptions } from '../../../shared/model.ts';
import { isAbsolutePath } from './settings.ts';

/** What the form shows: a folder's options in the shape of its fields. */
export interface WatchFormValues {
  /** '' = next to each file. */
  outDir: string;
  languages: string[];
  formats: OutputFormat[];
  /** null = by file size. */
  priority: number | null;
  recursive: boolean;
  move: boolean;
  detection: WatchDetection;
}

/** Form fields that a problem can be shown beside (`path` only in "Watch folder…"). */
export type WatchFormField = 'path' | 'outDir' | 'languages' | 'formats' | 'priority' | 'options';

export type WatchFormErrors = Partial<Record<WatchFormField, string>>;

export function valuesFromOptions(o: WatchFolderOptions): WatchFormValues {
  return {
    outDir: o.outDir ?? '',
    languages: o.ocr.languages,
    formats: o.formats,
    priority: o.priority,
    recursive: o.recursive,
    move: o.after === 'move',
    detection: o.detection,
  };
}

/** The options the form's values stand for; OCR settings it does not show are kept from `ocr`. */
export function optionsFromValues(v: WatchFormValues, ocr: WatchFolderOptions['ocr']): WatchFolderOptions {
  return {
    outDir: v.outDir.trim() || null,
    ocr: { ...ocr, languages: v.languages },
    formats: v.formats,
    priority: v.priority,
    recursive: v.recursive,
    after: v.move ? 'move' : 'leave',
    detection: v.detection,
  };
}

/** The options that differ from the stored ones (what Save sends); empty when nothing changed. */
export function optionsPatch(
  saved: WatchFolderOptions,
  next: WatchFolderOptions,
): Partial<WatchFolderOptions> {
  const patch: Partial<WatchFolderOptions> = {};
  for (const key of Object.keys(next) as (keyof WatchFolderOptions)[]) {
    if (JSON.stringify(next[key]) !== JSON.stringify(saved[key]))
      (patch as Record<string, unknown>)[key] = next[key];
  }
  return patch;
}

/** What the window can tell is wrong without asking the engine, per field. */
export function watchFormProblems(v: WatchFormValues, path?: string): WatchFormErrors {
  const errors: WatchFormErrors = {};
  if (path !== undefined) {
    if (!path.trim()) errors.path = 'Type the folder to watch.';
    else if (!isAbsolutePath(path)) errors.path = 'The folder must be a full path.';
  }
  if (v.outDir.trim() && !isAbsolutePath(v.outDir)) errors.outDir = 'The output folder must be a full path.';
  if (v.languages.length === 0) errors.languages = 'Choose at least one language.';
  if (v.formats.length === 0) errors.formats = 'Choose at least one output format.';
  return errors;
}

/**
 * The engine's refusal, field by field (`ApiError.fields`; `watch.add` names them inside
 * `options.`). Fields the form does not show land under `options`, next to the buttons.
 */
export function errorsFromApi(fields: Record<string, string> | undefined, message: string): WatchFormErrors {
  if (!fields) return { options: sentence(message) };
  const errors: WatchFormErrors = {};
  for (const [key, text] of Object.entries(fields)) {
    const [head, next] = key.replace(/^options\./, '').split('.');
    const field: WatchFormField =
      head === 'path' || head === 'outDir' || head === 'formats' || head === 'priority'
        ? head
        : head === 'ocr' && next === 'languages'
          ? 'languages'
          : 'options';
    errors[field] = errors[field] ? `${errors[field]} ${sentence(text)}` : sentence(text);
  }
  return errors;
}

/** "the output folder is a file: /x" → "The output folder is a file: /x." */
function sentence(text: string): string {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
