/**
 * Generated page text for the search benchmark: OCR-like English of ~2,000 characters a page,
 * deterministic per page number (page n always reads the same, so a query set can be taken from
 * pages without storing them).
 *
 * What makes it realistic enough for an index: word frequencies follow Zipf's law over a large
 * vocabulary (the corpus's own words first, in the order of their frequency there, then ~150,000
 * pronounceable invented words for the long tail), and pages carry what scanned office papers
 * carry — numbers, amounts, dates, reference codes (`INV-30687/G`), names with accents (Müller,
 * Søren), and a few OCR misreadings (`archivc`, `1etter`), each of which becomes a rare term.
 */
import { seededRandom } from '../../test/helpers/seededRandom.ts';

/** The synthetic corpus's words, most frequent first (counted over its ground truth). */
const CORPUS_WORDS =
  `the and was of in were from on a to by be for at that meeting number work between about closed
is had been last invoice total letters again rest only see section according given each should said but thanked
rose inspected would whether prepare it could before asked agreed office began temperatures soon ranged prepared
planned one next near during after rejected budget since noted not repaired records inspection its delayed
telephone room obtained kept further extended details copies can are timetable shows september reference recorded
quote published please no dated balance as all roof reported original completed archive year will which than
school percent october more generator cost bridge signed sample replaced final august shipment limited warehouse
report practical postponed northern measured archived april schedule reviewed quarterly clinic additional
regional network may july index historic checked approved annual temporary survey public manual january group
february complete collected agreement scanned modern ledger harbour delivered revised volunteers small november
june detailed database permit new central vehicles march footpath contract second catalogue reliable monday
december thursday pipeline invoices saturday narrow independent friday documents reports finance committee
tenants planning county council trees service proposal panel library audit applications wednesday trustees
students his drawings careful board research tuesday team samples project surveys measurements her trust
residents housing falls works visitors boxes amount their formally quietly carefully slowly partly parcels
quickly promptly file twice results page finally procedures background maintenance appendix risks
recommendations case review notes summary sheet overview methods findings yours street sincerely road dear
within visitor terms statement payment notice minutes log due days conditions`.split(/\s+/);

const PLACES =
  `Eastvale Marston Westbury Linden Kingsbridge Thornbury Redcliffe Millbrook Harwick Cranford Bellmoor
Ashford Stonehaven Oakridge Larkhill Greywater Wexley Northam`.split(/\s+/);
const NAMES =
  `Samuel Nadia Irene Novak Jansen Tanaka Osei Fenwick Vance Sofia Rutherford Marsh Kowalski Harlow Ruth
Thornton Lindström Lindqvist Helen Hargreaves Frank Fairbanks Blackwood Agnes Gallagher Emma Zoë Pemberton
Oliver François Moreau Müller Jürgen George Daniel Clara Castillo Whitfield Peter Martin Maria Laura José James
David Lucy Ashworth Victor Quinn Dubois Brennan Thomas Henry Duarte Okafor Søren Ærø Ñúñez Čapek`.split(
    /\s+/,
  );

const ONSETS = [
  'b',
  'c',
  'd',
  'f',
  'g',
  'h',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'w',
  'br',
  'cl',
  'dr',
  'gr',
  'pl',
  'st',
  'tr',
  'sh',
  'ch',
  'th',
  'qu',
  'sp',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ea', 'ou', 'io', 'ai', 'ie'];
const CODAS = ['', '', '', '', 'n', 'r', 's', 't', 'l', 'nd', 'st', 'rt', 'ng', 'ck', 'm', 'x'];
const SUFFIXES = ['', '', '', '', '', '', 'ed', 'ing', 's', 'er', 'tion', 'ment', 'ly', 'al', 'ity'];

/** Distinct words of the long tail: with the corpus words, a vocabulary of ~150,000. */
const TAIL_WORDS = 150_000;

/** Zipf exponent: ~1 is what English text shows. */
const ZIPF_S = 1.05;

/** OCR misreadings: a letter read as a look-alike. */
const MISREAD: Record<string, string> = { l: '1', e: 'c', o: '0', i: 'l', m: 'rn', h: 'b', n: 'u', a: 'o' };

export interface TextGenerator {
  /** The text of page `n` (0-based), ~`chars` characters, lines of ~90 separated by '\n'. */
  page(n: number): string;
  /** The vocabulary, most frequent first: queries pick their words from it by rank. */
  vocabulary: readonly string[];
}

export function textGenerator(chars = 2_000): TextGenerator {
  const vocabulary = buildVocabulary();
  // Cumulative Zipf weights, to pick a word by rank with one binary search.
  const cumulative = new Float64Array(vocabulary.length);
  let sum = 0;
  for (let r = 0; r < vocabulary.length; r++) {
    sum += 1 / Math.pow(r + 1, ZIPF_S);
    cumulative[r] = sum;
  }
  const pickWord = (rnd: () => number): string => {
    const x = rnd() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo];
  };

  function token(rnd: () => number): string {
    const k = rnd();
    if (k < 0.84) return pickWord(rnd);
    if (k < 0.9) return String(Math.floor(rnd() * (rnd() < 0.5 ? 100 : 100_000)));
    if (k < 0.92) return money(rnd);
    if (k < 0.93)
      return `${Math.floor(rnd() * 28) + 1} ${pick(MONTHS, rnd)} ${1950 + Math.floor(rnd() * 75)}`;
    if (k < 0.945) return code(rnd);
    if (k < 0.965) return pick(NAMES, rnd);
    if (k < 0.98) return pick(PLACES, rnd);
    return misread(pickWord(rnd), rnd);
  }

  return {
    vocabulary,
    page(n: number): string {
      const rnd = seededRandom(0x5eed0000 + n * 7_919);
      const lines: string[] = [];
      let line = '';
      let length = 0;
      let sentenceStart = true;
      while (length + line.length < chars) {
        let t = token(rnd);
        if (sentenceStart) t = t[0].toUpperCase() + t.slice(1);
        sentenceStart = false;
        const p = rnd();
        if (p < 0.07) {
          t += '.';
          sentenceStart = true;
        } else if (p < 0.12) t += ',';
        else if (p < 0.125) t += ';';
        if (line.length + t.length + 1 > 90) {
          lines.push(line);
          length += line.length + 1;
          line = t;
        } else line = line ? `${line} ${t}` : t;
      }
      if (line) lines.push(line);
      return lines.join('\n');
    },
  };
}

const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
);

function pick<T>(list: readonly T[], rnd: () => number): T {
  return list[Math.floor(rnd() * list.length)];
}

function money(rnd: () => number): string {
  // Formatted by hand: toLocaleString costs ~20 µs a call, a third of a page's time.
  const cents = Math.floor(rnd() * 10_000_000);
  const whole = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+$)/g, ',');
  return `${rnd() < 0.5 ? '$' : '€'}${whole}.${String(cents % 100).padStart(2, '0')}`;
}

function code(rnd: () => number): string {
  const prefix = pick(['INV', 'PO', 'REF', 'K', 'C', 'A'], rnd);
  const suffix = rnd() < 0.5 ? `/${String.fromCharCode(65 + Math.floor(rnd() * 26))}` : '';
  return `${prefix}-${10_000 + Math.floor(rnd() * 90_000)}${suffix}`;
}

function misread(word: string, rnd: () => number): string {
  const positions = [...word].map((c, i) => (MISREAD[c] ? i : -1)).filter((i) => i >= 0);
  if (positions.length === 0) return word;
  const i = pick(positions, rnd);
  return word.slice(0, i) + MISREAD[word[i]] + word.slice(i + 1);
}

function buildVocabulary(): string[] {
  const rnd = seededRandom(0x70ca8);
  const seen = new Set(CORPUS_WORDS);
  const words = [...CORPUS_WORDS];
  while (words.length < CORPUS_WORDS.length + TAIL_WORDS) {
    const syllables = rnd() < 0.55 ? 1 : rnd() < 0.85 ? 2 : 3;
    let w = '';
    for (let s = 0; s < syllables; s++) w += pick(ONSETS, rnd) + pick(VOWELS, rnd) + pick(CODAS, rnd);
    w += pick(SUFFIXES, rnd);
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return words;
}
