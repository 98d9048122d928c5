/** `--format` as a user types it, and what the CLI says about where the files go. */
import { describe, expect, it } from 'vitest';
import { outputsLine } from '../../src/main/cli/display.ts';
import { parseFormats } from '../../src/main/cli/options.ts';

describe('--format', () => {
  it('takes any of txt, pdf, alto and hocr, in any order, once each', () => {
    expect(parseFormats(undefined)).toEqual(['txt', 'pdf']);
    expect(parseFormats('txt,pdf,alto,hocr')).toEqual(['txt', 'pdf', 'alto', 'hocr']);
    expect(parseFormats('ALTO+hocr, alto')).toEqual(['alto', 'hocr']);
  });

  it('refuses anything else, naming what it takes', () => {
    expect(() => parseFormats('txt,docx')).toThrow(
      /takes a list of txt, pdf, alto, hocr.*"docx" is not a format/,
    );
    expect(() => parseFormats(',')).toThrow(/at least one of: txt, pdf, alto, hocr/);
  });

  it('says the file names next to the source, ALTO and hOCR included', () => {
    expect(outputsLine(null, ['pdf', 'alto', 'hocr'])).toContain(
      'as NAME.ocr.pdf, NAME.ocr.alto.xml and NAME.ocr.hocr',
    );
  });
});
