import { isAbsolute, relative, resolve, sep } from 'node:path';
import { OUTPUT_EXTENSIONS, type OutputFormat } from '../../shared/model.ts';

/**
 * A path as the CLI prints it: relative to the current folder when it lies inside it (a file found
 * under `samples` prints as `samples/letter.pdf`), absolute otherwise; never `../ocr-other`, which
 * a reader has to work out and which breaks as soon as they change folder.
 */
export function displayPath(p: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, p);
  const rel = relative(cwd, abs);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return abs;
  return rel;
}

/** Where a run's outputs go, in one line, said before the run starts. */
export function outputsLine(outDir: string | null, formats: readonly OutputFormat[]): string {
  const files = formats.map((f) => `NAME.ocr${OUTPUT_EXTENSIONS[f]}`);
  const names = files.length > 1 ? `${files.slice(0, -1).join(', ')} and ${files.at(-1)}` : files.join('');
  return outDir === null
    ? `Outputs go next to each file, as ${names} (--out DIR puts them in a folder of their own).`
    : `Outputs go to ${resolve(outDir)}, sub-folders mirrored.`;
}
