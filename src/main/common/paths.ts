/**
 * Keeping file names from untrusted places (upload names, folder contents, URLs) inside the folder
 * they belong to. A lexical check stops `..` and absolute paths; following symbolic links with
 * realpath stops a link inside the folder that points out of it.
 */
import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/** True when `candidate` is `root` or below it, by name only (no file-system access). */
export function isLexicallyInside(root: string, candidate: string): boolean {
  const rel = relative(resolve(root), resolve(candidate));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The real path of `path`, or of its deepest existing ancestor with the missing rest appended
 * (an output file, or the folders above it, may not exist yet).
 */
export async function realpathOfNearest(path: string): Promise<string> {
  let current = resolve(path);
  const missing: string[] = [];
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length > 0 ? resolve(real, ...missing.reverse()) : real;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      const parent = dirname(current);
      if (parent === current) return resolve(path);
      missing.push(current.slice(parent.length).replace(/^[/\\]/, ''));
      current = parent;
    }
  }
}

/**
 * True when `candidate` stays inside `root` both by name and once symbolic links are followed
 * (of `root` itself, and of every existing folder on the way to `candidate`).
 */
export async function isInside(root: string, candidate: string): Promise<boolean> {
  if (!isLexicallyInside(root, candidate)) return false;
  const [realRoot, realCandidate] = await Promise.all([
    realpathOfNearest(root),
    realpathOfNearest(candidate),
  ]);
  return isLexicallyInside(realRoot, realCandidate);
}
