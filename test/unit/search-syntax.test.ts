import { describe, expect, it } from 'vitest';
import { foldForSearch, parseSearch, searchTokens, searchWords } from '../../src/shared/searchSyntax.ts';
import { makeSnippet, matchingWords } from '../../src/shared/searchMatch.ts';

/** The query a user meant, written back compactly: groups joined by space, OR inside, -exclusions. */
function show(input: string): string {
  const p = parseSearch(input);
  if (!p.ok) return `! ${p.message}`;
  const term = (t: { words: string[]; prefix: boolean }): string =>
    (t.words.length > 1 ? `"${t.words.join(' ')}"` : t.words[0]) + (t.prefix ? '*' : '');
  return [...p.query.all.map((g) => g.map(term).join('|')), ...p.query.none.map((t) => `-${term(t)}`)].join(
    ' ',
  );
}

describe('reading what a user types', () => {
  it('words, phrases, prefixes, exclusions and OR', () => {
    expect(show('invoice 30687')).toBe('invoice 30687');
    expect(show('"annual report" 2019')).toBe('"annual report" 2019');
    expect(show('invo*')).toBe('invo*');
    expect(show('"annual rep"*')).toBe('"annual rep"*');
    expect(show('invoice -paid -"second copy"')).toBe('invoice -paid -"second copy"');
    expect(show('invoice OR receipt 2019')).toBe('invoice|receipt 2019');
    expect(show('a OR b OR c')).toBe('a|b|c');
  });

  it('folds case and Latin accents the way the index does', () => {
    expect(show('MÜLLER José Søren')).toBe('muller jose søren');
    expect(foldForSearch('Ångström')).toBe('angstrom');
    expect(foldForSearch('İstanbul')).toBe('istanbul');
    // Greek keeps its accents in unicode61: so must we, or highlights would differ from hits.
    expect(foldForSearch('ελληνικά')).toBe('ελληνικά');
    expect(searchTokens('INV-30687/G').map((t) => t.folded)).toEqual(['inv', '30687', 'g']);
    // Offsets point into the text as given, whether its accents are precomposed or not.
    for (const text of ['Herr Müller, 3 €', 'Herr Mu\u0308ller, 3 €', 'İstanbul Müller']) {
      const tokens = searchTokens(text);
      expect(tokens.map((t) => t.folded)).toContain('muller');
      const m = tokens.find((t) => t.folded === 'muller')!;
      expect(text.slice(m.start, m.end).normalize('NFC')).toBe('Müller');
    }
  });

  it('anything else is text: hostile input parses to words or to a message, never throws', () => {
    const hostile = [
      '"',
      '""',
      '"unbalanced quote',
      'NEAR(',
      'NEAR(a b',
      '*',
      '**',
      ';',
      '-',
      '- -',
      '(',
      ')))',
      'a AND',
      'OR',
      'OR OR',
      'NOT',
      "'; DROP TABLE pages; --",
      'text:invoice',
      '{text}: x',
      '^start',
      'a + b',
      '\u0000',
      '\u202e',
      '',
      '   ',
      'x'.repeat(5_000),
      'a* b* c*',
    ];
    for (const h of hostile) {
      const p = parseSearch(h);
      if (p.ok) {
        for (const t of [...p.query.all.flat(), ...p.query.none])
          for (const w of t.words) expect(w).toMatch(/^[\p{L}\p{N}\p{M}]+$/u);
      } else expect(p.message).toMatch(/^[A-Z].+\.$/);
    }
    expect(show('NEAR(')).toBe('near');
    expect(show("'; DROP TABLE pages; --")).toBe('drop table pages');
    expect(show('"unbalanced quote')).toBe('"unbalanced quote"');
    expect(show('OR')).toBe('or');
    expect(show('a AND')).toBe('a and');
  });

  it('says why when there is nothing to search for', () => {
    expect(show('')).toBe('! Type a word to search for.');
    expect(show(' ; * - ')).toBe('! Type a word to search for.');
    expect(show('-paid')).toMatch(/^! Add a word to look for/);
    expect(show('a*')).toMatch(/^! Type at least 3 letters before \*/);
    expect(show('x'.repeat(1_001))).toMatch(/too long/);
    expect(show(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '))).toMatch(/too many words/);
  });
});

describe('where the terms are on a page', () => {
  const q = (s: string) => {
    const p = parseSearch(s);
    if (!p.ok) throw new Error(p.message);
    return p.query;
  };

  it('a snippet marks the hits, phrases as one mark, with … where it was cut', () => {
    const text =
      'Opening words of a long page that go on and on for a while before anything interesting.\n' +
      'Please quote reference PO-11819/B in all letters about the original warehouse of Müller.\n' +
      'Closing words that follow the passage and are not part of it at all, really not.';
    const s = makeSnippet(text, q('"original warehouse" muller'));
    const marked = s.hits.map(([a, b]) => s.text.slice(a, b));
    expect(marked).toEqual(['original warehouse', 'Müller']);
    expect(s.text.startsWith('… ')).toBe(true);
    expect(s.text).not.toContain('\n');
  });

  it('the page view highlights the words of a phrase only where they stand together', () => {
    const words = ['The', 'annual', 'report', 'and', 'the', 'report', 'annual.', 'INV-30687/G'];
    expect(matchingWords(words, q('"annual report"'))).toEqual([1, 2]);
    expect(matchingWords(words, q('30687'))).toEqual([7]);
    expect(matchingWords(words, q('repo* -annual'))).toEqual([2, 5]);
  });
});

describe('searchWords', () => {
  it('gives the folded words of searchTokens, for plain and accented text', () => {
    for (const text of [
      'INV-30687/G paid 12.5% — the Invoice, twice',
      'Jürgen Müller, Søren and José: café crème',
      'Cafe\u0301 decomposed, İstanbul, ά and ß',
      '',
    ])
      expect(searchWords(text)).toEqual(searchTokens(text).map((t) => t.folded));
  });
});
