/**
 * A stranger's first ten minutes: the repository cloned into an empty folder (no ../shared beside
 * it), then the README's "Install" and "Try it on the samples" commands run exactly as the README
 * writes them, taken from the README of the clone itself so the two cannot drift apart.
 *
 * `npm ci` really runs (it is most of this test's time, ~1 min): reusing our node_modules would
 * hide the very things a stranger trips over (a lock file the registry cannot satisfy, an install
 * script that fails, the native addon's build). Only npm's download cache is shared, as it would
 * be on any machine that has installed a package before. HOME is a fresh folder, so `~` in the
 * README's commands and the queue database of the desktop app land in it.
 *
 * The clone is of the committed HEAD: uncommitted changes are not in it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeCommands } from '../helpers/readme.ts';

const repo = resolve(import.meta.dirname, '../..');

function npmCache(): string {
  return execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
}

/**
 * The PATH of a shell on this machine: npm puts this checkout's node_modules/.bin (and with it our
 * Node 24) in front of the test's PATH; a stranger has the system's Node and npm only.
 */
function strangersPath(): string {
  const ours = join(repo, 'node_modules');
  return (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => dir !== '' && !resolve(dir).startsWith(ours))
    .join(':');
}

describe('the README on a fresh clone', () => {
  it('installs and runs the demo exactly as written, without ../shared', { timeout: 600_000 }, () => {
    const place = mkdtempSync(join(tmpdir(), 'bulk-ocr-clone-'));
    const clone = join(place, 'bulk-ocr');
    const home = join(place, 'home');
    mkdirSync(home);
    execFileSync('git', ['clone', '--quiet', repo, clone]);
    expect(existsSync(join(clone, '../shared'))).toBe(false);

    const readme = readFileSync(join(clone, 'README.md'), 'utf8');
    const install = readmeCommands(readme, 'Install');
    const demo = readmeCommands(readme, 'Try it on the samples');
    expect(install).toEqual(['npm ci']);
    expect(demo).toHaveLength(1);

    const cache = npmCache();
    const env: NodeJS.ProcessEnv = {
      PATH: strangersPath(),
      HOME: home,
      TMPDIR: place,
      LANG: 'C.UTF-8',
      npm_config_cache: cache,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      // The machine's own certificate authorities, which its npm trusts. Without them (HOME is new, and
      // npm's global config hangs off the Node that runs it) npm retries the registry for minutes
      // before it settles for its cache: this test took 5 min instead of 1.
      ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    };
    const outputs: { command: string; stdout: string; stderr: string }[] = [];
    for (const command of [...install, ...demo]) {
      const r = spawnSync('bash', ['-c', command], { cwd: clone, env, encoding: 'utf8', timeout: 480_000 });
      outputs.push({ command, stdout: r.stdout, stderr: r.stderr });
      expect(r.status, `${command}\n${r.stdout}\n${r.stderr}`).toBe(0);
    }

    // The demo said where its outputs go, before it started, as an absolute path.
    const run = outputs.at(-1)!;
    const out = join(home, 'bulk-ocr-demo');
    expect(run.stderr).toContain(`Outputs go to ${out}`);
    expect(run.stderr.indexOf(`Outputs go to ${out}`)).toBeLessThan(run.stderr.indexOf('done'));
    expect(run.stdout).toMatch(/Finished in [\d:]+: 4 of 4 files done, 5 pages/);

    // Every sample became a searchable PDF and a text file holding its words.
    expect(readdirSync(out).sort()).toEqual([
      'letter.pdf',
      'letter.txt',
      'memo.pdf',
      'memo.txt',
      'minutes.pdf',
      'minutes.txt',
      'notice.pdf',
      'notice.txt',
    ]);
    const text = (name: string): string => readFileSync(join(out, name), 'utf8');
    expect(text('letter.txt')).toContain('Thank you for your letter of 3 March');
    expect(text('minutes.txt')).toContain('Minutes of the committee meeting');
    expect(text('minutes.txt')).toContain('Summer exhibition');
    expect(text('notice.txt')).toContain('NOTICE TO READERS');
    expect(text('memo.txt')).toContain('Loan of the parish maps');
    const searchable = execFileSync('pdftotext', [join(out, 'minutes.pdf'), '-'], { encoding: 'utf8' });
    expect(searchable).toContain('Treasurer');
    expect(searchable).toContain('cataloguing project');
  });
});
