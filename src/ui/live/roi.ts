/**
 * The region of interest: a box drawn on the live picture, kept as fractions of the picture (0…1) so it
 * stays on the same part of the scene whatever resolution the camera gives. Pure.
 */
import type { FrameRegion } from '../../../workers/inspector-api';

/** A box in fractions of the picture: left, top, width, height. */
export interface Roi {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** A box narrower or lower than this (a fraction of the picture) is a slip of the finger, not a region. */
export const MIN_ROI_SIDE = 0.02;

const unit = (v: number) => Math.min(1, Math.max(0, v));

/** Where a pointer is on a picture drawn in `box` (client pixels), as fractions, clamped to the picture. */
export function pointOnPicture(clientX: number, clientY: number, box: { left: number; top: number; width: number; height: number }): Point {
  return { x: unit((clientX - box.left) / box.width), y: unit((clientY - box.top) / box.height) };
}

/** The box spanned by two corners dragged in any direction; null when it is too small to be meant. */
export function roiFromCorners(a: Point, b: Point): Roi | null {
  const x = unit(Math.min(a.x, b.x));
  const y = unit(Math.min(a.y, b.y));
  const width = unit(Math.max(a.x, b.x)) - x;
  const height = unit(Math.max(a.y, b.y)) - y;
  return width < MIN_ROI_SIDE || height < MIN_ROI_SIDE ? null : { x, y, width, height };
}

/** Where the arrow keys start when no box is drawn yet: the picture less a tenth on every side. */
export const KEYBOARD_START_ROI: Roi = { x: 0.1, y: 0.1, width: 0.8, height: 0.8 };

/** The box one arrow-key step on: moved by (dx, dy) or, with `resize`, its far corner moved; kept on the picture. */
export function nudgeRoi(roi: Roi, dx: number, dy: number, resize: boolean): Roi {
  if (resize) {
    const width = Math.min(1 - roi.x, Math.max(MIN_ROI_SIDE, roi.width + dx));
    const height = Math.min(1 - roi.y, Math.max(MIN_ROI_SIDE, roi.height + dy));
    return { ...roi, width, height };
  }
  return { ...roi, x: Math.min(1 - roi.width, Math.max(0, roi.x + dx)), y: Math.min(1 - roi.height, Math.max(0, roi.y + dy)) };
}

/** The region of a `width` × `height` frame a box covers (frame pixels); null (the whole frame) for no box. */
export function regionInFrame(roi: Roi | null, width: number, height: number): FrameRegion | null {
  return roi && { x: roi.x * width, y: roi.y * height, width: roi.width * width, height: roi.height * height };
}

/** A region of a picture of size `from`, on the same picture drawn at size `to`. */
export function rescaleRegion(region: FrameRegion, from: { width: number; height: number }, to: { width: number; height: number }): FrameRegion {
  const kx = to.width / from.width;
  const ky = to.height / from.height;
  return { x: region.x * kx, y: region.y * ky, width: region.width * kx, height: region.height * ky };
}
