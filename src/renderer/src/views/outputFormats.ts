import { OUTPUT_EXTENSIONS, type OutputFormat } from '../../../shared/model.ts';

/** The output formats in the order the forms offer them, with the names people know them by. */
export const FORMAT_CHOICES: readonly { format: OutputFormat; label: string; file: string }[] = (
  [
    ['pdf', 'Searchable PDF'],
    ['txt', 'Plain text'],
    ['alto', 'ALTO XML'],
    ['hocr', 'hOCR'],
  ] as const
).map(([format, label]) => ({ format, label, file: OUTPUT_EXTENSIONS[format] }));

/** `NAME.ocr.pdf, NAME.ocr.txt` for the chosen formats, as written next to a source. */
export function nextToSourceNames(formats: readonly OutputFormat[]): string {
  const chosen = FORMAT_CHOICES.filter((c) => formats.includes(c.format));
  return (chosen.length > 0 ? chosen : FORMAT_CHOICES.slice(0, 2)).map((c) => `NAME.ocr${c.file}`).join(', ');
}
