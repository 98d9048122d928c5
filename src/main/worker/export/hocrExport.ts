import { unionBox, type Box } from './pageLayout.ts';
import { xmlText, type StructuredDocument, type StructuredPage } from './pageStructure.ts';

/**
 * hOCR (`NAME.hocr`): XHTML with the hOCR 1.2 classes Tesseract writes, so the tools that read
 * Tesseract's hOCR read ours (OCRmyPDF's hocrtransform, hocr-tools, search engines). One file per
 * document, one `ocr_page` per page; per paragraph an `ocr_carea` holding one `ocr_par`, then
 * `ocr_line` and `ocrx_word` with `bbox` and `x_wconf`. The page says its image (`image`), its
 * size (`bbox`) and its resolution (`scan_res`); coordinates are pixels of that image.
 * Deterministic: no dates, nothing from the machine.
 */

const HEADER = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"',
  '    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
  '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">',
];

function bbox(box: Box | undefined): string | null {
  if (!box) return null;
  const r = Math.round;
  return `bbox ${r(box.x0)} ${r(box.y0)} ${r(box.x1)} ${r(box.y1)}`;
}

/** A `title` attribute from hOCR properties (none given: no attribute). */
function title(...properties: (string | null)[]): string {
  const present = properties.filter((p): p is string => p !== null);
  return present.length > 0 ? ` title="${xmlText(present.join('; '))}"` : '';
}

function pageElement(page: StructuredPage, imageName: string): string[] {
  const n = page.number;
  const size = page.width > 0 && page.height > 0 ? `bbox 0 0 ${page.width} ${page.height}` : null;
  const dpi = Math.round(page.dpi);
  const image = `image "${imageName.replace(/["\\]/g, '_')}"`;
  const props = title(image, size, `ppageno ${n - 1}`, dpi > 0 ? `scan_res ${dpi} ${dpi}` : null);
  const out = [`  <div class="ocr_page" id="page_${n}"${props}>`];
  page.blocks.forEach((block, b) => {
    const id = `${n}_${b + 1}`;
    const blockTitle = title(bbox(unionBox(block.lines.flatMap((l) => l.words))));
    out.push(`   <div class="ocr_carea" id="block_${id}"${blockTitle}>`);
    out.push(`    <p class="ocr_par" id="par_${id}"${blockTitle}>`);
    block.lines.forEach((line, l) => {
      const lineId = `${id}_${l + 1}`;
      out.push(`     <span class="ocr_line" id="line_${lineId}"${title(bbox(unionBox(line.words)))}>`);
      line.words.forEach((word, w) => {
        const wconf = word.confidence === undefined ? null : `x_wconf ${Math.round(word.confidence)}`;
        // The words of a line are separated by a space in the text, for readers that take it.
        const sep = w < line.words.length - 1 ? ' ' : '';
        out.push(
          `      <span class="ocrx_word" id="word_${lineId}_${w + 1}"${title(bbox(word.box), wconf)}>${xmlText(word.text)}</span>${sep}`,
        );
      });
      out.push('     </span>');
    });
    out.push('    </p>', '   </div>');
  });
  out.push('  </div>');
  return out;
}

/** The document's hOCR. */
export function buildHocr(doc: StructuredDocument): string {
  const scored = doc.pages.some((p) =>
    p.blocks.some((b) => b.lines.some((l) => l.words.some((w) => w.confidence !== undefined))),
  );
  const capabilities = [
    'ocr_page',
    'ocr_carea',
    'ocr_par',
    'ocr_line',
    'ocrx_word',
    ...(scored ? ['ocrp_wconf'] : []),
  ];
  const lines = [
    ...HEADER,
    ' <head>',
    `  <title>${xmlText(doc.sourceName)}</title>`,
    '  <meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>',
    '  <meta name="ocr-system" content="Bulk OCR (Tesseract)"/>',
    `  <meta name="ocr-number-of-pages" content="${doc.pages.length}"/>`,
    `  <meta name="ocr-capabilities" content="${capabilities.join(' ')}"/>`,
    ' </head>',
    ' <body>',
  ];
  for (const page of doc.pages) lines.push(...pageElement(page, doc.sourceName));
  lines.push(' </body>', '</html>');
  return lines.join('\n') + '\n';
}
