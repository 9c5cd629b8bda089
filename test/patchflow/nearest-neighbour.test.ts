/** The nearest-neighbour companion: its ONNX map against a direct computation, and the greedy coreset's covering radius. */
import { describe, expect, it } from 'vitest';
import { GraphBuilder, floatTensor } from '../../src/engine/onnx/graph';
import { serializeModel } from '../../src/engine/onnx/serialize';
import { runSession, type HostTensor } from '../../src/engine/runtime';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { webRuntime } from '../../src/engine/runtime/web';
import { createRng, gaussian } from '../../src/engine/random';
import { gridOf, tapLayout } from '../../src/engine/patchflow/aggregation';
import { chosenChannels, gaussianNames, type GaussianSettings } from '../../src/engine/patchflow/gaussian';
import { appendNearestNeighbourMap, bankName } from '../../src/engine/patchflow/nearest-neighbour';
import { greedyCoreset } from '../../src/engine/train/coreset';
import { toyBackbone } from './toy-backbone';

const runtime = nodeRuntime(1);

describe('nearest-neighbour companion', () => {
  it('the ONNX map is 0.5·min_k ‖x − b_k‖² / D of each pooled patch of a tall input, on onnxruntime-node and -web', async () => {
    const backbone = toyBackbone(['a', 8, 6], ['b', 8, 5]);
    const input = { width: 32, height: 48 };
    const layout = tapLayout({ inputSize: 32, input, scales: [1], taps: ['a', 'b'] }, backbone);
    const grid = gridOf(input);
    const settings: GaussianSettings = { dims: 4, ridge: 0, seed: 2, reduction: 'random-channels', model: 'nearest-neighbour' };
    const rng = createRng(5);
    const bankRows = 7;
    const bank = Float32Array.from({ length: bankRows * settings.dims }, () => gaussian(rng));
    const b = new GraphBuilder('nn_map');
    const taps: Record<string, string> = {};
    for (const t of layout) taps[t.name] = b.input(t.name, 'float32', ['batch', t.tap.channels, t.height, t.width]);
    b.initializer(bankName(0), floatTensor([bankRows, settings.dims], bank));
    b.outputAs(appendNearestNeighbourMap(b, layout, taps, grid, gaussianNames(0), settings, bankName(0)), 'map', 'float32', ['batch', 1, grid.height, grid.width]);
    const model = serializeModel(b.graph);

    const images = 2;
    const feeds: Record<string, HostTensor> = {};
    for (const t of layout) {
      const dims = [images, t.tap.channels, t.height, t.width];
      feeds[t.name] = { dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((x, y) => x * y) }, () => gaussian(rng)) };
    }
    // direct: the chosen channels of the 3×3-pooled taps (stride 8 at 32 × 48 px: the grid itself, no resize)
    const chosen = chosenChannels(layout, settings);
    const positions = grid.height * grid.width;
    const pooled = (n: number, channel: number, p: number) => {
      const t = channel < 6 ? layout[0] : layout[1];
      const c = channel < 6 ? channel : channel - 6;
      const data = feeds[t.name].data as Float32Array;
      const [y, x] = [Math.floor(p / grid.width), p % grid.width];
      let s = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const [yy, xx] = [y + dy, x + dx];
          if (yy >= 0 && xx >= 0 && yy < grid.height && xx < grid.width) s += data[((n * t.tap.channels + c) * grid.height + yy) * grid.width + xx];
        }
      return s / 9;
    };
    const expected = new Float32Array(images * positions);
    for (let n = 0; n < images; n++)
      for (let p = 0; p < positions; p++) {
        const x = chosen.map((c) => pooled(n, c, p));
        let best = Infinity;
        for (let k = 0; k < bankRows; k++) best = Math.min(best, x.reduce((s, v, i) => s + (v - bank[k * settings.dims + i]) ** 2, 0));
        expected[n * positions + p] = (0.5 * best) / settings.dims;
      }
    for (const rt of [runtime, webRuntime('wasm')]) {
      const session = await rt.createSession(model);
      const map = (await runSession(rt, session, feeds)).map.data as Float32Array;
      for (let k = 0; k < expected.length; k++) expect(Math.abs(map[k] - expected[k])).toBeLessThanOrEqual(1e-4 * Math.max(1, expected[k]));
    }
  });

  it('greedy k-center covers the patches with a smaller radius than as many drawn at random', async () => {
    const rng = createRng(9);
    const dims = 8;
    // clusters of very different sizes: random draws crowd the big ones and leave the small ones far away
    const centres = Array.from({ length: 12 }, () => Array.from({ length: dims }, () => 10 * gaussian(rng)));
    const m = 3000;
    const patches = new Float32Array(m * dims);
    for (let i = 0; i < m; i++) {
      const c = centres[i < 2000 ? 0 : 1 + (i % 11)];
      for (let k = 0; k < dims; k++) patches[i * dims + k] = c[k] + gaussian(rng);
    }
    const count = 30;
    const { indices, radius } = await greedyCoreset(runtime, patches, dims, count, 1);
    expect(new Set(indices).size).toBe(count);
    const coveringRadius = (chosen: number[]) => {
      let worst = 0;
      for (let i = 0; i < m; i++) {
        let best = Infinity;
        for (const j of chosen) best = Math.min(best, patches.subarray(i * dims, (i + 1) * dims).reduce((s, v, k) => s + (v - patches[j * dims + k]) ** 2, 0));
        worst = Math.max(worst, best);
      }
      return Math.sqrt(worst);
    };
    expect(radius).toBeCloseTo(coveringRadius(indices), 3);
    const draw = createRng(4);
    for (let trial = 0; trial < 5; trial++) {
      const random = Array.from({ length: count }, () => Math.floor(draw() * m));
      expect(radius).toBeLessThan(coveringRadius(random));
    }
    // every cluster has a bank entry: the radius is of a cluster's own spread, not the distance between clusters
    expect(radius).toBeLessThan(8);
    await expect(greedyCoreset(runtime, patches, dims, m + 1, 1)).rejects.toThrow(/not possible/);
  });
});
