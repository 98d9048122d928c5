import { describe, expect, it } from 'vitest';
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
