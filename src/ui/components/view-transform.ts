/** Zoom and pan of a picture that fills its viewport at zoom 1. Pure. */

export interface ViewTransform {
  zoom: number;
  /** Offset of the picture's top-left corner in viewport pixels (≤ 0 when zoomed in). */
  x: number;
  y: number;
}

export const FIT: ViewTransform = { zoom: 1, x: 0, y: 0 };
export const MAX_ZOOM = 16;

/** Keeps the picture covering the viewport: no empty margin on any side. */
export function clampPan(t: ViewTransform, viewportWidth: number, viewportHeight: number): ViewTransform {
  const clamp = (v: number, min: number) => Math.min(0, Math.max(min, v));
  return { zoom: t.zoom, x: clamp(t.x, viewportWidth * (1 - t.zoom)), y: clamp(t.y, viewportHeight * (1 - t.zoom)) };
}

/** Zooms by `factor` keeping the point (px, py) of the viewport over the same spot of the picture. */
export function zoomAt(t: ViewTransform, factor: number, px: number, py: number, viewportWidth: number, viewportHeight: number): ViewTransform {
  const zoom = Math.min(MAX_ZOOM, Math.max(1, t.zoom * factor));
  const k = zoom / t.zoom;
  return clampPan({ zoom, x: px - (px - t.x) * k, y: py - (py - t.y) * k }, viewportWidth, viewportHeight);
}

/** The size to draw a photo at: its own, reduced to `maxSide` on the longer side when larger. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const k = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/** Index into a row-major map of the cell under a point given as fractions (0…1) of the picture. */
export function mapIndexAt(fx: number, fy: number, mapWidth: number, mapHeight: number): number {
  const col = Math.min(mapWidth - 1, Math.max(0, Math.floor(fx * mapWidth)));
  const row = Math.min(mapHeight - 1, Math.max(0, Math.floor(fy * mapHeight)));
  return row * mapWidth + col;
}
