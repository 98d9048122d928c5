/**
 * The photo path: a page that capture.ts finds photographed (perspective, uneven light) is cut
 * out of its surround, straightened to a rectangle and evenly lit in one resampling (warp.ts).
 * Any other page passes through untouched: this step must not change a scan.
 */
import type { Grey } from './grey.ts';
import { analyseCapture, type Point } from './capture.ts';
import { IDENTITY_MAP, pageMap, pageSize, warpAndFlatten, type PointMap } from './warp.ts';

export interface PhotoReport {
  /** Whether the page was taken for a photo and corrected. */
  applied: boolean;
  /** Why it was (perspective, uneven light), or empty. */
  reasons: string[];
  /** The page's corners in the input (top-left, top-right, bottom-right, bottom-left), when found. */
  corners: Point[] | null;
  /** Darkest paper over brightest (1 = even light). */
  evenness: number;
  /** Largest angle between the page's opposite sides, degrees (0 without an outline). */
  perspectiveDegrees: number;
}

/** Moves each corner `by` pixels towards the quad's centre, leaving the page's edge outside. */
function inset(corners: readonly Point[], by: number): Point[] {
  const cx = corners.reduce((s, p) => s + p[0], 0) / corners.length;
  const cy = corners.reduce((s, p) => s + p[1], 0) / corners.length;
  return corners.map(([x, y]) => {
    const d = Math.hypot(cx - x, cy - y);
    const k = d === 0 ? 0 : (by * Math.SQRT2) / d;
    return [x + (cx - x) * k, y + (cy - y) * k] as Point;
  });
}

/**
 * Looks at a page (`small` is its copy shrunk by `factor`) and, when it is a photo, returns it
 * corrected with the map from the corrected page back to the input; else only the report.
 */
export function correctPhoto(
  input: Grey,
  small: Grey,
  factor: number,
): { grey: Grey | null; map: PointMap | null; report: PhotoReport } {
  const capture = analyseCapture(small, factor);
  const report: PhotoReport = {
    applied: capture.isPhoto,
    reasons: capture.reasons,
    corners: capture.quad?.corners ?? null,
    evenness: Math.round(capture.light.evenness * 1000) / 1000,
    perspectiveDegrees: Math.round((capture.quad?.perspectiveDegrees ?? 0) * 100) / 100,
  };
  if (!capture.isPhoto) return { grey: null, map: null, report };
  // The fitted edges lie where the page's border is half-way between surround and paper: a
  // couple of small-copy pixels further in, nothing of the surround is left.
  const corners = capture.quad ? inset(capture.quad.corners, factor * 2) : null;
  const size = corners ? pageSize(corners) : { width: input.width, height: input.height };
  const map = corners ? pageMap(corners, size.width, size.height) : IDENTITY_MAP;
  const grey = warpAndFlatten(input, map, size.width, size.height, capture.light);
  return { grey, map, report };
}
