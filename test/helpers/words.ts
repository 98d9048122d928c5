import { expect } from 'vitest';
import type { PageResult } from '../../src/shared/model.ts';

/** A recognised page's words as a user's tools need them: text, a box inside the page, a confidence. */
export function expectSaneWords(result: PageResult): void {
  expect(result.words.length).toBeGreaterThan(50);
  for (const w of result.words) {
    expect(w.text.trim()).not.toBe('');
    expect(w.x0).toBeGreaterThanOrEqual(0);
    expect(w.y0).toBeGreaterThanOrEqual(0);
    expect(w.x1).toBeLessThanOrEqual(result.width);
    expect(w.y1).toBeLessThanOrEqual(result.height);
    expect(w.x1).toBeGreaterThan(w.x0);
    expect(w.y1).toBeGreaterThan(w.y0);
    expect(w.confidence).toBeGreaterThanOrEqual(0);
    expect(w.confidence).toBeLessThanOrEqual(100);
  }
}
