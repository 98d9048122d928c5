/**
 * The words the CLI, the window and the README share, so a thing has one name everywhere. Plain
 * data and functions: imported by the engine, the CLI and the renderer alike.
 */

/** `1 file`, `3 files`, `1,204 pages`: a count with its noun, never `file(s)`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

/** `were` / `was` and friends, for sentences that start with a count. */
export function verb(n: number, singular: string, plural: string): string {
  return n === 1 ? singular : plural;
}
