import { describe, expect, it } from 'vitest';
import { GraphBuilder, attr, floatTensor, type Tensor } from '../../src/engine/onnx/graph';
import { serializeModel } from '../../src/engine/onnx/serialize';
import { runSession, type HostTensor } from '../../src/engine/runtime';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { createRng, gaussian } from '../../src/engine/random';
import { bilinearMatrix, featureChannels, gridOf, tapLayout, type InputShape, type ScaledTap } from '../../src/engine/patchflow/aggregation';
import { appendGaussianMap, chosenChannels, covarianceBlocks, gaussianNames, randomProjection, upperTriangleIndex, type GaussianSettings } from '../../src/engine/patchflow/gaussian';
import { POSITION_BLIND_SHARES, fitGaussian } from '../../src/engine/train/gaussian-fit';
import { TapCache, fromHalf } from '../../src/engine/train/tap-cache';
import { tapOutputName } from '../../src/engine/patchflow/pipeline';
import { headInputs, headLayout } from '../../src/engine/patchflow/head';
import { PRESETS } from '../../src/engine/patchflow/manifest';
import { toyBackbone } from './toy-backbone';

const runtime = nodeRuntime(1);

const backbone = toyBackbone(['a', 8, 3], ['b', 16, 5], ['c', 8, 4]);
const names = gaussianNames(0);

/** Graph: taps (as `dtype`, dynamic batch) → Gaussian map, the three parameters baked in. */
async function mapSession(layout: ScaledTap[], grid: InputShape, params: Map<string, Tensor>, dtype: 'float32' | 'float16', settings: GaussianSettings) {
  const b = new GraphBuilder('gaussian_map');
  const taps: Record<string, string> = {};
  for (const t of layout) {
    const input = b.input(t.name, dtype, ['batch', t.tap.channels, t.height, t.width]);
    taps[t.name] = dtype === 'float32' ? input : b.op('Cast', [input], { to: attr.i(1) });
  }
  for (const [name, t] of params) b.initializer(name, t);
  b.outputAs(appendGaussianMap(b, layout, taps, grid, names, settings), 'map', 'float32', ['batch', 1, grid.height, grid.width]);
  const session = await runtime.createSession(serializeModel(b.graph));
  return async (feeds: Record<string, HostTensor>) => (await runSession(runtime, session, feeds)).map.data as Float32Array;
}

/** Float32 → float16 bits by onnxruntime's Cast (round to nearest even), and the values those bits hold. */
async function toFloat16(values: Float32Array): Promise<{ bits: Uint16Array; rounded: Float32Array }> {
  const b = new GraphBuilder('to_half');
  const half = b.op('Cast', [b.input('x', 'float32', ['n'])], { to: attr.i(10) }, 'bits');
  b.op('Cast', [half], { to: attr.i(1) }, 'rounded');
  b.output('bits', 'float16', ['n']);
  b.output('rounded', 'float32', ['n']);
  const session = await runtime.createSession(serializeModel(b.graph));
  const out = await runSession(runtime, session, { x: { dtype: 'float32', dims: [values.length], data: values } });
  return { bits: out.bits.data as Uint16Array, rounded: out.rounded.data as Float32Array };
}

/** Σ⁻¹ = W Wᵀ per position [P, D, D], from the stored float16 triangle of W and its scale. */
function precisionOf(params: Map<string, Tensor>, d: number, positions: number): Float64Array {
  const bits = params.get(names.whitening)!.data as Uint16Array;
  const scale = params.get(names.whiteningScale)!.data as Float32Array;
  const { index, mask } = upperTriangleIndex(d);
  const triangle = (d * (d + 1)) / 2;
  const w = (p: number, i: number, j: number) => mask[i * d + j] * fromHalf(bits[p * triangle + index[i * d + j]]) * scale[p];
  const out = new Float64Array(positions * d * d);
  for (let p = 0; p < positions; p++)
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) out[(p * d + i) * d + j] += w(p, i, k) * w(p, j, k);
  return out;
}

/** Reference in float64: per image, concat(resize(pool3×3(tap))) as [ΣC][G·G]. */
function aggregated(layout: ScaledTap[], feeds: Record<string, HostTensor>, image: number, grid: number): Float64Array[] {
  const channels: Float64Array[] = [];
  for (const t of layout) {
    const { height: h, width: w } = t;
    const data = feeds[t.name].data as Float32Array;
    const ry = bilinearMatrix(h, grid);
    const rx = bilinearMatrix(w, grid);
    for (let c = 0; c < t.tap.channels; c++) {
      const at = (y: number, x: number) => (y < 0 || x < 0 || y >= h || x >= w ? 0 : data[((image * t.tap.channels + c) * h + y) * w + x]);
      const pooled = new Float64Array(h * w);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) pooled[y * w + x] += at(y + dy, x + dx) / 9;
      const out = new Float64Array(grid * grid);
      for (let gy = 0; gy < grid; gy++)
        for (let gx = 0; gx < grid; gx++)
          for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[gy * grid + gx] += ry[gy * h + y] * rx[gx * w + x] * pooled[y * w + x];
      channels.push(out);
    }
  }
  return channels;
}

describe('Gaussian companion', () => {
  it('random-channels picks distinct channels in order, the same for the same seed', () => {
    const layout = tapLayout({ inputSize: 32, scales: [1, 0.5], taps: ['a', 'b', 'c'] }, backbone);
    const cin = featureChannels(layout);
    const settings = { dims: 7, ridge: 0, seed: 4, reduction: 'random-channels' as const };
    const chosen = chosenChannels(layout, settings);
    expect(new Set(chosen).size).toBe(7);
    expect(chosen).toEqual([...chosen].sort((a, b) => a - b));
    expect(Math.max(...chosen)).toBeLessThan(cin);
    expect(chosenChannels(layout, settings)).toEqual(chosen);
    expect(chosenChannels(layout, { ...settings, seed: 5 })).not.toEqual(chosen);
    expect(() => chosenChannels(layout, { ...settings, dims: cin + 1 })).toThrow(/dims must be 1…/);
  });

  it('companions read their own taps beside the flow: the head takes each tap once', () => {
    const features = { inputSize: 32, scales: [1, 0.5], taps: ['a', 'b'] };
    const head = PRESETS.paper().head;
    head.gaussians = [{ dims: 2, ridge: 0, seed: 0, taps: ['b', 'c'] }, { dims: 2, ridge: 0, seed: 0 }, { dims: 2, ridge: 0, seed: 0, taps: ['c', 'a'], scales: [1] }];
    const layout = headLayout(features, head, backbone);
    expect(layout.flow.map((t) => t.name)).toEqual(['tap/a@1', 'tap/b@1', 'tap/a@0.5', 'tap/b@0.5']);
    expect(layout.gaussians[0].map((t) => t.name)).toEqual(['tap/b@1', 'tap/c@1', 'tap/b@0.5', 'tap/c@0.5']);
    expect(layout.gaussians[0].map((t) => t.channelOffset)).toEqual([0, 5, 9, 14]);
    expect(layout.gaussians[1]).toEqual(layout.flow);
    expect(layout.gaussians[2].map((t) => [t.name, t.channelOffset])).toEqual([['tap/c@1', 0], ['tap/a@1', 4]]);
    expect(headInputs(layout).map((t) => t.name)).toEqual([...layout.flow.map((t) => t.name), 'tap/c@1', 'tap/c@0.5']);
    head.gaussians = [{ dims: 2, ridge: 0, seed: 0, scales: [1, 0.25] }];
    expect(() => headLayout(features, head, backbone)).toThrow(/companion 0 reads scale 0.25, which the model does not run/);
  });

  it.each(['random-projection', 'random-channels'] as const)('the ONNX map equals 0.5·‖(x−μ)ᵀW‖²/D computed directly, W unpacked from its float16 triangle (%s)', async (reduction) => {
    const layout = tapLayout({ inputSize: 32, scales: [1], taps: ['a', 'b'] }, backbone);
    const grid = 4; // 32 px at stride 8
    const shape = gridOf({ width: 32, height: 32 });
    const d = 3;
    const positions = grid * grid;
    const rng = createRng(7);
    const settings = { dims: d, ridge: 0, seed: 3, reduction };
    const cin = featureChannels(layout);
    // the reduction as a [D, ΣC] matrix: the projection, or one-hot rows for the chosen channels
    const w = reduction === 'random-projection' ? (randomProjection(layout, settings).data as Float32Array) : new Float32Array(d * cin);
    if (reduction === 'random-channels') chosenChannels(layout, settings).forEach((c, i) => (w[i * cin + c] = 1));
    const mean = Array.from({ length: d * positions }, () => gaussian(rng));
    // per position an upper-triangular W, packed row by row, entries within ±1 times the position's scale
    const triangle = (d * (d + 1)) / 2;
    const scales = Float32Array.from({ length: positions }, () => 1 + 3 * rng());
    const packed = Float32Array.from({ length: positions * triangle }, () => 2 * rng() - 1);
    const { bits, rounded } = await toFloat16(packed);
    const whitening = (p: number, i: number, j: number) => (j < i ? 0 : rounded[p * triangle + upperTriangleIndex(d).index[i * d + j]] * scales[p]);
    const params = new Map<string, Tensor>([
      [names.mean, floatTensor([1, d, grid, grid], mean)],
      [names.whitening, { dtype: 'float16', dims: [positions, triangle], data: bits }],
      [names.whiteningScale, floatTensor([positions, 1, 1], scales)],
    ]);
    if (reduction === 'random-projection') params.set(names.projection, randomProjection(layout, settings));
    const run = await mapSession(layout, shape, params, 'float32', settings);
    const images = 2;
    const feeds: Record<string, HostTensor> = {};
    for (const t of layout) {
      const dims = [images, t.tap.channels, t.height, t.width];
      feeds[t.name] = { dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((x, y) => x * y) }, () => gaussian(rng)) };
    }
    const map = await run(feeds);
    expect(map.length).toBe(images * positions);
    for (let n = 0; n < images; n++) {
      const feature = aggregated(layout, feeds, n, grid);
      for (let p = 0; p < positions; p++) {
        const diff = Array.from({ length: d }, (_, i) => feature.reduce((s, f, c) => s + w[i * cin + c] * f[p], 0) - mean[i * positions + p]);
        let d2 = 0;
        for (let j = 0; j < d; j++) d2 += diff.reduce((s, v, i) => s + v * whitening(p, i, j), 0) ** 2;
        const expected = (0.5 * d2) / d;
        expect(Math.abs(map[n * positions + p] - expected)).toBeLessThanOrEqual(1e-4 * Math.max(expected, 1e-3));
      }
    }
  });

  it('fitGaussian recovers a known per-position Gaussian and scores shifted samples high', async () => {
    // One stride-8 tap on a 4×4 grid: the aggregated feature is the 3×3 pool, so with independent
    // pixels z_q ~ N(m_q, C_q) position p has mean W·Σm_q/9 and covariance W·(ΣC_q/81)·Wᵀ over its window.
    const layout = tapLayout({ inputSize: 32, scales: [1], taps: ['c'] }, backbone);
    const grid = 4; // 32 px at stride 8
    const shape = gridOf({ width: 32, height: 32 });
    const positions = grid * grid;
    const channels = 4;
    const d = 3;
    const rng = createRng(11);
    const pixelMean = Array.from({ length: positions * channels }, () => 2 * gaussian(rng)); // [q][c]
    const pixelFactor = Array.from({ length: positions }, () => Array.from({ length: channels * channels }, (_, k) => (k % (channels + 1) === 0 ? 1 : 0) + 0.5 * gaussian(rng)));
    const draw = async (count: number, shift: number) => {
      const values = new Float32Array(count * channels * positions);
      for (let n = 0; n < count; n++)
        for (let q = 0; q < positions; q++) {
          const e = Array.from({ length: channels }, () => gaussian(rng));
          for (let c = 0; c < channels; c++) {
            let v = pixelMean[q * channels + c] + shift;
            for (let k = 0; k < channels; k++) v += pixelFactor[q][c * channels + k] * e[k];
            values[(n * channels + c) * positions + q] = v;
          }
        }
      return toFloat16(values);
    };
    const feed = ({ bits }: { bits: Uint16Array }, count: number): Record<string, HostTensor> => ({
      [layout[0].name]: { dtype: 'float16', dims: [count, channels, grid, grid], data: bits },
    });

    const count = 5000;
    const training = await draw(count, 0);
    const cache = new TapCache(layout, count);
    const per = channels * positions;
    for (let n = 0; n < count; n++) cache.add({ [tapOutputName(layout[0])]: { dtype: 'float32', dims: [1, channels, grid, grid], data: training.rounded.subarray(n * per, (n + 1) * per) } });
    const settings = { dims: d, ridge: 0.01, seed: 5 };
    const { params } = await fitGaussian(runtime, cache, layout, settings, shape, names);
    expect(params.get(names.projection)!.data).toEqual(randomProjection(layout, settings).data);
    expect(params.get(names.mean)!.dims).toEqual([1, d, grid, grid]);
    expect(params.get(names.whitening)!.dims).toEqual([positions, (d * (d + 1)) / 2]);
    expect(params.get(names.whitening)!.dtype).toBe('float16');

    const w = params.get(names.projection)!.data as Float32Array;
    const mean = params.get(names.mean)!.data as Float32Array;
    const precision = precisionOf(params, d, positions);

    // Exactly the sample moments (batches merged without loss): projected features in float64.
    const taps = { [layout[0].name]: { dtype: 'float32', dims: [count, channels, grid, grid], data: training.rounded } } as Record<string, HostTensor>;
    const samples = Array.from({ length: count }, (_, n) => {
      const f = aggregated(layout, taps, n, grid);
      return Array.from({ length: positions * d }, (_, k) => f.reduce((s, c, a) => s + w[(k % d) * channels + a] * c[Math.floor(k / d)], 0)); // [p][i]
    });
    const sampleMean = Array.from({ length: positions * d }, (_, k) => samples.reduce((s, y) => s + y[k], 0) / count);
    const sampleCov = (p: number, i: number, j: number) =>
      samples.reduce((s, y) => s + (y[p * d + i] - sampleMean[p * d + i]) * (y[p * d + j] - sampleMean[p * d + j]), 0) / (count - 1);
    let diagonal = 0;
    for (let p = 0; p < positions; p++) for (let i = 0; i < d; i++) diagonal += sampleCov(p, i, i);
    const eps = (settings.ridge * diagonal) / (positions * d);
    for (let p = 0; p < positions; p++)
      for (let i = 0; i < d; i++) {
        expect(Math.abs(mean[i * positions + p] - sampleMean[p * d + i])).toBeLessThan(1e-4 * Math.sqrt(sampleCov(p, i, i)));
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += precision[p * d * d + i * d + k] * (sampleCov(p, k, j) + (k === j ? eps : 0));
          expect(Math.abs(s - +(i === j))).toBeLessThan(3e-3); // W is stored in float16 (3 significant digits)
        }
      }

    // Loosely, the generating distribution.
    let worstMean = 0;
    let worstIdentity = 0;
    for (let py = 0; py < grid; py++)
      for (let px = 0; px < grid; px++) {
        const p = py * grid + px;
        const m = new Float64Array(channels);
        const cov = new Float64Array(channels * channels);
        for (let qy = py - 1; qy <= py + 1; qy++)
          for (let qx = px - 1; qx <= px + 1; qx++) {
            if (qy < 0 || qx < 0 || qy >= grid || qx >= grid) continue;
            const q = qy * grid + qx;
            const f = pixelFactor[q];
            for (let i = 0; i < channels; i++) {
              m[i] += pixelMean[q * channels + i] / 9;
              for (let j = 0; j < channels; j++) for (let k = 0; k < channels; k++) cov[i * channels + j] += (f[i * channels + k] * f[j * channels + k]) / 81;
            }
          }
        const projected = (i: number, j: number) => {
          let s = 0;
          for (let a = 0; a < channels; a++) for (let c = 0; c < channels; c++) s += w[i * channels + a] * cov[a * channels + c] * w[j * channels + c];
          return s;
        };
        for (let i = 0; i < d; i++) {
          const mu = m.reduce((s, v, c) => s + w[i * channels + c] * v, 0);
          worstMean = Math.max(worstMean, Math.abs(mean[i * positions + p] - mu) / Math.sqrt(projected(i, i)));
          for (let j = 0; j < d; j++) {
            let s = 0;
            for (let k = 0; k < d; k++) s += precision[p * d * d + i * d + k] * projected(k, j);
            worstIdentity = Math.max(worstIdentity, Math.abs(s - +(i === j)));
          }
        }
      }
    expect(worstMean).toBeLessThan(0.1); // in standard deviations; sampling error ≈ 1/√5000
    expect(worstIdentity).toBeLessThan(0.15);

    const run = await mapSession(layout, shape, params, 'float16', settings);
    const average = (map: Float32Array) => map.reduce((s, v) => s + v, 0) / map.length;
    const held = 400;
    const good = average(await run(feed(await draw(held, 0), held)));
    const shifted = average(await run(feed(await draw(held, 3), held)));
    expect(good).toBeGreaterThan(0.45);
    expect(good).toBeLessThan(0.55);
    expect(shifted).toBeGreaterThan(20 * good);
  });

  describe('position-blind share', () => {
    // One 4-channel stride-8 tap on a 4×4 grid, all channels kept (random-channels, D = 4).
    const layout = tapLayout({ inputSize: 32, scales: [1], taps: ['c'] }, backbone);
    const shape = gridOf({ width: 32, height: 32 });
    const [channels, positions] = [4, 16];
    /** A cache of `count` images whose pixel q is N(offset · q, I) in every channel. */
    const cacheOf = (count: number, offset: number, rng: () => number) => {
      const cache = new TapCache(layout, count);
      for (let n = 0; n < count; n++) {
        const data = Float32Array.from({ length: channels * positions }, (_, k) => offset * (k % positions) + gaussian(rng));
        cache.add({ [tapOutputName(layout[0])]: { dtype: 'float32', dims: [1, channels, 4, 4], data } });
      }
      return cache;
    };
    const settings = (positionBlind: number | 'auto'): GaussianSettings => ({ dims: channels, ridge: 0.01, seed: 0, reduction: 'random-channels', positionBlind });
    const all = (n: number) => Array.from({ length: n }, (_, i) => i);

    it('1 stores one Gaussian at every position: the pooled mean and the same precision', async () => {
      const { params } = await fitGaussian(runtime, cacheOf(40, 1, createRng(3)), layout, settings(1), shape, names);
      const mean = params.get(names.mean)!.data as Float32Array;
      const precision = precisionOf(params, channels, positions);
      for (let p = 1; p < positions; p++) {
        for (let i = 0; i < channels; i++) expect(mean[i * positions + p]).toBeCloseTo(mean[i * positions], 5);
        for (let k = 0; k < channels * channels; k++) expect(precision[p * channels * channels + k]).toBeCloseTo(precision[k], 2);
      }
    });

    it("'auto' keeps position where good parts differ by position, and pools where a few photos cannot tell", async () => {
      const rng = createRng(4);
      const fixtured = await fitGaussian(runtime, cacheOf(200, 2, rng), layout, settings('auto'), shape, names, [{ indices: all(200), heldOut: all(40) }], cacheOf(40, 2, rng));
      expect(fixtured.positionBlind!.chosen).toBe(0);
      expect(fixtured.positionBlind!.candidates.map((c) => c.share)).toEqual(POSITION_BLIND_SHARES);
      const alike = await fitGaussian(runtime, cacheOf(8, 0, rng), layout, settings('auto'), shape, names, [{ indices: all(8), heldOut: all(40) }], cacheOf(40, 0, rng));
      expect(alike.positionBlind!.chosen).toBeGreaterThanOrEqual(0.5);
      // the chosen share is the most likely one
      const best = Math.min(...alike.positionBlind!.candidates.map((c) => c.nll));
      expect(alike.positionBlind!.candidates.find((c) => c.share === alike.positionBlind!.chosen)!.nll).toBe(best);
    });

    it("fits one set of Gaussians per group (a tiled model's tiles), stacked on the weights' first axis", async () => {
      const cache = cacheOf(40, 1, createRng(6));
      const [even, odd] = [0, 1].map((r) => all(40).filter((i) => i % 2 === r));
      const both = (await fitGaussian(runtime, cache, layout, settings(0.2), shape, names, [{ indices: even }, { indices: odd }])).params;
      const alone = await Promise.all([even, odd].map(async (indices) => (await fitGaussian(runtime, cache, layout, settings(0.2), shape, names, [{ indices }])).params));
      for (const name of [names.mean, names.whitening, names.whiteningScale]) {
        const [a, b] = alone.map((p) => p.get(name)!);
        expect(both.get(name)!.dims).toEqual([2 * a.dims[0], ...a.dims.slice(1)]);
        expect(Array.from(both.get(name)!.data as ArrayLike<number>)).toEqual([...Array.from(a.data as ArrayLike<number>), ...Array.from(b.data as ArrayLike<number>)]);
      }
    });

    it("'auto' without held-out images is refused", async () => {
      await expect(fitGaussian(runtime, cacheOf(8, 0, createRng(5)), layout, settings('auto'), shape, names)).rejects.toThrow(/held-out good images/);
    });

    describe('covariance blocks', () => {
      const blocked = (k: number): GaussianSettings => ({ ...settings(0), covarianceBlock: k });
      /** Inverse of a symmetric positive definite D×D matrix (Gauss–Jordan, float64). */
      const inverse = (m: Float64Array, d: number) => {
        const a = Float64Array.from(m);
        const inv = Float64Array.from({ length: d * d }, (_, k) => +(k % (d + 1) === 0));
        for (let c = 0; c < d; c++) {
          const pivot = a[c * d + c];
          for (let j = 0; j < d; j++) [a[c * d + j], inv[c * d + j]] = [a[c * d + j] / pivot, inv[c * d + j] / pivot];
          for (let r = 0; r < d; r++) {
            if (r === c) continue;
            const f = a[r * d + c];
            for (let j = 0; j < d; j++) [a[r * d + j], inv[r * d + j]] = [a[r * d + j] - f * a[c * d + j], inv[r * d + j] - f * inv[c * d + j]];
          }
        }
        return inv;
      };
      const dd = channels * channels;

      it("2 × 2 cells share one covariance, their cells' pooled one; each cell keeps its own mean", async () => {
        const cache = cacheOf(200, 1, createRng(7));
        const own = (await fitGaussian(runtime, cache, layout, blocked(1), shape, names)).params;
        const shared = (await fitGaussian(runtime, cache, layout, blocked(2), shape, names)).params;
        expect(shared.get(names.whitening)!.dims).toEqual([4, (channels * (channels + 1)) / 2]);
        expect(shared.get(names.whiteningScale)!.dims).toEqual([4, 1, 1]);
        expect(shared.get(names.mean)!.data).toEqual(own.get(names.mean)!.data);
        const [cellPrecision, blockPrecision] = [precisionOf(own, channels, positions), precisionOf(shared, channels, 4)];
        // both add the same ridge: the block's covariance is its four cells' covariances averaged
        for (let b = 0; b < 4; b++) {
          const [by, bx] = [Math.floor(b / 2), b % 2];
          const cells = [0, 1, 4, 5].map((offset) => by * 8 + bx * 2 + offset);
          const averaged = new Float64Array(dd);
          for (const q of cells) inverse(cellPrecision.subarray(q * dd, (q + 1) * dd), channels).forEach((v, k) => (averaged[k] += v / cells.length));
          const covariance = inverse(blockPrecision.subarray(b * dd, (b + 1) * dd), channels);
          for (let k = 0; k < dd; k++) expect(Math.abs(covariance[k] - averaged[k])).toBeLessThan(5e-3 * Math.sqrt(averaged[(Math.floor(k / channels) * (channels + 1))] * averaged[(k % channels) * (channels + 1)]));
        }
      });

      it("the map of shared blocks equals the per-position map with each block's whitening at its cells", async () => {
        const shared = (await fitGaussian(runtime, cacheOf(60, 1, createRng(8)), layout, blocked(2), shape, names)).params;
        const triangle = (channels * (channels + 1)) / 2;
        const blockOf = (p: number) => Math.floor(Math.floor(p / 4) / 2) * 2 + Math.floor((p % 4) / 2);
        const packed = shared.get(names.whitening)!.data as Uint16Array;
        const scale = shared.get(names.whiteningScale)!.data as Float32Array;
        const spread = new Map(shared);
        spread.set(names.whitening, { dtype: 'float16', dims: [positions, triangle], data: Uint16Array.from({ length: positions * triangle }, (_, k) => packed[blockOf(Math.floor(k / triangle)) * triangle + (k % triangle)]) });
        spread.set(names.whiteningScale, floatTensor([positions, 1, 1], Float32Array.from({ length: positions }, (_, p) => scale[blockOf(p)])));
        const rng = createRng(9);
        const feeds = { [layout[0].name]: { dtype: 'float32', dims: [3, channels, 4, 4], data: Float32Array.from({ length: 3 * channels * positions }, (_, k) => (k % positions) + 2 * gaussian(rng)) } } as Record<string, HostTensor>;
        const [blocks, cells] = await Promise.all([mapSession(layout, shape, shared, 'float32', blocked(2)), mapSession(layout, shape, spread, 'float32', blocked(1))]);
        const [a, b] = [await blocks(feeds), await cells(feeds)];
        expect(a.length).toBe(3 * positions);
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5 * Math.max(1, b[i]));
      });

      it('blocks that do not tile the grid are refused with the sizes that would', () => {
        expect(covarianceBlocks({ width: 4, height: 4 }, 2)).toEqual({ rows: 2, columns: 2 });
        expect(() => covarianceBlocks({ width: 6, height: 4 }, 4)).toThrow(/multiples of 32 px/);
      });
    });
  });
});
