/**
 * Decoded pixels and what the engine does with them. Decoding itself belongs to the platform: sharp
 * (libvips, libjpeg-turbo) in Node (./decode-node.ts), createImageBitmap in the browser worker. Both use
 * libjpeg-turbo for JPEG, so the same bytes give the same pixels, and a part model scores the same.
 */

/** 8-bit RGB pixels, interleaved, row-major (HWC). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A platform's decoder: bytes (any format it reads) → RGB, EXIF orientation applied, alpha over black. */
export type DecodeImage = (bytes: Uint8Array, label: string, inputSize: number) => Promise<RgbImage>;

/** Decoded images larger than this are refused: a 40-megapixel photo is a mistake, not a part. */
export const MAX_PIXELS = 40_000_000;

/**
 * Photos are reduced while decoding to at most this many times the model input on their longer side:
 * enough that the graph's antialiased resize sees every detail, while a 6000 px photo costs no more to
 * preprocess than a 1000 px one.
 */
export const DECODE_OVERSAMPLING = 4;

export class ImageDecodeError extends Error {}

/** The size a photo is decoded at for a model with square input `inputSize` (the same in Node and browser). */
export function decodeSize(width: number, height: number, inputSize: number): { width: number; height: number } {
  const limit = DECODE_OVERSAMPLING * inputSize;
  const k = limit / Math.max(width, height);
  if (k >= 1) return { width, height };
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/** Centre crop to a fraction of the shorter side (1 = the largest centred square). */
export function centerCrop(image: RgbImage, fraction: number): RgbImage {
  const side = Math.max(1, Math.round(Math.min(image.width, image.height) * fraction));
  const x0 = Math.floor((image.width - side) / 2);
  const y0 = Math.floor((image.height - side) / 2);
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    const start = ((y0 + y) * image.width + x0) * 3;
    data.set(image.data.subarray(start, start + side * 3), y * side * 3);
  }
  return { width: side, height: side, data };
}

/** A one-byte-per-pixel mask. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Brings a defect mask onto the model's square map: the same centre crop as the image, then
 * nearest-neighbour sampling at pixel centres.
 */
export function maskToMap(mask: Mask, size: number, crop: number | null): Uint8Array {
  const side = crop ? Math.max(1, Math.round(Math.min(mask.width, mask.height) * crop)) : 0;
  const x0 = crop ? Math.floor((mask.width - side) / 2) : 0;
  const y0 = crop ? Math.floor((mask.height - side) / 2) : 0;
  const w = crop ? side : mask.width;
  const h = crop ? side : mask.height;
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const sy = y0 + Math.min(h - 1, Math.floor(((y + 0.5) * h) / size));
    for (let x = 0; x < size; x++) {
      const sx = x0 + Math.min(w - 1, Math.floor(((x + 0.5) * w) / size));
      out[y * size + x] = mask.data[sy * mask.width + sx] ? 1 : 0;
    }
  }
  return out;
}
