import { unionBox, type Box, type LayoutWord } from './pageLayout.ts';
import { xmlText, type StructuredDocument, type StructuredPage } from './pageStructure.ts';

/**
 * ALTO 4.4 XML (`NAME.alto.xml`), the layout format digitisation platforms ingest: one file per
 * document, one `<Page>` per page, and in it the paragraphs (`TextBlock`), lines (`TextLine`)
 * and words (`String`, confidence in `WC`) with their boxes, spaces (`SP`) between them.
 *
 * Coordinates are pixels (`MeasurementUnit`) of the page as recognised: a PDF page rendered at
 * its resolution, an image's own pixels. ALTO has no resolution field, so each resolution used is
 * a `Processing` step that says it in `processingStepSettings`, and every page names its step in
 * `PROCESSINGREFS`. Valid against the ALTO 4.4 schema (test: xmllint --schema). Deterministic:
 * nothing in it depends on when or where it was written (no dates), so the same stored results
 * give the same bytes.
 */

const HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#" xmlns:xlink="http://www.w3.org/1999/xlink"' +
  ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' +
  ' xsi:schemaLocation="http://www.loc.gov/standards/alto/ns-v4# http://www.loc.gov/standards/alto/v4/alto-4-4.xsd">\n';

/** The processing step a page came from: recognised or kept, at which resolution. */
function stepOf(page: StructuredPage): { id: string; description: string; settings: string } {
  const kept = page.source === 'text-layer';
  const dpi = Math.round(page.dpi);
  const id = `${kept ? 'text_layer' : 'ocr'}_${dpi > 0 ? `${dpi}dpi` : 'unknown_resolution'}`;
  const description = kept
    ? "Text kept from the PDF's own text layer (not recognised); word boxes from its text positions"
    : 'Text recognised with Tesseract (LSTM)';
  const settings =
    dpi > 0
      ? `resolution: ${dpi} dpi; coordinates are pixels of the page image at ${dpi} pixels per inch`
      : 'resolution: not recorded; coordinates are pixels of the page image';
  return { id, description, settings };
}

/** Position attributes of a box, or none. */
function position(box: Box | undefined): string {
  if (!box) return '';
  const r = Math.round;
  return ` HPOS="${r(box.x0)}" VPOS="${r(box.y0)}" WIDTH="${r(box.x1 - box.x0)}" HEIGHT="${r(box.y1 - box.y0)}"`;
}

/** A 0–1 confidence written with at most three decimals. */
function confidence(value: number): string {
  return String(Math.round(Math.min(100, Math.max(0, value)) * 10) / 1000);
}

function stringElement(word: LayoutWord, id: string): string {
  const wc = word.confidence === undefined ? '' : ` WC="${confidence(word.confidence)}"`;
  return `<String ID="${id}" CONTENT="${xmlText(word.text)}"${position(word.box)}${wc}/>`;
}

/** The space between two words of a line: its box where both words have one. */
function spaceElement(before: LayoutWord, after: LayoutWord): string {
  if (!before.box || !after.box || after.box.x0 <= before.box.x1) return '<SP/>';
  const r = Math.round;
  const vpos = Math.min(before.box.y0, after.box.y0);
  return `<SP HPOS="${r(before.box.x1)}" VPOS="${r(vpos)}" WIDTH="${r(after.box.x0 - before.box.x1)}"/>`;
}

function pageElement(page: StructuredPage): string[] {
  const p = `p${page.number}`;
  const size = page.width > 0 && page.height > 0;
  const words = page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
  const scored = words.filter((w) => w.confidence !== undefined);
  const pc =
    scored.length > 0
      ? ` PC="${confidence(scored.reduce((sum, w) => sum + w.confidence!, 0) / scored.length)}"`
      : '';
  const dims = size ? ` WIDTH="${page.width}" HEIGHT="${page.height}"` : '';
  const refs = page.failed ? '' : ` PROCESSINGREFS="${stepOf(page).id}"`;
  const open = `    <Page ID="${p}" PHYSICAL_IMG_NR="${page.number}"${dims}${refs}${pc}`;
  if (page.blocks.length === 0) return [`${open}/>`];
  const out = [`${open}>`, `      <PrintSpace${size ? ` HPOS="0" VPOS="0"${dims}` : ''}>`];
  page.blocks.forEach((block, b) => {
    const blockId = `${p}_b${b + 1}`;
    const blockBox = unionBox(block.lines.flatMap((l) => l.words));
    out.push(`        <TextBlock ID="${blockId}"${position(blockBox)}>`);
    block.lines.forEach((line, l) => {
      const lineId = `${blockId}_l${l + 1}`;
      out.push(`          <TextLine ID="${lineId}"${position(unionBox(line.words))}>`);
      line.words.forEach((word, w) => {
        if (w > 0) out.push(`            ${spaceElement(line.words[w - 1], word)}`);
        out.push(`            ${stringElement(word, `${lineId}_w${w + 1}`)}`);
      });
      out.push('          </TextLine>');
    });
    out.push('        </TextBlock>');
  });
  out.push('      </PrintSpace>', '    </Page>');
  return out;
}

/** The document's ALTO XML. */
export function buildAlto(doc: StructuredDocument): string {
  const steps = new Map<string, ReturnType<typeof stepOf>>();
  for (const page of doc.pages) if (!page.failed) steps.set(stepOf(page).id, stepOf(page));
  const lines = [
    '  <Description>',
    '    <MeasurementUnit>pixel</MeasurementUnit>',
    '    <sourceImageInformation>',
    `      <fileName>${xmlText(doc.sourceName)}</fileName>`,
    '    </sourceImageInformation>',
  ];
  for (const step of steps.values())
    lines.push(
      `    <Processing ID="${step.id}">`,
      '      <processingCategory>contentGeneration</processingCategory>',
      `      <processingStepDescription>${xmlText(step.description)}</processingStepDescription>`,
      `      <processingStepSettings>${xmlText(step.settings)}</processingStepSettings>`,
      '      <processingSoftware>',
      '        <softwareName>Bulk OCR</softwareName>',
      '      </processingSoftware>',
      '    </Processing>',
    );
  lines.push('  </Description>', '  <Layout>');
  for (const page of doc.pages) lines.push(...pageElement(page));
  lines.push('  </Layout>', '</alto>');
  return HEADER + lines.join('\n') + '\n';
}
