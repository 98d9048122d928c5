import { PDFArray, PDFDocument, PDFName, type PDFPage, type PDFRef } from '@cantoo/pdf-lib';
import type { Word } from '../../../shared/model.ts';
import { InputError } from '../../common/errors.ts';
import { decodeImagePage, sniffImage } from '../images.ts';
import { flateStream } from './flate.ts';
import { GlyphlessFont, WIDE_SPACE_HEX, num } from './glyphlessFont.ts';
import {
  embedPixels,
  embedPngPassThrough,
  embedTiffFaxPassThrough,
  type EmbeddedImage,
} from './imageXObject.ts';
import { visiblePage } from './pageGeometry.ts';
import { buildTextLayer } from './textLayer.ts';
import { orientationMatrix, swapsAxes, type Orientation } from '../orientation.ts';
import { loadSourcePdf, pagesToLayer, saveSourcePdf } from '../pdfRepair/sourcePdf.ts';

/**
 * Searchable PDF output. PDF input: the source document is loaded and each OCRed page gets an
 * invisible text layer appended to its own content; nothing else is touched (no re-rasterising,
 * images and fonts are written back as they were), so the output is the input plus the layers.
 * Image input: one page per image page at the image's own resolution, the image drawn full page,
 * the layer on top.
 */

/** What the PDF export needs of a page (a subset of `ExportPage`). */
export interface LayerPage {
  /** The page's text: its lines are the layer's lines (pageLayout.ts). */
  text: string;
  words: readonly Word[];
  /** Size in pixels of the raster the word boxes refer to. */
  width: number;
  height: number;
  source: 'ocr' | 'text-layer';
  failed?: boolean;
}

/** Resolution assumed when an image file does not state one. */
export const DEFAULT_IMAGE_DPI = 300;

const SAVE_OPTIONS = {
  useObjectStreams: true,
  addDefaultPage: false,
  objectsPerTick: 2000,
  updateFieldAppearances: false,
} as const;

function needsLayer(page: LayerPage): boolean {
  return page.source === 'ocr' && !page.failed && page.words.length > 0 && page.width > 0 && page.height > 0;
}

/** Name of the glyphless font in this page's /Font resources, adding it if needed. */
function fontNameFor(page: PDFPage, fontRef: PDFRef): string {
  const { Font } = page.node.normalizedEntries();
  for (const [name, value] of Font.entries()) if (value === fontRef) return name.decodeText();
  let name = 'GlyphLessOCR';
  for (let i = 1; Font.has(PDFName.of(name)); i++) name = `GlyphLessOCR${i}`;
  page.node.setFontDictionary(PDFName.of(name), fontRef);
  return name;
}

/** Appends `ops` as a new content stream, after wrapping the existing content in q … Q. */
function appendContent(doc: PDFDocument, page: PDFPage, ops: string): void {
  const { context } = doc;
  const node = page.node;
  // normalize() turns a single /Contents stream into an array (and pdf-lib already wraps it in
  // q/Q); wrap once more regardless so a page that leaves its graphics state changed (a cm
  // without a Q) cannot move our layer. An extra q/Q pair is harmless.
  // A /Contents array may be shared with other pages (it can be an indirect object): this page
  // gets its own copy, or every page sharing it would get this page's layer too.
  const contents = context.lookup(node.get(PDFName.of('Contents')));
  if (contents instanceof PDFArray) node.set(PDFName.of('Contents'), context.obj(contents.asArray()));
  node.normalize();
  node.wrapContentStreams(
    context.getPushGraphicsStateContentStream(),
    context.getPopGraphicsStateContentStream(),
  );
  node.addContentStream(context.register(flateStream(context, ops)));
}

/** Adds the text layer of `pages` (one per page of the source, in order) to a source PDF. */
export async function buildSearchablePdf(
  source: Uint8Array,
  pages: readonly LayerPage[],
): Promise<Uint8Array> {
  try {
    return await layeredCopy(source, pages);
  } catch (error) {
    throw inWords(error);
  }
}

/**
 * What pdf-lib throws on a structure it cannot copy ("Expected instance of PDFDict, but got
 * instance of undefined", a stack overflow on absurd nesting) is about the file, not a bug to
 * show as INTERNAL: said in words, with pdf-lib's own words as the detail.
 */
function inWords(error: unknown): unknown {
  if (error instanceof InputError || !(error instanceof Error)) return error;
  const detail =
    error instanceof RangeError && /call stack/i.test(error.message)
      ? 'its objects nest or refer to each other too deeply'
      : error.message;
  return new InputError(
    'DAMAGED_FILE',
    `the searchable PDF cannot be written: the PDF has a structure that cannot be copied (${detail})`,
  );
}

async function layeredCopy(source: Uint8Array, pages: readonly LayerPage[]): Promise<Uint8Array> {
  const doc = await loadSourcePdf(source);
  const docPages = pagesToLayer(doc, source, pages.length);
  const font = new GlyphlessFont(doc);
  let used = false;
  docPages.forEach((page, i) => {
    const result = pages[i];
    if (!needsLayer(result)) return;
    used = true; // the font is referenced from here on, even if the layer ends up empty
    const media = page.getMediaBox();
    const crop = page.getCropBox();
    const visible = visiblePage(
      [media.x, media.y, media.x + media.width, media.y + media.height],
      [crop.x, crop.y, crop.x + crop.width, crop.y + crop.height],
      page.getRotation().angle,
    );
    const ops = buildTextLayer({
      text: result.text,
      words: result.words,
      rasterWidth: result.width,
      rasterHeight: result.height,
      pageWidth: visible.width,
      pageHeight: visible.height,
      displayToUser: visible.displayToUser,
      fontName: fontNameFor(page, font.ref),
      encode: (text) => font.encode(text),
      wideSpace: WIDE_SPACE_HEX,
    });
    if (ops) appendContent(doc, page, ops);
  });
  if (used) font.finish();
  return saveSourcePdf(doc);
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function isPng(bytes: Uint8Array): boolean {
  return bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

async function embedImagePage(
  doc: PDFDocument,
  source: Uint8Array,
  index: number,
): Promise<EmbeddedImage & { dpiX: number; dpiY: number; orientation: Orientation }> {
  const info = sniffImage(source);
  if (!info) throw new InputError('UNSUPPORTED_FORMAT', 'the file is not a supported image');
  const dpiX = info.dpiX ?? info.dpiY ?? DEFAULT_IMAGE_DPI;
  const dpiY = info.dpiY ?? info.dpiX ?? DEFAULT_IMAGE_DPI;
  // The file's own JPEG, PNG or fax data are kept as stored, and the page draws them turned as
  // they are shown (EXIF orientation); decoded pixels are already as shown.
  const { orientation } = info;
  if (index === 0 && isJpeg(source)) {
    const jpg = await doc.embedJpg(source);
    return { ref: jpg.ref, width: jpg.width, height: jpg.height, dpiX, dpiY, orientation };
  }
  if (index === 0 && isPng(source)) {
    const direct = embedPngPassThrough(doc, source);
    if (direct) return { ...direct, dpiX, dpiY, orientation };
    const png = await doc.embedPng(source);
    return { ref: png.ref, width: png.width, height: png.height, dpiX, dpiY, orientation };
  }
  if (info.format === 'tiff') {
    // The header's resolution for every page, as the decoder gives it.
    const fax = embedTiffFaxPassThrough(doc, source, index);
    if (fax) return { ...fax, dpiX, dpiY };
  }
  const decoded = await decodeImagePage(source, index);
  return {
    ...embedPixels(doc, decoded),
    dpiX: decoded.dpiX || dpiX,
    dpiY: decoded.dpiY || dpiY,
    orientation: 1,
  };
}

/** A new PDF with one page per image page (`pages.length` of them), each with its text layer. */
export async function buildImagePdf(source: Uint8Array, pages: readonly LayerPage[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setProducer('Bulk OCR');
  const font = new GlyphlessFont(doc);
  let used = false;
  for (let i = 0; i < pages.length; i++) {
    const image = await embedImagePage(doc, source, i);
    const storedWidth = (image.width * 72) / image.dpiX;
    const storedHeight = (image.height * 72) / image.dpiY;
    const turned = swapsAxes(image.orientation);
    const width = turned ? storedHeight : storedWidth;
    const height = turned ? storedWidth : storedHeight;
    const page = doc.addPage([width, height]);
    const imageName = page.node.newXObject('Scan', image.ref).decodeText();
    const matrix = orientationMatrix(image.orientation, width, height).map(num).join(' ');
    let ops = `q ${matrix} cm /${imageName} Do Q\n`;
    const result = pages[i];
    if (needsLayer(result)) {
      used = true;
      ops += buildTextLayer({
        text: result.text,
        words: result.words,
        rasterWidth: result.width,
        rasterHeight: result.height,
        pageWidth: width,
        pageHeight: height,
        fontName: fontNameFor(page, font.ref),
        encode: (text) => font.encode(text),
        wideSpace: WIDE_SPACE_HEX,
      });
    }
    page.node.addContentStream(doc.context.register(flateStream(doc.context, ops)));
  }
  if (used) font.finish();
  return doc.save(SAVE_OPTIONS);
}
