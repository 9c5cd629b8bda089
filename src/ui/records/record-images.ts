/**
 * A record's pictures: made from a finished inspection (thumbnail and reduced photo as JPEG, the heat map
 * as an 8-bit PNG), and opened again for drawing. Browser only (OffscreenCanvas, createImageBitmap).
 */
import type { PhotoResult } from '../../../workers/inspector-api';
import type { HeatMap } from '../components/inspection-canvas';
import { fitWithin } from '../components/view-transform';
import { decodeHeatMap, encodeHeatMap } from './heat-map-codec';
import type { RecordImages } from './record';

/** The longest side of the photo kept for the detail view and reports (the map is coarser anyway). */
export const PICTURE_SIDE = 512;
const JPEG_QUALITY = 0.85;

function jpeg(image: ImageBitmap): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d')!.drawImage(image, 0, 0);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
}

/** The photo reduced to PICTURE_SIDE as the worker saw it (EXIF orientation applied); the thumbnail if it will not decode here. */
async function reducedPicture(photo: Blob, result: PhotoResult): Promise<ImageBitmap> {
  const size = fitWithin(result.width, result.height, PICTURE_SIDE);
  try {
    return await createImageBitmap(photo, { imageOrientation: 'from-image', resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'high' });
  } catch {
    return createImageBitmap(result.thumbnail);
  }
}

export type EncodedImages = Omit<RecordImages, 'id' | 'time'>;

export async function encodeImages(photo: Blob, result: PhotoResult): Promise<EncodedImages> {
  const picture = await reducedPicture(photo, result);
  try {
    const map = encodeHeatMap(result);
    const [thumbnail, pictureJpeg] = await Promise.all([jpeg(result.thumbnail), jpeg(picture)]);
    return {
      thumbnail,
      picture: pictureJpeg,
      heatMap: new Blob([map.png as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
      mapWidth: result.mapWidth,
      mapHeight: result.mapHeight,
      mapRange: map.range,
    };
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
  const [picture, png] = await Promise.all([createImageBitmap(images.picture), images.heatMap.arrayBuffer()]);
  return { picture, heatMap: decodeHeatMap(new Uint8Array(png), images.mapRange) };
}

/** Bytes as base64 (for a thumbnail inside a JSON message). */
export async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
