/**
 * Photos decoded by the browser itself (createImageBitmap: JPEG, PNG, WebP, AVIF, BMP, GIF, greyscale,
 * 16-bit, CMYK; EXIF orientation applied), pixels read from an OffscreenCanvas. Chromium decodes JPEG with
 * libjpeg-turbo, as sharp does in Node, so both sides feed the model the same bytes.
 */
import { ImageDecodeError, MAX_PIXELS, decodeSize, type RgbImage } from '../src/engine/image/decode';

export interface DecodedPhoto {
  image: RgbImage;
  /** Size as decoded (orientation applied), before any reduction. */
  width: number;
  height: number;
  thumbnail: ImageBitmap;
}

const options: ImageBitmapOptions = { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'none' };

/** A bitmap's pixels as the engine reads them: RGB bytes, alpha over black (as Node's decoder flattens it). */
export function readRgb(bitmap: ImageBitmap): RgbImage {
  const { width, height } = bitmap;
  const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0);
  return rgbOf(ctx.getImageData(0, 0, width, height).data, width, height);
}

/** RGBA bytes without their alpha. */
export function rgbOf(rgba: Uint8ClampedArray, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
    data[q] = rgba[p];
    data[q + 1] = rgba[p + 1];
    data[q + 2] = rgba[p + 2];
  }
  return { width, height, data };
}

/** The photo as a bitmap at its own size (orientation applied), or a message naming it. */
async function openPhoto(photo: Blob, name: string): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(photo, options);
  } catch {
    const kind = photo.type || 'unknown type';
    throw new ImageDecodeError(`${name}: not an image this browser can decode (${kind}), or the file is damaged`);
  }
}

/** The model's pixels of an opened photo: one far larger than the model needs is reduced to `decodeSize`, the size Node reduces it to as well. */
async function pixelsOf(full: ImageBitmap, name: string, inputSide: number): Promise<RgbImage> {
  const { width, height } = full;
  if (width * height > MAX_PIXELS) throw new ImageDecodeError(`${name}: ${width}×${height} is larger than ${MAX_PIXELS / 1e6} megapixels`);
  const target = decodeSize(width, height, inputSide);
  const reduced = target.width === width && target.height === height ? full : await createImageBitmap(full, { resizeWidth: target.width, resizeHeight: target.height, resizeQuality: 'high' });
  const image = readRgb(reduced);
  if (reduced !== full) reduced.close();
  return image;
}

/** Decodes a photo to the pixels a model whose input's longer side is `inputSide` reads (the engine's `DecodeImage` in a worker). */
export async function decodePixels(photo: Blob, name: string, inputSide: number): Promise<RgbImage> {
  const full = await openPhoto(photo, name);
  try {
    return await pixelsOf(full, name, inputSide);
  } finally {
    full.close();
  }
}

/** Decodes a photo for a model whose input's longer side is `inputSide`, with a list thumbnail whose longer side is `thumbnailSide`. */
export async function decodePhoto(photo: Blob, name: string, inputSide: number, thumbnailSide: number): Promise<DecodedPhoto> {
  const full = await openPhoto(photo, name);
  try {
    const { width, height } = full;
    const image = await pixelsOf(full, name, inputSide);
    const k = thumbnailSide / Math.max(width, height);
    const thumbnail = await createImageBitmap(full, { resizeWidth: Math.max(1, Math.round(width * k)), resizeHeight: Math.max(1, Math.round(height * k)), resizeQuality: 'medium' });
    return { image, width, height, thumbnail };
  } finally {
    full.close();
  }
}
