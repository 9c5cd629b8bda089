/**
 * A record's pictures: made from a finished inspection (thumbnail and reduced photo as JPEG, the heat map
 * as an 8-bit grey PNG), and opened again for drawing. The browser encodes and decodes them off the main
 * thread (OffscreenCanvas.convertToBlob, createImageBitmap).
 */
import type { PhotoResult } from '../../../workers/inspector-api';
import type { HeatMap } from '../components/inspection-canvas';
import { fitWithin } from '../components/view-transform';
import { dequantiseMap, greyPixels, greysOf, quantiseMap } from './heat-map-codec';
import type { RecordImages } from './record';

/** The longest side of the photo kept for the detail view and reports (the map is coarser anyway). */
export const PICTURE_SIDE = 512;
const JPEG_QUALITY = 0.85;

async function jpeg(image: ImageBitmap): Promise<ArrayBuffer> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d')!.drawImage(image, 0, 0);
  return (await canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY })).arrayBuffer();
}

/** Stored bytes as something the browser decodes. */
export const jpegBlob = (bytes: ArrayBuffer) => new Blob([bytes], { type: 'image/jpeg' });

/** The photo reduced to PICTURE_SIDE as the worker saw it (EXIF orientation applied); the thumbnail if it will not decode here. */
async function reducedPicture(photo: Blob, result: PhotoResult): Promise<ImageBitmap> {
  const size = fitWithin(result.width, result.height, PICTURE_SIDE);
  try {
    return await createImageBitmap(photo, { imageOrientation: 'from-image', resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'high' });
  } catch {
    return createImageBitmap(result.thumbnail);
  }
}

/** The map quantised to greys, as a PNG the browser encodes off the main thread. */
async function heatMapPng({ anomalyMap, mapWidth, mapHeight }: HeatMap): Promise<{ png: ArrayBuffer; range: [number, number] }> {
  const { grey, range } = quantiseMap(anomalyMap);
  const canvas = new OffscreenCanvas(mapWidth, mapHeight);
  canvas.getContext('2d')!.putImageData(new ImageData(greyPixels(grey), mapWidth, mapHeight), 0, 0);
  return { png: await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer(), range };
}

/** The map back from its PNG: pixels read exactly as written (no colour management, opaque). */
async function readHeatMap(png: ArrayBuffer, range: [number, number]): Promise<HeatMap> {
  const bitmap = await createImageBitmap(new Blob([png], { type: 'image/png' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { anomalyMap: dequantiseMap(greysOf(ctx.getImageData(0, 0, width, height).data), range), mapWidth: width, mapHeight: height };
}

export type EncodedImages = Omit<RecordImages, 'id' | 'time'>;

export async function encodeImages(photo: Blob, result: PhotoResult): Promise<EncodedImages> {
  const picture = await reducedPicture(photo, result);
  try {
    const [thumbnail, pictureJpeg, map] = await Promise.all([jpeg(result.thumbnail), jpeg(picture), heatMapPng(result)]);
    return { thumbnail, picture: pictureJpeg, heatMap: map.png, mapWidth: result.mapWidth, mapHeight: result.mapHeight, mapRange: map.range };
  } finally {
    picture.close();
  }
}

/** A record's pictures ready to draw: the reduced photo and the map. */
export interface OpenedImages {
  picture: ImageBitmap;
  heatMap: HeatMap;
}

export async function openImages(images: RecordImages): Promise<OpenedImages> {
  const [picture, heatMap] = await Promise.all([createImageBitmap(jpegBlob(images.picture)), readHeatMap(images.heatMap, images.mapRange)]);
  return { picture, heatMap };
}

/** Bytes as base64 (for a thumbnail inside a JSON message). */
export function base64Of(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
