import type { OutputReview } from '../engine/outputReview.ts';
import { count, verb } from '../../shared/words.ts';
import { displayPath } from './display.ts';

/** Paths named in one line before "and N more". */
const LISTED = 5;

function list(paths: readonly string[]): string {
  const shown = paths.slice(0, LISTED).map((p) => displayPath(p));
  return paths.length > LISTED ? `${shown.join(', ')} and ${paths.length - LISTED} more` : shown.join(', ');
}

/**
 * What a re-run says about documents it found already done, before it starts: which outputs are
 * written again and why, which are kept as someone changed them (and the flag that replaces them).
 */
export function alreadyDoneLines(alreadyDone: number, total: number, db: string, o: OutputReview): string[] {
  const lines = [
    `${alreadyDone} of ${count(total, 'file')} ${verb(alreadyDone, 'was', 'were')} already done in this queue (--db ${db}).`,
  ];
  if (o.missing.length > 0)
    lines.push(
      `Rebuilding ${count(o.missing.length, 'output')} that ${verb(o.missing.length, 'was', 'were')} missing, from the stored results (no OCR again): ${list(o.missing)}`,
    );
  if (o.replacing.length > 0)
    lines.push(
      `Replacing ${count(o.replacing.length, 'output')} changed since ${verb(o.replacing.length, 'it was', 'they were')} written (--overwrite): ${list(o.replacing)}`,
    );
  if (o.kept.length > 0)
    lines.push(
      `Kept ${count(o.kept.length, 'output')} changed since ${verb(o.kept.length, 'it was', 'they were')} written: ${list(o.kept)}. Run again with --overwrite to replace ${verb(o.kept.length, 'it', 'them')} with the recognised text.`,
    );
  if (o.missing.length + o.replacing.length + o.kept.length === 0)
    lines.push(`Their outputs are in place, as they were written.`);
  return lines;
}

/**
 * The summary's lines on what a re-run wrote again and kept: `rebuilt` and `replaced` are the
 * outputs of `o` that are there now (a rebuild that failed is reported with its document).
 */
export function rebuiltLines(
  rebuilt: readonly string[],
  replaced: readonly string[],
  kept: readonly string[],
): string[] {
  const lines: string[] = [];
  if (rebuilt.length > 0)
    lines.push(
      `Rebuilt ${count(rebuilt.length, 'output')} that ${verb(rebuilt.length, 'was', 'were')} missing, from the stored results (no OCR again).`,
    );
  if (replaced.length > 0)
    lines.push(
      `Replaced ${count(replaced.length, 'changed output')} (--overwrite), from the stored results.`,
    );
  if (kept.length > 0)
    lines.push(
      `Kept ${count(kept.length, 'output')} changed since ${verb(kept.length, 'it was', 'they were')} written: ${list(kept)} (--overwrite replaces ${verb(kept.length, 'it', 'them')}).`,
    );
  return lines;
}
