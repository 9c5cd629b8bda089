/**
 * Draws a photo with its heat map into one canvas: the photo, the coloured layer (transparent at or
 * below the pixel threshold) blended at an opacity, and the outline of the region above the threshold.
 * One canvas, so what is read back from it is exactly what the inspector sees. Used by the viewer and by
 * the overlay export.
 */
import { heatRgba, type HeatScale } from './colour-map';
import { contourSegments } from './contour';

/** The longest side a photo is drawn at; larger photos are reduced (the map is coarser anyway). */
export const MAX_DRAWN_SIDE = 2048;

/** A map in good-σ units, row-major [mapHeight × mapWidth] (a PhotoResult is one). */
export interface HeatMap {
  anomalyMap: Float32Array;
  mapWidth: number;
  mapHeight: number;
}

/** A heat map made ready to draw over and over: coloured at map resolution, outline traced. */
export interface HeatLayer {
  image: OffscreenCanvas;
  contour: Float32Array;
}

export function prepareHeatLayer({ anomalyMap, mapWidth, mapHeight }: HeatMap, scale: HeatScale): HeatLayer {
  const image = new OffscreenCanvas(mapWidth, mapHeight);
  image.getContext('2d')!.putImageData(new ImageData(heatRgba(anomalyMap, scale), mapWidth, mapHeight), 0, 0);
  return { image, contour: contourSegments(anomalyMap, mapWidth, mapHeight, scale.low) };
}

const CONTOUR_COLOUR = '#00e5ff';

/** Sizes the canvas to `size` and draws the photo, then (when given) the heat layer at `opacity`. */
export function drawInspection(canvas: HTMLCanvasElement, photo: CanvasImageSource, size: { width: number; height: number }, heat: HeatLayer | null, opacity: number): void {
  canvas.width = size.width;
  canvas.height = size.height;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(photo, 0, 0, size.width, size.height);
  if (heat) drawHeatLayer(ctx, heat, { x: 0, y: 0, ...size }, opacity, true);
}

/**
 * Draws a heat layer over the part of a picture it was measured on (`at`, canvas pixels): the coloured
 * map at `opacity`, and the outline of the region above the pixel threshold when `contour` is set.
 */
export function drawHeatLayer(ctx: CanvasRenderingContext2D, heat: HeatLayer, at: { x: number; y: number; width: number; height: number }, opacity: number, contour: boolean): void {
  ctx.globalAlpha = opacity;
  ctx.drawImage(heat.image, at.x, at.y, at.width, at.height);
  ctx.globalAlpha = 1;
  if (!contour) return;
  const sx = at.width / heat.image.width;
  const sy = at.height / heat.image.height;
  const c = heat.contour;
  ctx.beginPath();
  for (let i = 0; i < c.length; i += 4) {
    ctx.moveTo(at.x + c[i] * sx, at.y + c[i + 1] * sy);
    ctx.lineTo(at.x + c[i + 2] * sx, at.y + c[i + 3] * sy);
  }
  ctx.strokeStyle = CONTOUR_COLOUR;
  ctx.lineWidth = Math.max(1.5, Math.max(at.width, at.height) / 400);
  ctx.lineCap = 'round';
  ctx.stroke();
}

/** Decodes a photo file for drawing as the worker decodes it (EXIF orientation applied). */
export function decodeForDrawing(file: Blob): Promise<ImageBitmap> {
  return createImageBitmap(file, { imageOrientation: 'from-image' });
}
