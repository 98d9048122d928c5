/**
 * The README as a front door: short, every link leads somewhere, and the sample scans its demo
 * reads are in the repository, small, with their licence. (The demo itself runs on a fresh clone
 * in test/e2e/readme-clone.test.ts.)
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeCommands } from '../helpers/readme.ts';
import { languageName } from '../../src/shared/languages.ts';

const repo = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');

/** Relative link targets of a Markdown file (images too), without their #anchor. */
function localLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1].split('#')[0])
    .filter((t) => t !== '' && !/^[a-z]+:/.test(t));
}

describe('README.md', () => {
  it('opens with what it does, a screenshot, install, the demo, your own folder, then the tests', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    const order = ['Install', 'Try it on the samples', 'On your own folder', 'Tests'];
    expect(headings.filter((h) => order.includes(h))).toEqual(order);
    const beforeInstall = readme.slice(0, readme.indexOf('## Install'));
    expect(beforeInstall).toMatch(/searchable PDFs/);
    expect(beforeInstall).toMatch(/!\[[^\]]+\]\(docs\/screenshots\/main-window\.png\)/);
    // The demo reads only what the repository holds; the shared corpus is ours, not a reader's.
    for (const c of readmeCommands(readme, 'Try it on the samples')) expect(c).not.toMatch(/shared/);
    expect(readmeCommands(readme, 'Tests')).toEqual(['npm test']);
    expect(readme.slice(readme.indexOf('## Tests'))).toMatch(/About \d+ minutes/);
  });

  it('links only to files that exist, and so do the docs it links to', () => {
    const files = [
      'README.md',
      ...readdirSync(join(repo, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    for (const file of files) {
      const text = readFileSync(join(repo, file), 'utf8');
      for (const target of localLinks(text))
        expect(existsSync(resolve(repo, dirname(file), target)), `${file} links to ${target}`).toBe(true);
    }
  });

  it('ships the sample scans small, with their licence', () => {
    const samples = readdirSync(join(repo, 'samples')).filter((f) => /\.(pdf|jpg|tif)$/.test(f));
    expect(samples.sort()).toEqual(['letter.pdf', 'memo.tif', 'minutes.pdf', 'notice.jpg']);
    const bytes = samples.reduce((n, f) => n + statSync(join(repo, 'samples', f)).size, 0);
    expect(bytes).toBeLessThan(400_000);
    expect(readFileSync(join(repo, 'samples/LICENSE'), 'utf8')).toMatch(/CC0 1\.0/);
  });
});

describe('the language packs the README names', () => {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const packs = (deps: Record<string, string>) =>
    Object.keys(deps)
      .filter((d) => d.startsWith('@tesseract.js-data/') && d !== '@tesseract.js-data/osd')
      .map((d) => languageName(d.slice('@tesseract.js-data/'.length)));

  it('are the ones that ship (dependencies), and the test-only ones are said to be so', () => {
    const shipped =
      /\*\*How:\*\*[\s\S]*?\.\s+((?:[A-Z][a-z]+,\s+)*[A-Z][a-z]+\s+and\s+[A-Z][a-z]+)\s+ship/.exec(readme);
    expect(shipped, 'the README says which languages ship').not.toBeNull();
    const named = shipped![1].split(/,\s+|\s+and\s+/);
    expect(named.sort()).toEqual(packs(pkg.dependencies).sort());
    for (const extra of packs(pkg.devDependencies))
      expect(readme).toMatch(new RegExp(`also has ${extra}, which\\s+the tests use`));
  });
});
