/**
 * Backbone taps of every training image, computed once and kept as float16 (the training graph casts
 * them back): a 400-image casting set at 256 px fits in a few hundred MB.
 */
import type { RgbImage } from '../image/decode';
import type { ScaledTap } from '../patchflow/aggregation';
import { tapOutputName } from '../patchflow/pipeline';
import { preprocessFeeds } from '../patchflow/preprocess';
import { runSession, type HostTensor, type InferenceSession, type Runtime } from '../runtime';

const elementsOf = (t: ScaledTap) => t.tap.channels * t.height * t.width;

export class TapCache {
  private readonly store: Uint16Array[];
  count = 0;

  constructor(
    readonly layout: ScaledTap[],
    readonly capacity: number,
  ) {
    this.store = layout.map((t) => new Uint16Array(capacity * elementsOf(t)));
  }

  add(taps: Record<string, HostTensor>): number {
    if (this.count >= this.capacity) throw new Error('tap cache is full');
    this.layout.forEach((t, i) => {
      const n = elementsOf(t);
      this.store[i].set(taps[tapOutputName(t)].data as Uint16Array, this.count * n);
    });
    return this.count++;
  }

  /** A batch of cached images as float16 tap inputs: every tap, or only those a graph reads (by input name). */
  batch(indices: readonly number[], inputNames?: readonly string[]): Record<string, HostTensor> {
    const feeds: Record<string, HostTensor> = {};
    const wanted = inputNames && new Set(inputNames);
    this.layout.forEach((t, i) => {
      if (wanted && !wanted.has(t.name)) return;
      const n = elementsOf(t);
      const data = new Uint16Array(indices.length * n);
      indices.forEach((idx, k) => data.set(this.store[i].subarray(idx * n, (idx + 1) * n), k * n));
      feeds[t.name] = { dtype: 'float16', dims: [indices.length, t.tap.channels, t.height, t.width], data };
    });
    return feeds;
  }

  get bytes(): number {
    return this.store.reduce((sum, s) => sum + s.byteLength, 0);
  }
}

/** Runs the tap graph (built with float16 outputs) on one image and stores the result. */
export async function cacheImage(runtime: Runtime, tapSession: InferenceSession, cache: TapCache, image: RgbImage, settings: { inputSize: number; centerCrop: number | null }): Promise<number> {
  const taps = await runSession(runtime, tapSession, preprocessFeeds(image, settings));
  return cache.add(taps);
}
