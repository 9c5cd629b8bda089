import { describe, expect, it } from 'vitest';
import { GraphBuilder, attr, compose, extractSubgraph, floatTensor, withNarrowConcatsAndSplits, withoutIdentities, type Graph } from '../../src/engine/onnx/graph';
import { parseModel, serializeModel } from '../../src/engine/onnx/serialize';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { runSession } from '../../src/engine/runtime';

const runtime = nodeRuntime(1);

describe('graph toolkit', () => {
  it('builds, serialises and runs a conv graph; parse round-trips it', async () => {
    const b = new GraphBuilder('conv');
    const x = b.input('x', 'float32', [1, 1, 3, 3]);
    const w = b.initializer('w', floatTensor([1, 1, 3, 3], [0, 0, 0, 0, 1, 0, 0, 0, 2]));
    const y = b.op('Conv', [x, w], { pads: attr.ints([1, 1, 1, 1]) });
    b.outputAs(b.op('LeakyRelu', [y], { alpha: attr.f(0.5) }), 'y');
    const bytes = serializeModel(b.graph, { purpose: 'test' });
    const parsed = parseModel(bytes);
    expect(parsed.metadata.purpose).toBe('test');
    expect(parsed.graph.nodes.map((n) => n.op)).toEqual(['Conv', 'LeakyRelu', 'Identity']);
    expect(parsed.graph.nodes[1].attrs.alpha).toEqual({ kind: 'float', value: 0.5 });
    const session = await runtime.createSession(serializeModel(parsed.graph));
    const out = await runSession(runtime, session, { x: { dtype: 'float32', dims: [1, 1, 3, 3], data: Float32Array.from([1, -2, 3, 4, 5, 6, 7, 8, 9]) } });
    // centre tap + 2 × bottom-right neighbour; negatives halved by LeakyRelu(0.5)
    expect(Array.from(out.y.data as Float32Array)).toEqual([1 + 2 * 5, -2 + 2 * 6, 3, 4 + 2 * 8, 5 + 2 * 9, 6, 7, 8, 9]);
  });

  it('composes two graphs and extracts a subgraph', async () => {
    const a = new GraphBuilder('a');
    const x = a.input('x', 'float32', [2]);
    const twice = a.op('Add', [x, x], {}, 'twice');
    a.outputAs(a.op('Neg', [twice]), 'unused');
    const c = new GraphBuilder('c');
    const u = c.input('u', 'float32', [2]);
    const k = c.input('k', 'float32', [2]);
    c.outputAs(c.op('Mul', [u, k]), 'prod');
    const composed = extractSubgraph(compose(a.graph, c.graph, { u: twice }), ['b/prod']);
    expect(composed.nodes.some((n) => n.op === 'Neg')).toBe(false);
    expect(composed.inputs.map((i) => i.name).sort()).toEqual(['b/k', 'x']);
    const session = await runtime.createSession(serializeModel(composed));
    const out = await runSession(runtime, session, {
      x: { dtype: 'float32', dims: [2], data: Float32Array.from([1, 2]) },
      'b/k': { dtype: 'float32', dims: [2], data: Float32Array.from([3, 4]) },
    });
    expect(Array.from(out['b/prod'].data as Float32Array)).toEqual([6, 16]);
  });
  it("rebuilds wide Concats and Splits as trees of narrow ones (WebGPU's binding limit), with the same values", async () => {
    // 11 maps of 1 to 11 channels concatenated, then split back into 10 parts of other sizes
    const b = new GraphBuilder('wide');
    const parts = Array.from({ length: 11 }, (_, i) => b.input(`x${i}`, 'float32', [1, i + 1, 2]));
    const all = b.op('Concat', parts, { axis: attr.i(1) });
    const sizes = [3, 9, 1, 7, 5, 2, 11, 8, 6, 14];
    b.opN('Split', [all, b.ints(sizes)], sizes.length, { axis: attr.i(1) }).forEach((part, i) => b.outputAs(part, `y${i}`));
    const fan = 4;
    const narrow = withNarrowConcatsAndSplits(b.graph, fan);
    for (const n of narrow.nodes) {
      if (n.op === 'Concat') expect(n.inputs.length).toBeLessThanOrEqual(fan);
      if (n.op === 'Split') expect(n.outputs.length).toBeLessThanOrEqual(fan);
    }
    const feeds = Object.fromEntries(parts.map((name, i) => [name, { dtype: 'float32' as const, dims: [1, i + 1, 2], data: Float32Array.from({ length: 2 * (i + 1) }, (_, k) => 100 * i + k) }]));
    const run = async (g: Graph) => runSession(runtime, await runtime.createSession(serializeModel(g)), feeds);
    const [wide, rebuilt] = [await run(b.graph), await run(narrow)];
    for (const i of sizes.keys()) expect(Array.from(rebuilt[`y${i}`].data as Float32Array)).toEqual(Array.from(wide[`y${i}`].data as Float32Array));
    // narrow graphs pass unchanged
    expect(withNarrowConcatsAndSplits(narrow, fan)).toBe(narrow);
  });

  it('drops Identity nodes (WebGPU has none): outputs keep their names and values, copies of inputs and of other outputs stay', async () => {
    const b = new GraphBuilder('copies');
    const x = b.input('x', 'float32', [3]);
    const relu = b.op('Relu', [x]);
    const copy = b.op('Identity', [b.op('Identity', [relu])]); // a chain read inside the graph
    b.outputAs(relu, 'relu'); // an output named after a value read elsewhere too
    b.outputAs(relu, 'relu_again'); // a second name for the same value
    b.outputAs(b.op('Neg', [copy]), 'negated');
    b.outputAs(x, 'x_out'); // an input passed through
    const bare = withoutIdentities(b.graph);
    expect(bare.nodes.filter((n) => n.op === 'Identity').map((n) => n.outputs[0]).sort()).toEqual(['relu_again', 'x_out']);
    expect(bare.outputs).toEqual(b.graph.outputs);
    const feeds = { x: { dtype: 'float32' as const, dims: [3], data: Float32Array.from([-1, 2, -3]) } };
    const run = async (g: Graph) => runSession(runtime, await runtime.createSession(serializeModel(g)), feeds);
    const [before, after] = [await run(b.graph), await run(bare)];
    for (const name of ['relu', 'relu_again', 'negated', 'x_out']) expect(Array.from(after[name].data as Float32Array)).toEqual(Array.from(before[name].data as Float32Array));
    expect(Array.from(after.negated.data as Float32Array)).toEqual([-0, -2, -0]);
    expect(withoutIdentities(bare).nodes).toEqual(bare.nodes);
  });
});
