/**
 * Which native addon a worker accepts. An addon built before the sources changed (a checkout
 * updated without `npm ci`) must be refused with the command that fixes it, so that `auto` falls
 * back to the WASM build instead of misreading every page.
 */
import { describe, expect, it } from 'vitest';
import { addonProblem } from '../../src/main/worker/nativeTesseract.ts';

const tesseract = (version: string) => () => version;

describe('addonProblem', () => {
  it('accepts an addon of this interface over libtesseract 5', () => {
    expect(addonProblem({ interface: 2, version: tesseract('5.3.0') })).toBeNull();
  });

  it('refuses an addon built from older sources, and says how to rebuild it', () => {
    expect(addonProblem({ version: tesseract('5.3.0') })).toMatch(/older sources: run npm run build:native/);
    expect(addonProblem({ interface: 1, version: tesseract('5.3.0') })).toMatch(/npm run build:native/);
  });

  it('refuses a libtesseract that is not version 5', () => {
    expect(addonProblem({ interface: 2, version: tesseract('4.1.1') })).toBe(
      'libtesseract 4.1.1 is not version 5',
    );
  });
});
