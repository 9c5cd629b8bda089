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
export type DecodeImage = (bytes: Uint8Array, label: string, inputSide: number) => Promise<RgbImage>;

/** Decoded images larger than this are refused: a 40-megapixel photo is a mistake, not a part. */
export const MAX_PIXELS = 40_000_000;

/**
 * Photos are reduced while decoding to at most this many times the model input on their longer side:
 * enough that the graph's antialiased resize sees every detail, while a 6000 px photo costs no more to
 * preprocess than a 1000 px one.
 */
export const DECODE_OVERSAMPLING = 4;

export class ImageDecodeError extends Error {}

/** The size a photo is decoded at for a model whose input's longer side is `inputSide` (the same in Node and browser). */
export function decodeSize(width: number, height: number, inputSide: number): { width: number; height: number } {
  const limit = DECODE_OVERSAMPLING * inputSide;
  const k = limit / Math.max(width, height);
  if (k >= 1) return { width, height };
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/** A rectangle in pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The pixels of `r` (inside the image). */
export function cropImage(image: RgbImage, r: Rect): RgbImage {
  if (r.x === 0 && r.y === 0 && r.width === image.width && r.height === image.height) return image;
  const data = new Uint8Array(r.width * r.height * 3);
  for (let y = 0; y < r.height; y++) {
    const start = ((r.y + y) * image.width + r.x) * 3;
    data.set(image.data.subarray(start, start + r.width * 3), y * r.width * 3);
  }
  return { width: r.width, height: r.height, data };
}

/** A one-byte-per-pixel mask. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Brings the part `from` of a defect mask (all of it by default) onto a map of width × height cells, by
 * nearest-neighbour sampling at cell centres.
 */
export function maskToMap(mask: Mask, map: { width: number; height: number }, from: Rect = { x: 0, y: 0, width: mask.width, height: mask.height }): Uint8Array {
  const { x: x0, y: y0, width: w, height: h } = from;
  const out = new Uint8Array(map.width * map.height);
  for (let y = 0; y < map.height; y++) {
    const sy = y0 + Math.min(h - 1, Math.floor(((y + 0.5) * h) / map.height));
    for (let x = 0; x < map.width; x++) {
      const sx = x0 + Math.min(w - 1, Math.floor(((x + 0.5) * w) / map.width));
      out[y * map.width + x] = mask.data[sy * mask.width + sx] ? 1 : 0;
    }
  }
  return out;
}
