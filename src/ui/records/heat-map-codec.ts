/**
 * The anomaly map, compressed for the history: quantised to 8 bits over its own range, then stored as a
 * grey PNG (lossless from there; record-images.ts has the browser encode it), about 10× smaller than the
 * floats. Grey g stands for low + g / 255 · (high − low), so a value read back is off by at most
 * (high − low) / 510. Pure.
 */

export interface QuantisedMap {
  grey: Uint8Array;
  /** Values at grey 0 and grey 255. */
  range: [number, number];
}

/** Quantises a map over its finite values' range; anything not finite becomes grey 0. */
export function quantiseMap(map: ArrayLike<number>): QuantisedMap {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (!Number.isFinite(v)) continue;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  if (low > high) [low, high] = [0, 0];
  const span = high - low || 1;
  const grey = new Uint8Array(map.length);
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    grey[i] = Number.isFinite(v) ? Math.round(((v - low) / span) * 255) : 0;
  }
  return { grey, range: [low, low + span] };
}

export function dequantiseMap(grey: ArrayLike<number>, [low, high]: [number, number]): Float32Array {
  const out = new Float32Array(grey.length);
  const step = (high - low) / 255;
  for (let i = 0; i < grey.length; i++) out[i] = low + grey[i] * step;
  return out;
}

/** Greys as opaque RGBA pixels (r = g = b = grey), what a canvas encodes as PNG. */
export function greyPixels(grey: ArrayLike<number>): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(grey.length * 4);
  for (let i = 0; i < grey.length; i++) {
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = grey[i];
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/** The greys of RGBA pixels written by greyPixels (their red channel). */
export function greysOf(rgba: ArrayLike<number>): Uint8Array {
  const grey = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < grey.length; i++) grey[i] = rgba[i * 4];
  return grey;
}
