/**
 * Image decoding in pure JavaScript (jpeg-js, fast-png): the same bytes give the same pixels in Node
 * and in a browser worker, so a part model scores identically in both.
 */
import jpeg from 'jpeg-js';
import { decode as decodePng } from 'fast-png';

/** 8-bit RGB pixels, interleaved, row-major (HWC). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decoded images larger than this are refused: a 40-megapixel photo is a mistake, not a part. */
export const MAX_PIXELS = 40_000_000;

export class ImageDecodeError extends Error {}

export function sniffImageType(bytes: Uint8Array): 'jpeg' | 'png' | null {
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  return null;
}

/** Decodes JPEG or PNG bytes (gray, RGB, RGBA, 8 or 16 bit) to RGB. `label` names the file in errors. */
export function decodeImage(bytes: Uint8Array, label = 'image'): RgbImage {
  const type = sniffImageType(bytes);
  if (!type) throw new ImageDecodeError(`${label}: not a JPEG or PNG file`);
  try {
    return type === 'jpeg' ? decodeJpeg(bytes) : decodePngToRgb(bytes);
  } catch (e) {
    if (e instanceof ImageDecodeError) throw new ImageDecodeError(`${label}: ${e.message}`);
    throw new ImageDecodeError(`${label}: corrupt ${type.toUpperCase()} (${(e as Error).message})`);
  }
}

function decodeJpeg(bytes: Uint8Array): RgbImage {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
  return { width: img.width, height: img.height, data: img.data };
}

function decodePngToRgb(bytes: Uint8Array): RgbImage {
  const png = decodePng(bytes);
  if (png.width * png.height > MAX_PIXELS) throw new ImageDecodeError(`${png.width}×${png.height} is larger than ${MAX_PIXELS / 1e6} megapixels`);
  if (png.palette) throw new ImageDecodeError('palette PNGs are not supported; save as RGB or grayscale');
  const { width, height, channels } = png;
  const src = png.data;
  const shift = png.depth === 16 ? 8 : 0;
  const out = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      // gray (1), gray+alpha (2) replicate channel 0; RGB (3) and RGBA (4) take their own
      const v = src[p * channels + (channels < 3 ? 0 : c)];
      out[p * 3 + c] = shift ? v >> shift : v;
    }
  }
  return { width, height, data: out };
}

/** Decodes a PNG defect mask to one byte per pixel (non-zero = defect). */
export function decodeMask(bytes: Uint8Array, label = 'mask'): Mask {
  const rgb = decodeImage(bytes, label);
  const data = new Uint8Array(rgb.width * rgb.height);
  for (let p = 0; p < data.length; p++) data[p] = rgb.data[p * 3] > 127 ? 1 : 0;
  return { width: rgb.width, height: rgb.height, data };
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
