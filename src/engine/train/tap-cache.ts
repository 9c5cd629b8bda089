/**
 * Backbone taps of every training image, computed once and kept as float16: a 400-image casting set at
 * 256 px fits in a few hundred MB. The conversions happen here, on the host, so every graph reads and
 * writes float32 taps: WebGPU adapters without `shader-f16` (SwiftShader's, many integrated GPUs) run
 * no float16 kernel, and the rounding is the same on every runtime.
 */
import type { RgbImage } from '../image/decode';
import type { ScaledTap } from '../patchflow/aggregation';
import { tapOutputName } from '../patchflow/pipeline';
import { preprocessFeeds, type Placement } from '../patchflow/preprocess';
import { runSession, type HostTensor, type InferenceSession, type Runtime } from '../runtime';

const elementsOf = (t: ScaledTap) => t.tap.channels * t.height * t.width;

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of a float32 value, rounded to nearest even (as onnxruntime's Cast rounds). */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = f32Bits[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff - 127 + 15) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf, NaN
  if (exponent >= 0x1f) return sign | 0x7c00; // too large: Inf
  let shift = 13;
  let bits: number;
  if (exponent <= 0) {
    if (exponent < -10) return sign; // below half the smallest subnormal: ±0
    mantissa |= 0x800000; // subnormal: the implicit bit becomes explicit
    shift = 14 - exponent;
    bits = mantissa >>> shift;
  } else bits = (exponent << 10) | (mantissa >>> 13);
  const rest = mantissa & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  // a carry out of the mantissa steps the exponent up, as it should (up to Inf)
  if (rest > half || (rest === half && bits & 1)) bits++;
  return sign | bits;
}

/** float32 value of every binary16 bit pattern. */
const HALF_TO_FLOAT = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 0x1f) table[h] = mantissa ? NaN : sign * Infinity;
    else table[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
})();

/** The float32 value of binary16 bits. */
export const fromHalf = (bits: number) => HALF_TO_FLOAT[bits];

export class TapCache {
  private readonly store: Uint16Array[];
  count = 0;

  constructor(
    readonly layout: ScaledTap[],
    readonly capacity: number,
  ) {
    this.store = layout.map((t) => new Uint16Array(capacity * elementsOf(t)));
  }

  /** Stores one image's float32 taps (by the tap graph's output names) as float16. */
  add(taps: Record<string, HostTensor>): number {
    if (this.count >= this.capacity) throw new Error('tap cache is full');
    this.layout.forEach((t, i) => {
      const n = elementsOf(t);
      const values = taps[tapOutputName(t)].data as Float32Array;
      const slot = this.store[i].subarray(this.count * n, (this.count + 1) * n);
      for (let k = 0; k < n; k++) slot[k] = toHalf(values[k]);
    });
    return this.count++;
  }

  /** A batch of cached images as float32 tap inputs: every tap, or only those a graph reads (by input name). */
  batch(indices: readonly number[], inputNames?: readonly string[]): Record<string, HostTensor> {
    const feeds: Record<string, HostTensor> = {};
    const wanted = inputNames && new Set(inputNames);
    this.layout.forEach((t, i) => {
      if (wanted && !wanted.has(t.name)) return;
      const n = elementsOf(t);
      const data = new Float32Array(indices.length * n);
      indices.forEach((idx, k) => {
        const stored = this.store[i].subarray(idx * n, (idx + 1) * n);
        for (let j = 0; j < n; j++) data[k * n + j] = HALF_TO_FLOAT[stored[j]];
      });
      feeds[t.name] = { dtype: 'float32', dims: [indices.length, t.tap.channels, t.height, t.width], data };
    });
    return feeds;
  }

  get bytes(): number {
    return this.store.reduce((sum, s) => sum + s.byteLength, 0);
  }
}

/** Runs the tap graph on one image and stores the result. */
export async function cacheImage(runtime: Runtime, tapSession: InferenceSession, cache: TapCache, image: RgbImage, settings: Placement): Promise<number> {
  const taps = await runSession(runtime, tapSession, preprocessFeeds(image, settings));
  return cache.add(taps);
}
