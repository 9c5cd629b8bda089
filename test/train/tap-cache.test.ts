/**
 * The tap cache's float16: rounded on the host exactly as onnxruntime's Cast rounds (so caching in JS
 * changes no number a graph sees), and read back as the float32 value of each stored half.
 */
import { describe, expect, it } from 'vitest';
import { GraphBuilder, attr } from '../../src/engine/onnx/graph';
import { serializeModel } from '../../src/engine/onnx/serialize';
import { runSession } from '../../src/engine/runtime';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { createRng } from '../../src/engine/random';
import { TapCache, toHalf } from '../../src/engine/train/tap-cache';
import type { ScaledTap } from '../../src/engine/patchflow/aggregation';

/** Values that exercise every rounding case: ties, subnormals, overflow, signs, zero, Inf. */
function awkwardValues(): Float32Array {
  const rng = createRng(3);
  const values = [0, -0, 1, -1, 65504, 65520, 65519, 1e6, -1e6, Infinity, -Infinity, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -14, 2 ** -15 * 1.5, 1e-10, 1 + 2 ** -11, 1 + 3 * 2 ** -11];
  for (let i = 0; i < 20000; i++) values.push((rng() - 0.5) * 2 ** Math.floor(rng() * 40 - 28));
  return Float32Array.from(values);
}

describe('float16 in the tap cache', () => {
  it('rounds as onnxruntime Cast does, bit for bit', async () => {
    const runtime = nodeRuntime();
    const b = new GraphBuilder('cast');
    b.input('x', 'float32', ['n']);
    b.op('Cast', ['x'], { to: attr.i(10) }, 'y');
    b.output('y', 'float16', ['n']);
    const session = await runtime.createSession(serializeModel(b.graph));
    const x = awkwardValues();
    const ort = (await runSession(runtime, session, { x: { dtype: 'float32', dims: [x.length], data: x } })).y.data as Uint16Array;
    await session.release();
    const ours = Uint16Array.from(x, toHalf);
    const differing = [...ours].flatMap((h, i) => (h === ort[i] ? [] : [`${x[i]}: ${h.toString(16)} vs ${ort[i].toString(16)}`]));
    expect(differing).toEqual([]);
    expect(toHalf(NaN) & 0x7c00).toBe(0x7c00);
    expect(toHalf(NaN) & 0x3ff).not.toBe(0);
  });

  it('hands back batches as float32 values of what it stored', () => {
    const layout: ScaledTap[] = [{ name: 'tap/a@1', tap: { name: 'a', output: 'a', stride: 8, channels: 2 }, scale: 1, height: 1, width: 2, channelOffset: 0 }];
    const cache = new TapCache(layout, 2);
    cache.add({ 'tap/a@1:out': { dtype: 'float32', dims: [1, 2, 1, 2], data: Float32Array.of(1, 0.1, -2.5, 70000) } });
    cache.add({ 'tap/a@1:out': { dtype: 'float32', dims: [1, 2, 1, 2], data: Float32Array.of(3, 4, 5, 6) } });
    const batch = cache.batch([1, 0])['tap/a@1'];
    expect(batch.dtype).toBe('float32');
    expect(batch.dims).toEqual([2, 2, 1, 2]);
    expect(Array.from(batch.data as Float32Array)).toEqual([3, 4, 5, 6, 1, 0.0999755859375, -2.5, Infinity]);
    expect(cache.bytes).toBe(2 * 4 * 2);
  });
});
