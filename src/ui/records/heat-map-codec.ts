/**
 * The anomaly map, compressed for the history: quantised to 8 bits over its own range and written as a
 * greyscale PNG (lossless from there), about 10× smaller than the floats. Grey g stands for
 * low + g / 255 · (high − low), so a value read back is off by at most (high − low) / 510. Pure.
 */
import { decode, encode } from 'fast-png';
import type { HeatMap } from '../components/inspection-canvas';

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

export interface EncodedMap {
  png: Uint8Array;
  range: [number, number];
}

export function encodeHeatMap({ anomalyMap, mapWidth, mapHeight }: HeatMap): EncodedMap {
  const { grey, range } = quantiseMap(anomalyMap);
  return { png: encode({ width: mapWidth, height: mapHeight, data: grey, channels: 1, depth: 8 }), range };
}

export function decodeHeatMap(png: Uint8Array, range: [number, number]): HeatMap {
  const image = decode(png);
  if (image.channels !== 1 || image.depth !== 8) throw new Error(`a stored heat map must be 8-bit greyscale (got ${image.channels} channels, ${image.depth} bits)`);
  return { anomalyMap: dequantiseMap(image.data, range), mapWidth: image.width, mapHeight: image.height };
}
