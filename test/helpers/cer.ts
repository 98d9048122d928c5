/**
 * Character error rate with the same normalisation as the corpus scorer (corpus/cer.py): every
 * run of whitespace becomes one space, ends trimmed; then Levenshtein distance over characters
 * (code points) divided by the ground truth's length.
 */
export function normalizeForCer(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

export function levenshtein(a: readonly string[], b: readonly string[]): number {
  if (a.length < b.length) return levenshtein(b, a);
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (ai === b[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, previous[j] + 1, current[j - 1] + 1);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

/** Character error rate of `ocr` against `groundTruth`: errors and the rate. */
export function cer(groundTruth: string, ocr: string): { errors: number; chars: number; rate: number } {
  const gt = [...normalizeForCer(groundTruth)];
  const out = [...normalizeForCer(ocr)];
  const errors = levenshtein(gt, out);
  return {
    errors,
    chars: gt.length,
    rate: gt.length === 0 ? (out.length === 0 ? 0 : 1) : errors / gt.length,
  };
}

/** The ground truth of one page (pages are separated by form feeds). */
export function groundTruthPage(groundTruth: string, pageNumber: number): string {
  return groundTruth.split('\f')[pageNumber - 1] ?? '';
}
