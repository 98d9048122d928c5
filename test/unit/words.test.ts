import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { displayPath } from '../../src/main/cli/display.ts';
import { describe, expect, it } from 'vitest';
import { addedSentence, count, STATE_WORDS } from '../../src/shared/words.ts';
import { languageName } from '../../src/shared/languages.ts';
import { installedLanguages } from '../../src/main/engine/settings.ts';

/** The words the CLI, the window and the README share. */
describe('language names', () => {
  it('names every pack as a person would, not by its code', () => {
    expect(languageName('heb')).toBe('Hebrew');
    expect(languageName('eng')).toBe('English');
    expect(languageName('deu')).toBe('German');
    expect(languageName('chi_sim')).toBe('Chinese (simplified)');
    expect(languageName('aze_cyrl')).toBe('Azerbaijani (Cyrillic)');
    expect(languageName('ita_old')).toBe('Italian (old)');
    expect(languageName('script/Latin')).toBe('Latin script');
    expect(languageName('osd')).toBe('Orientation and script detection');
    // A code nobody knows is shown as itself rather than guessed.
    expect(languageName('qqq')).toBe('qqq');
  });

  it('every installed pack has a name that is not its code ("Hebrew", not "heb (heb)")', () => {
    const installed = installedLanguages();
    expect(installed.map((l) => l.code)).toContain('heb');
    for (const l of installed) expect(l.name, l.code).not.toBe(l.code);
  });
});

describe('state words', () => {
  const usage = readFileSync(resolve(import.meta.dirname, '../../docs/usage.md'), 'utf8');

  it('the docs list every state the window and bulk-ocr status show, with the same meaning', () => {
    for (const [state, w] of Object.entries(STATE_WORDS)) {
      const row = new RegExp(`^\\|\\s*${w.label}\\s*\\|\\s*(.+?)\\s*\\|$`, 'm').exec(usage);
      expect(row, `docs/usage.md has a row for ${w.label}`).not.toBeNull();
      // "Queued" is two states (opened or not), one row explains both.
      if (w.label !== 'Queued') expect(row![1], state).toBe(w.meaning);
    }
  });

  it('"Queued" and "Waiting" are not two words for one thing', () => {
    expect(STATE_WORDS.new.label).toBe(STATE_WORDS.queued.label);
    for (const w of Object.values(STATE_WORDS)) expect(w.label).not.toMatch(/waiting/i);
  });
});

describe('what adding files says', () => {
  it('files already done are called done, not "already queued"', () => {
    expect(addedSentence({ created: 0, alreadyDone: 11, alreadyQueued: 0 })).toBe(
      'Nothing new to add: 11 files were already done.',
    );
    expect(addedSentence({ created: 2, alreadyDone: 1, alreadyQueued: 3 })).toBe(
      'Added 2 new files: 1 file was already done, 3 files are already in the queue.',
    );
    expect(addedSentence({ created: 1, alreadyDone: 0, alreadyQueued: 0 })).toBe('Added 1 new file.');
  });

  it('counts with real plurals', () => {
    expect(count(1, 'page')).toBe('1 page');
    expect(count(0, 'page')).toBe('0 pages');
    expect(count(1204, 'file')).toBe('1,204 files');
  });
});

describe('paths printed back', () => {
  it('inside the current folder relative, anywhere else absolute (never ../ocr-other)', () => {
    expect(displayPath('samples/letter.pdf', '/home/u/work')).toBe('samples/letter.pdf');
    expect(displayPath('../ocr-other', '/home/u/work')).toBe('/home/u/ocr-other');
    expect(displayPath('/tmp/ocr', '/home/u/work')).toBe('/tmp/ocr');
  });

  it('bulk-ocr status names a queue given as ../q.db by its absolute path', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'bulk-ocr-words-'));
    try {
      const r = spawnSync(
        process.execPath,
        [resolve(import.meta.dirname, '../../bin/bulk-ocr.js'), 'status', '--db', '../q.db'],
        {
          cwd,
          encoding: 'utf8',
        },
      );
      expect(r.stdout).toContain(`No queue yet at ${resolve(cwd, '../q.db')}.`);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
