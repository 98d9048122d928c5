/**
 * Preprocessing between rasterisation and recognition: turn the page upright (orientation),
 * straighten it (deskew) and paint out table rules, then map the recognised word boxes back onto
 * the page as the user sees it (the raster before any of this), where the exporter places them.
 *
 * Estimation runs on small binarised copies (~75 DPI for skew and line direction, ~150 DPI for
 * which way is up); the full raster is resampled at most once.
 */
import type { Word } from '../../../shared/model.ts';
import type { RasterImage } from '../ocrTypes.ts';
import {
  binarise,
  greyOf,
  makeRotation,
  otsu,
  paperLevel,
  rotateGrey,
  sampleRotatedBinary,
  shrink,
  type Grey,
  type Rotation,
} from './grey.ts';
import { estimateSkew, inkPoints, uprightVotes } from './layout.ts';
import { removeRules } from './rules.ts';
import { correctPhoto, type PhotoReport } from './photo.ts';
import type { PointMap } from './warp.ts';
import { median3, removeSpecks, SPECKLED_PER_MP, surveySpecks, type SpeckSurvey } from './specks.ts';

export interface PreprocessOptions {
  /** Detect the orientation (0/90/180/270) and recognise the page upright. */
  rotate: boolean;
  /** Straighten pages skewed by more than `MIN_DESKEW_DEGREES`. */
  deskew: boolean;
  /** Paint out table rules and other long thin lines. */
  rules: boolean;
  /**
   * Judge the resolution from the text's size: correct a DPI that is off by more than 2× and
   * upscale text too small to read. Default on.
   */
  resolution?: boolean;
  /**
   * Recognise a photographed page (perspective, uneven light) as a flat, evenly lit page: cut it
   * out of its surround, undo the perspective, divide out the light (photo.ts).
   */
  photo?: boolean;
  /** Remove isolated specks much smaller than the text's stroke on speckled pages (specks.ts). */
  despeckle?: boolean;
}

/**
 * Pages larger than this (a 30-inch poster at 300 DPI, a map) are recognised as they are: they
 * are not scanner pages, and the copies preprocessing makes (resampled page, rule mask) would
 * each cost as much memory as the page itself on top of Tesseract's own.
 */
export const MAX_PREPROCESS_PIXELS = 60_000_000;

/** Smaller skews are left alone: Tesseract copes, and resampling softens the glyphs. */
export const MIN_DESKEW_DEGREES = 0.3;
/** Largest skew searched for. */
export const MAX_SKEW_DEGREES = 10;
/** A page is turned only when at least this many text lines voted… */
const MIN_VOTING_LINES = 6;
/** …and this share of them agree. */
const MIN_AGREEMENT = 0.75;
/** Lines running vertically must give a profile this much sharper than horizontal ones. */
const VERTICAL_FACTOR = 2.5;
/** Less ink than this share of the page: blank (or nearly); nothing to estimate from. */
const MIN_INK = 0.002;
/** More "ink" than this: the global threshold split the paper (a photo, shaded corners). */
const MAX_INK = 0.5;

export interface PreprocessReport {
  /** Clockwise quarter turns applied to make the page upright (0 when not detected or off). */
  orientation: 0 | 90 | 180 | 270;
  /** Skew corrected, degrees clockwise (0 when below the threshold or off). */
  deskewDegrees: number;
  /** Rule pixels painted out. */
  rulePixels: number;
  /** What the photo path found and did (null: not looked for). */
  photo: PhotoReport | null;
  /** The speck survey and what was removed (null: not looked for). */
  specks: (SpeckSurvey & { removed: number; filled: number; median: boolean }) | null;
  /** Median x-height of the text in source pixels (0: not measured). */
  xHeight: number;
  /** DPI Tesseract is told (before upscaling), and the upscale factor. */
  dpi: number;
  scale: number;
  /** Milliseconds: decoding to grey and estimating; resampling; rule removal. */
  analyseMs: number;
  transformMs: number;
  rulesMs: number;
  /** CPU time of all of it (the process's, while Tesseract's thread is idle), ms. */
  cpuMs: number;
  /**
   * CPU time of each step, ms: getting the grey pixels (a PNG/JPEG input is decoded here),
   * estimating orientation, skew and text size, resampling, rule search and painting. On a
   * shared machine these, not the wall-clock times above, say what a step costs.
   */
  stepCpuMs: {
    grey: number;
    analyse: number;
    photo: number;
    specks: number;
    transform: number;
    rules: number;
  };
}

export interface Prepared {
  /** What to recognise: the input raster itself when nothing was changed. */
  raster: RasterImage;
  report: PreprocessReport;
  /** Maps word boxes from the recognised raster back onto the input raster. */
  mapWords(words: readonly Word[]): Word[];
}

const ms = (since: number): number => Math.round((performance.now() - since) * 10) / 10;

interface Layout {
  quarter: 0 | 1 | 2 | 3;
  angle: number;
  /** Median x-height of the text lines in source pixels; 0 when too few lines were seen. */
  xHeight: number;
  /** Otsu's ink threshold of the page (from the small copy); -1 when not computed. */
  threshold: number;
  /** Share of the small copy at or below it: above 0.5 the page has no even paper to go by. */
  inkShare: number;
}

/**
 * The resolution estimation works at: the stated one, unless that would make the page longer
 * than 17 inches (a 300-DPI scan whose file says 72 DPI). Only sampling steps and size limits
 * use it; what Tesseract is told is decided from the text's own size (see `preprocess`).
 */
export function workingDpi(width: number, height: number, dpi: number): number {
  return Math.max(dpi > 0 ? dpi : 300, Math.max(width, height) / 17);
}

/** The shrink factor of the ~75-DPI copy the estimates work on. */
export const smallFactor = (dpi: number): number => Math.max(1, Math.round(dpi / 75));

/** Decides orientation and skew from small copies of `grey`, and measures the text size. */
export function analyseLayout(
  grey: Grey,
  dpi: number,
  options: PreprocessOptions,
  small: Grey = shrink(grey, smallFactor(dpi)),
): Layout {
  const threshold = otsu(small);
  const ink = binarise(small, threshold);
  let inkCount = 0;
  for (let i = 0; i < ink.data.length; i++) inkCount += ink.data[i];
  const share = inkCount / ink.data.length;
  const none: Layout = { quarter: 0, angle: 0, xHeight: 0, threshold, inkShare: share };
  // Blank, or a photo, a dark page or a photographed page with shaded corners (Otsu then splits
  // the paper itself): no lines to go by.
  if (share < MIN_INK || share > MAX_INK) return none;

  const points = inkPoints(ink);
  const horizontal = estimateSkew(ink, false, MAX_SKEW_DEGREES, points);
  const vertical = options.rotate ? estimateSkew(ink, true, MAX_SKEW_DEGREES, points) : null;
  const isVertical = vertical !== null && vertical.score > horizontal.score * VERTICAL_FACTOR;
  const base: 0 | 1 = isVertical ? 1 : 0;
  const skew = isVertical ? vertical.angle : horizontal.angle;
  // Which way is up (and how tall the text is), measured on a ~150 DPI copy turned so that
  // lines run horizontally.
  const step = Math.max(1, Math.round(dpi / 150));
  const rotation = makeRotation(grey.width, grey.height, base, (-skew * Math.PI) / 180);
  const votes = uprightVotes(sampleRotatedBinary(grey, rotation, step, threshold), dpi / step);
  const n = votes.up + votes.down;
  const xHeight = n >= MIN_VOTING_LINES ? votes.xHeight * step : 0;
  let quarter: 0 | 1 | 2 | 3 = 0;
  let angle = horizontal.angle;
  if (options.rotate) {
    const decisive = n >= MIN_VOTING_LINES && Math.max(votes.up, votes.down) >= n * MIN_AGREEMENT;
    if (decisive) {
      quarter = (base + (votes.down > votes.up ? 2 : 0)) as 0 | 1 | 2 | 3;
      angle = skew;
    } else if (isVertical) {
      // Lines run down the page but the page does not say which way is up: leave it as it is.
      return { ...none, xHeight };
    }
  }
  if (!options.deskew || Math.abs(angle) < MIN_DESKEW_DEGREES) angle = 0;
  return { quarter, angle, xHeight, threshold, inkShare: share };
}

/** A speckled page's text at least this tall (x-height, px) also gets a 3 × 3 median. */
const MEDIAN_MIN_X_HEIGHT = 16;

/** Body text's x-height is about 0.075 in (10–12 pt type): the resolution that text implies. */
const TYPICAL_X_HEIGHT_INCHES = 0.075;
/** Text whose x-height is below this many pixels is upscaled before recognition. */
const MIN_X_HEIGHT_PX = 10;
/**
 * Text whose x-height is above this many pixels is scaled down to RECOGNITION_X_HEIGHT_PX first.
 * Tesseract's LSTM reads each line scaled to its input height (36 px for the `eng` models), which a
 * line of 16-px x-height about fills: above that the extra pixels are thrown away by the network,
 * but still paid for by Tesseract's layout analysis. On the synthetic pages (x-height 22–28 px at
 * 300 DPI) this took 6–23% of the CPU per page, with the same CER (docs/preprocessing.md).
 */
const MAX_X_HEIGHT_PX = 20;
const RECOGNITION_X_HEIGHT_PX = 16;

/**
 * What the text's size says about the resolution: the DPI to tell Tesseract (the stated one
 * unless it is off by more than 2×, as with a 300-DPI scan saved as 72 DPI) and a scale factor:
 * up for text too small for Tesseract's models (a 100-DPI fax, a screenshot), down for text larger
 * than they read (most 300-DPI scans), so recognition does not pay for pixels it cannot use.
 */
export function resolutionFix(statedDpi: number, xHeight: number): { dpi: number; scale: number } {
  if (xHeight <= 0) return { dpi: statedDpi, scale: 1 };
  const estimated = xHeight / TYPICAL_X_HEIGHT_INCHES;
  const off = statedDpi <= 0 || statedDpi > estimated * 2 || statedDpi < estimated / 2;
  const dpi = off ? Math.round(Math.min(1200, Math.max(70, estimated))) : statedDpi;
  let scale = 1;
  if (xHeight < MIN_X_HEIGHT_PX) scale = Math.min(3, Math.ceil((MIN_X_HEIGHT_PX * 1.6) / xHeight));
  else if (xHeight > MAX_X_HEIGHT_PX)
    scale = Math.max(0.25, Math.round((RECOGNITION_X_HEIGHT_PX / xHeight) * 100) / 100);
  return { dpi, scale };
}

/** A map from the recognised raster's pixels back to the input's (`inverse`), as transforms compose. */
type BackMap = (u: number, v: number) => [number, number];

function mapper(back: BackMap | null, width: number, height: number): (words: readonly Word[]) => Word[] {
  if (!back) return (words) => [...words];
  return (words) =>
    words.map((w) => {
      const corners = [back(w.x0, w.y0), back(w.x1, w.y0), back(w.x0, w.y1), back(w.x1, w.y1)];
      const xs = corners.map((c) => c[0]);
      const ys = corners.map((c) => c[1]);
      const clampX = (v: number): number => Math.min(width, Math.max(0, Math.round(v)));
      const clampY = (v: number): number => Math.min(height, Math.max(0, Math.round(v)));
      return {
        ...w,
        x0: clampX(Math.min(...xs)),
        y0: clampY(Math.min(...ys)),
        x1: clampX(Math.max(...xs)),
        y1: clampY(Math.max(...ys)),
      };
    });
}

/** Prepares one raster for recognition. With every step off, the raster passes through untouched. */
export async function preprocess(raster: RasterImage, options: PreprocessOptions): Promise<Prepared> {
  const report: PreprocessReport = {
    orientation: 0,
    deskewDegrees: 0,
    rulePixels: 0,
    xHeight: 0,
    dpi: raster.dpi,
    scale: 1,
    photo: null,
    analyseMs: 0,
    transformMs: 0,
    rulesMs: 0,
    cpuMs: 0,
    specks: null,
    stepCpuMs: { grey: 0, analyse: 0, photo: 0, specks: 0, transform: 0, rules: 0 },
  };
  const identity = (words: readonly Word[]): Word[] => [...words];
  const any = options.rotate || options.deskew || options.rules || options.resolution;
  if (!any && !options.photo && !options.despeckle) return { raster, report, mapWords: identity };
  if (raster.width * raster.height > MAX_PREPROCESS_PIXELS) return { raster, report, mapWords: identity };
  const cpu = process.cpuUsage();
  const cpuMs = (): number => {
    const used = process.cpuUsage(cpu);
    return Math.round((used.user + used.system) / 100) / 10;
  };
  let stepStart = 0;
  const stepDone = (): number => {
    const now = cpuMs();
    const step = Math.round((now - stepStart) * 10) / 10;
    stepStart = now;
    return step;
  };
  let t = performance.now();
  const input = await greyOf(raster);
  report.stepCpuMs.grey = stepDone();
  const dpi = workingDpi(input.width, input.height, raster.dpi);
  let source = input;
  let small = shrink(input, smallFactor(dpi));
  // Photo path first: everything after it measures the page, not the photo of it.
  let photoMap: PointMap | null = null;
  if (options.photo) {
    const photo = correctPhoto(input, small, smallFactor(dpi));
    report.photo = photo.report;
    if (photo.grey && photo.map) {
      source = photo.grey;
      photoMap = photo.map;
      small = shrink(source, smallFactor(dpi));
    }
    report.stepCpuMs.photo = stepDone();
  }
  let changed = photoMap !== null;
  if (options.despeckle) {
    // Before the estimates (noise hides the text lines from them) and at the source's resolution,
    // before any resampling blurs a one-pixel speck into a grey blob.
    const threshold = otsu(small);
    const survey = surveySpecks(source, threshold);
    report.specks = { ...survey, removed: 0, filled: 0, median: false };
    if (survey.darkPerMp >= SPECKLED_PER_MP) {
      const removal = removeSpecks(source, threshold, survey.maxSpeck);
      source = removal.grey;
      small = shrink(source, smallFactor(dpi));
      report.specks.removed = removal.dark;
      report.specks.filled = removal.light;
      changed = true;
    }
    report.stepCpuMs.specks = stepDone();
  }
  const layout =
    options.rotate || options.deskew || options.resolution
      ? analyseLayout(source, dpi, options, small)
      : { quarter: 0 as const, angle: 0, xHeight: 0, threshold: -1, inkShare: -1 };
  const fix = options.resolution ? resolutionFix(raster.dpi, layout.xHeight) : { dpi: raster.dpi, scale: 1 };
  report.analyseMs = ms(t);
  report.stepCpuMs.analyse = stepDone();
  report.xHeight = layout.xHeight;
  report.dpi = fix.dpi;
  report.scale = fix.scale;
  // What the speck pass leaves (specks touching letters, a little larger ones, pinholes) goes
  // under a 3 × 3 median, where the text is large enough in pixels for its thinnest strokes to
  // be 2 px or more: a 200-DPI fax's hairlines would be eaten (docs/preprocessing.md).
  if (report.specks && report.specks.removed > 0 && layout.xHeight >= MEDIAN_MIN_X_HEIGHT) {
    source = median3(source);
    report.specks.median = true;
    report.stepCpuMs.specks += stepDone();
  }
  let grey = source;
  let rotation: Rotation | null = null;
  if (layout.quarter !== 0 || layout.angle !== 0 || fix.scale !== 1) {
    t = performance.now();
    rotation = makeRotation(
      source.width,
      source.height,
      layout.quarter,
      (-layout.angle * Math.PI) / 180,
      fix.scale,
    );
    grey = rotateGrey(source, rotation, paperLevel(source));
    report.orientation = (layout.quarter * 90) as 0 | 90 | 180 | 270;
    report.deskewDegrees = layout.angle;
    report.transformMs = ms(t);
    report.stepCpuMs.transform = stepDone();
    changed = true;
  }
  if (options.rules) {
    t = performance.now();
    // The page's threshold from the analysis (resampling barely moves the grey levels).
    let threshold = layout.threshold;
    let inkShare = layout.inkShare;
    if (threshold < 0) {
      const smaller = shrink(grey, Math.max(1, Math.round((dpi * fix.scale) / 75)));
      threshold = otsu(smaller);
      let n = 0;
      for (let i = 0; i < smaller.data.length; i++) if (smaller.data[i] <= threshold) n++;
      inkShare = n / smaller.data.length;
    }
    // A photo's letters are soft: at Otsu's level their blurred edges join along a line of bold
    // text into one long thin run, which is no rule. Only its darker half counts as ink there.
    if (photoMap) threshold = Math.round((inkLevel(small, threshold) + threshold) / 2);
    // Where one threshold cannot tell ink from paper (shaded corners, a photo), a "long run of
    // ink" is paper, and painting it out would erase whole text lines: no rule removal there.
    if (inkShare <= MAX_INK) {
      // Painted in place, but never into the caller's buffer: a copy, made only when a rule
      // was found.
      let copy: Uint8Array | null = null;
      const writable = changed ? () => grey.data : () => (copy ??= new Uint8Array(grey.data));
      // Rule lengths are inches: on a photo at the resolution its text implies (its file's claim,
      // often 72 DPI, means nothing), else at the one the estimates used.
      const rulesDpi = photoMap ? fix.dpi : dpi;
      const removed = removeRules(grey, threshold, paperLevel(grey), rulesDpi * fix.scale, writable);
      if (removed.pixels > 0) {
        if (copy) grey = { ...grey, data: copy };
        changed = true;
        report.rulePixels = removed.pixels;
      }
    }
    report.rulesMs = ms(t);
    report.stepCpuMs.rules = stepDone();
  }
  report.cpuMs = cpuMs();
  if (!changed) {
    // Only the resolution was wrong: same pixels, the DPI Tesseract is told corrected.
    const same = fix.dpi === raster.dpi ? raster : { ...raster, dpi: fix.dpi };
    return { raster: same, report, mapWords: identity };
  }
  const back = composeBack(rotation, photoMap);
  return {
    raster: {
      kind: 'pixels',
      width: grey.width,
      height: grey.height,
      channels: 1,
      data: grey.data,
      dpi: fix.dpi * fix.scale,
    },
    report,
    mapWords: mapper(back, input.width, input.height),
  };
}

/** Median level of the pixels at or below `threshold` (the ink's own grey). */
function inkLevel(image: Grey, threshold: number): number {
  const hist = new Uint32Array(threshold + 1);
  let n = 0;
  for (let i = 0; i < image.data.length; i++)
    if (image.data[i] <= threshold) {
      hist[image.data[i]]++;
      n++;
    }
  let acc = 0;
  for (let t = 0; t <= threshold; t++) if ((acc += hist[t]) * 2 >= n) return t;
  return threshold;
}

/** Recognised-raster pixels → input pixels: through the rotation, then the photo's perspective. */
function composeBack(rotation: Rotation | null, photo: PointMap | null): BackMap | null {
  if (!rotation && !photo) return null;
  if (!photo) return (u, v) => rotation!.inverse(u, v);
  if (!rotation) return (u, v) => photo.inverse(u, v);
  return (u, v) => {
    const [x, y] = rotation.inverse(u, v);
    return photo.inverse(x, y);
  };
}
