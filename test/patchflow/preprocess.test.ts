import { describe, expect, it } from 'vitest';
import { GraphBuilder, attr } from '../../src/engine/onnx/graph';
import { serializeModel } from '../../src/engine/onnx/serialize';
import { runSession } from '../../src/engine/runtime';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { createRng } from '../../src/engine/random';
import { IMAGE_OUTPUT, buildPreprocessGraph, preprocessFeeds, resampleTaps } from '../../src/engine/patchflow/preprocess';
import { decodeSize } from '../../src/engine/image/decode';

const runtime = nodeRuntime(1);

/** onnxruntime's own antialiased Resize (what WebGPU lacks), as the reference. */
async function resizeAntialias(data: Uint8Array, height: number, width: number, size: number): Promise<Float32Array> {
  const b = new GraphBuilder('reference');
  const pixels = b.input('pixels', 'uint8', [height, width, 3]);
  const nchw = b.op('Unsqueeze', [b.op('Transpose', [b.op('Cast', [pixels], { to: attr.i(1) })], { perm: attr.ints([2, 0, 1]) }), b.ints([0])]);
  b.op('Resize', [nchw, '', '', b.ints([1, 3, size, size])], { mode: attr.s('linear'), coordinate_transformation_mode: attr.s('half_pixel'), antialias: attr.i(1) }, 'out');
  b.output('out', 'float32');
  const session = await runtime.createSession(serializeModel(b.graph));
  return (await runSession(runtime, session, { pixels: { dtype: 'uint8', dims: [height, width, 3], data } })).out.data as Float32Array;
}

describe('preprocess', () => {
  it('resampling taps are normalised, and a same-size resample is the identity', () => {
    const down = resampleTaps(900, 256);
    for (let o = 0; o < 256; o++) {
      const sum = Array.from(down.weight.subarray(o * down.taps, (o + 1) * down.taps)).reduce((a, w) => a + w, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
    const same = resampleTaps(64, 64);
    for (let o = 0; o < 64; o++) {
      const k = Array.from(same.weight.subarray(o * same.taps, (o + 1) * same.taps)).indexOf(1);
      expect(Number(same.index[o * same.taps + k])).toBe(o);
    }
  });

  // down, slightly down, tall, up, odd sizes: every case a station's photos bring
  it.each([
    [512, 512],
    [300, 300],
    [646, 256],
    [80, 100],
    [701, 1023],
  ])('the gather resize equals onnxruntime Resize(antialias=1) on a %i×%i photo', async (height, width) => {
    const size = 256;
    const rng = createRng(height * width);
    const data = Uint8Array.from({ length: height * width * 3 }, () => Math.floor(rng() * 256));
    const reference = await resizeAntialias(data, height, width, size);
    const graph = buildPreprocessGraph({ inputSize: size, centerCrop: null, scale: [1, 1, 1], offset: [0, 0, 0] });
    const session = await runtime.createSession(serializeModel(graph));
    const ours = (await runSession(runtime, session, preprocessFeeds({ width, height, data }, { inputSize: size, centerCrop: null })))[IMAGE_OUTPUT].data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - reference[i]));
    expect(worst).toBeLessThan(1e-3);
  });

  it('photos far larger than the model are decoded at most 4× its input on their longer side', () => {
    expect(decodeSize(512, 512, 256)).toEqual({ width: 512, height: 512 });
    expect(decodeSize(6000, 4000, 256)).toEqual({ width: 1024, height: 683 });
    expect(decodeSize(256, 10000, 256)).toEqual({ width: 26, height: 1024 });
  });
});
