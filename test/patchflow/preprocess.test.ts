import { describe, expect, it } from 'vitest';
import { GraphBuilder, attr } from '../../src/engine/onnx/graph';
import { serializeModel } from '../../src/engine/onnx/serialize';
import { runSession } from '../../src/engine/runtime';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { createRng } from '../../src/engine/random';
import { IMAGE_OUTPUT, buildPreprocessGraph, cropRect, photoPlacement, preprocessFeeds, resampleTaps } from '../../src/engine/patchflow/preprocess';
import { decodeSize } from '../../src/engine/image/decode';

const runtime = nodeRuntime(1);

/** onnxruntime's own antialiased Resize (what WebGPU lacks), as the reference. */
async function resizeAntialias(data: Uint8Array, height: number, width: number, size: number, outWidth = size): Promise<Float32Array> {
  const b = new GraphBuilder('reference');
  const pixels = b.input('pixels', 'uint8', [height, width, 3]);
  const nchw = b.op('Unsqueeze', [b.op('Transpose', [b.op('Cast', [pixels], { to: attr.i(1) })], { perm: attr.ints([2, 0, 1]) }), b.ints([0])]);
  b.op('Resize', [nchw, '', '', b.ints([1, 3, size, outWidth])], { mode: attr.s('linear'), coordinate_transformation_mode: attr.s('half_pixel'), antialias: attr.i(1) }, 'out');
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
    const graph = buildPreprocessGraph({ input: { width: size, height: size }, centerCrop: null, scale: [1, 1, 1], offset: [0, 0, 0] });
    const session = await runtime.createSession(serializeModel(graph));
    const ours = (await runSession(runtime, session, preprocessFeeds({ width, height, data }, { input: { width: size, height: size }, centerCrop: null, stretch: true })))[IMAGE_OUTPUT].data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - reference[i]));
    expect(worst).toBeLessThan(1e-3);
  });

  it('letterboxes a photo of another aspect ratio: resized whole, centred, the sides repeating its edge', async () => {
    const [height, width] = [300, 100];
    const input = { width: 64, height: 64 };
    const rng = createRng(3);
    const data = Uint8Array.from({ length: height * width * 3 }, () => Math.floor(rng() * 256));
    const place = photoPlacement({ width, height }, { input, centerCrop: null });
    expect(place).toEqual({ x: 21, y: 0, width: 21, height: 64 });
    const graph = buildPreprocessGraph({ input, centerCrop: null, scale: [1, 1, 1], offset: [0, 0, 0] });
    const session = await runtime.createSession(serializeModel(graph));
    const ours = (await runSession(runtime, session, preprocessFeeds({ width, height, data }, { input, centerCrop: null })))[IMAGE_OUTPUT].data as Float32Array;
    const photo = await resizeAntialias(data, height, width, place.height, place.width);
    const edgeColumn = (x: number) => Uint8Array.from({ length: height * 3 }, (_, i) => data[(Math.floor(i / 3) * width + x) * 3 + (i % 3)]);
    const [left, right] = await Promise.all([0, width - 1].map((x) => resizeAntialias(edgeColumn(x), height, 1, place.height, 1)));
    let worst = 0;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < input.height; y++)
        for (let x = 0; x < input.width; x++) {
          const inside = x - place.x;
          const want = inside < 0 ? left[c * 64 + y] : inside >= place.width ? right[c * 64 + y] : photo[(c * place.height + y) * place.width + inside];
          worst = Math.max(worst, Math.abs(ours[(c * input.height + y) * input.width + x] - want));
        }
    expect(worst).toBeLessThan(1e-3);
  });

  it('cuts the region of interest first, then the centre crop inside it, in whole pixels', () => {
    const photo = { width: 400, height: 300 };
    expect(cropRect(photo, { centerCrop: null })).toEqual({ x: 0, y: 0, width: 400, height: 300 });
    expect(cropRect(photo, { centerCrop: 0.5 })).toEqual({ x: 125, y: 75, width: 150, height: 150 });
    const region = { x: 0.5, y: 0, width: 0.5, height: 1 };
    expect(cropRect(photo, { centerCrop: null, region })).toEqual({ x: 200, y: 0, width: 200, height: 300 });
    expect(cropRect(photo, { centerCrop: 1, region })).toEqual({ x: 200, y: 50, width: 200, height: 200 });
    // a region of the model's aspect fills its input; a sliver is never empty
    expect(photoPlacement(photo, { input: { width: 64, height: 96 }, centerCrop: null, region })).toEqual({ x: 0, y: 0, width: 64, height: 96 });
    expect(cropRect(photo, { centerCrop: null, region: { x: 0.999, y: 0, width: 0.001, height: 1 } }).width).toBe(1);
  });

  it('photos far larger than the model are decoded at most 4× its input on their longer side', () => {
    expect(decodeSize(512, 512, 256)).toEqual({ width: 512, height: 512 });
    expect(decodeSize(6000, 4000, 256)).toEqual({ width: 1024, height: 683 });
    expect(decodeSize(256, 10000, 256)).toEqual({ width: 26, height: 1024 });
  });
});
