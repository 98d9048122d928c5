/**
 * Where "the page as the user sees it" lies in a PDF page's own coordinates.
 *
 * OCR word boxes are pixels of the raster of the *visible* page: the CropBox (clipped to the
 * MediaBox, which may have a non-zero origin), turned by /Rotate, origin top-left, y down.
 * The text layer is written in a "display space": points, origin at the bottom-left of the
 * visible page as displayed, y up. `displayToUser` is the `cm` matrix that maps display space
 * into the page's default user space, so the layer lands on the visible words whatever the
 * boxes and the rotation are.
 */

/** A rectangle in PDF user space, normalised so that x0 < x1 and y0 < y1. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A PDF transformation matrix `[a b c d e f]`: x' = a·x + c·y + e, y' = b·x + d·y + f. */
export type Matrix = [number, number, number, number, number, number];

export interface VisiblePage {
  /** The visible area in user space (CropBox ∩ MediaBox). */
  box: Box;
  /** /Rotate normalised to 0, 90, 180 or 270 (clockwise, as displayed). */
  rotate: 0 | 90 | 180 | 270;
  /** Size of the page as displayed, in points (width and height swapped for 90/270). */
  width: number;
  height: number;
  /** Display space (points, origin bottom-left of the displayed page, y up) → user space. */
  displayToUser: Matrix;
}

/** Normalises a PDF rectangle given as `[llx lly urx ury]` in any corner order. */
export function toBox(rect: readonly number[]): Box {
  const [a = 0, b = 0, c = 0, d = 0] = rect;
  return { x0: Math.min(a, c), y0: Math.min(b, d), x1: Math.max(a, c), y1: Math.max(b, d) };
}

function intersect(a: Box, b: Box): Box {
  const box = {
    x0: Math.max(a.x0, b.x0),
    y0: Math.max(a.y0, b.y0),
    x1: Math.min(a.x1, b.x1),
    y1: Math.min(a.y1, b.y1),
  };
  // A CropBox entirely outside the MediaBox is invalid; viewers then show the MediaBox.
  return box.x1 > box.x0 && box.y1 > box.y0 ? box : a;
}

/** Any multiple of 90 (negative too) → 0/90/180/270; anything else is treated as 0, as viewers do. */
export function normaliseRotation(rotate: number): 0 | 90 | 180 | 270 {
  if (!Number.isFinite(rotate) || rotate % 90 !== 0) return 0;
  return (((rotate % 360) + 360) % 360) as 0 | 90 | 180 | 270;
}

/** Computes the visible page from the raw MediaBox, optional CropBox and /Rotate. */
export function visiblePage(
  mediaBox: readonly number[],
  cropBox: readonly number[] | undefined,
  rotate: number,
): VisiblePage {
  const media = toBox(mediaBox);
  const box = cropBox ? intersect(media, toBox(cropBox)) : media;
  const r = normaliseRotation(rotate);
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  // Derivation: a display point (u, v) with v measured *down* from the displayed top-left
  // corner maps, for a clockwise rotation r, to:
  //   0: (x0 + u, y1 − v)   90: (x0 + v, y0 + u)   180: (x1 − u, y0 + v)   270: (x1 − v, y1 − u)
  // and display space uses w' = H − v (y up), H being the displayed height.
  let m: Matrix;
  switch (r) {
    case 0:
      m = [1, 0, 0, 1, box.x0, box.y0];
      break;
    case 90:
      m = [0, 1, -1, 0, box.x1, box.y0];
      break;
    case 180:
      m = [-1, 0, 0, -1, box.x1, box.y1];
      break;
    case 270:
      m = [0, -1, 1, 0, box.x0, box.y1];
      break;
  }
  const swapped = r === 90 || r === 270;
  return { box, rotate: r, width: swapped ? h : w, height: swapped ? w : h, displayToUser: m };
}

/** Applies a matrix to a point. */
export function applyMatrix(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}
