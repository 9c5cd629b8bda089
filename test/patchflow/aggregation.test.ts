import { describe, expect, it } from 'vitest';
import { GraphBuilder, attr, floatTensor } from '../../src/engine/onnx/graph';
import { serializeModel } from '../../src/engine/onnx/serialize';
import { runSession, type HostTensor } from '../../src/engine/runtime';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { createRng, gaussian } from '../../src/engine/random';
import { aggregateAndAdapt, avgPool3x3, bilinearMatrix, resizeBilinear, tapLayout } from '../../src/engine/patchflow/aggregation';
import { toyBackbone } from './toy-backbone';

const runtime = nodeRuntime(1);

const backbone = toyBackbone(['a', 8, 3], ['b', 16, 5]);

describe('feature aggregation', () => {
  it('bilinear matrices match PyTorch align_corners=False (upsample ×2 of 2 samples)', () => {
    // torch.nn.functional.interpolate(torch.tensor([[[0., 1.]]]), size=4, mode='linear') = [0, 0.25, 0.75, 1]
    const m = bilinearMatrix(2, 4);
    const y = [0, 1, 2, 3].map((o) => m[o * 2] * 0 + m[o * 2 + 1] * 1);
    expect(y).toEqual([0, 0.25, 0.75, 1]);
    // downsample ×2 averages neighbour pairs
    expect(Array.from(bilinearMatrix(4, 2))).toEqual([0.5, 0.5, 0, 0, 0, 0, 0.5, 0.5]);
  });

  it('adapter applied per tap equals the 1×1 conv over concat(resize(pool(tap)))', async () => {
    const layout = tapLayout({ inputSize: 64, scales: [1, 0.5], taps: ['a', 'b'] }, backbone);
    expect(layout.map((t) => [t.height, t.channelOffset])).toEqual([[8, 0], [4, 3], [4, 8], [2, 11]]);
    const rng = createRng(1);
    const total = 16;
    const b = new GraphBuilder('agg');
    const inputs: Record<string, string> = {};
    const feeds: Record<string, HostTensor> = {};
    for (const t of layout) {
      inputs[t.name] = b.input(t.name, 'float32', [2, t.tap.channels, t.height, t.width]);
      const n = 2 * t.tap.channels * t.height * t.width;
      feeds[t.name] = { dtype: 'float32', dims: [2, t.tap.channels, t.height, t.width], data: Float32Array.from({ length: n }, () => gaussian(rng)) };
    }
    const w = b.initializer('w', floatTensor([6, total, 1, 1], Array.from({ length: 6 * total }, () => gaussian(rng))));
    const bias = b.initializer('bias', floatTensor([6], [1, 2, 3, 4, 5, 6]));
    b.outputAs(aggregateAndAdapt(b, layout, inputs, w, bias, { width: 8, height: 8 }), 'fast');
    const onGrid = layout.map((t) => resizeBilinear(b, avgPool3x3(b, inputs[t.name]), [t.height, t.width], [8, 8]));
    b.outputAs(b.op('Conv', [b.op('Concat', onGrid, { axis: attr.i(1) }), w, bias]), 'reference');
    const session = await runtime.createSession(serializeModel(b.graph));
    const out = await runSession(runtime, session, feeds);
    const fast = out.fast.data as Float32Array;
    const ref = out.reference.data as Float32Array;
    expect(fast.length).toBe(2 * 6 * 64);
    for (let i = 0; i < fast.length; i++) expect(fast[i]).toBeCloseTo(ref[i], 4);
  });
});
