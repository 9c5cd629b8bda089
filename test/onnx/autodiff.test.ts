import { describe, expect, it } from 'vitest';
import { addGradients, probeShapes, type ShapeMap } from '../../src/engine/onnx/autodiff';
import { GraphBuilder, attr, int64Tensor, type Graph } from '../../src/engine/onnx/graph';
import { serializeModel } from '../../src/engine/onnx/serialize';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { runSession, type HostTensor } from '../../src/engine/runtime';
import { createRng } from '../../src/engine/random';

const runtime = nodeRuntime(1);

type Gen = (r: () => number) => number;
const uniform: Gen = (r) => 2 * r() - 1;
const positive: Gen = (r) => 0.5 + 1.5 * r();
/** Keeps finite differences (steps up to 1e-2) off the kinks at `points`. */
const awayFrom =
  (...points: number[]): Gen =>
  (r) => {
    for (;;) {
      const v = 2 * r() - 1;
      if (points.every((p) => Math.abs(v - p) > 0.05)) return v;
    }
  };

interface InputSpec {
  dims: number[];
  gen: Gen;
}
const inp = (dims: number[], gen: Gen = uniform): InputSpec => ({ dims, gen });

interface Case {
  inputs: Record<string, InputSpec>;
  /** Defaults to every input. */
  wrt?: string[];
  /** Finite-difference step (default 1e-2). */
  eps?: number;
  /** Inputs of kinked ops (Relu-like) too numerous to keep off their kinks: directions that flip one's sign are redrawn. */
  kinks?: string[];
  /** Builds the forward graph on the declared inputs; the loss is sum_i <y_i, R_i> with fixed random R_i. */
  build(b: GraphBuilder): string[];
}

function random(dims: number[], gen: Gen, r: () => number): Float32Array {
  return Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => gen(r));
}

/** Forward graph plus a smooth scalar loss, its shapes probed once. */
async function setup(c: Case, seed: number) {
  const r = createRng(seed);
  const b = new GraphBuilder('check');
  const feeds: Record<string, HostTensor> = {};
  for (const [name, { dims, gen }] of Object.entries(c.inputs)) {
    b.input(name, 'float32', dims);
    feeds[name] = { dtype: 'float32', dims, data: random(dims, gen, r) };
  }
  const ys = c.build(b);
  const shapes = await probeShapes(runtime, b.graph, feeds);
  // The loss head's shapes are plain, so they are recorded here instead of probing a second time.
  const terms = ys.map((y) => {
    const dims = shapes.get(y)!;
    const prod = b.op('Mul', [y, b.constant(dims, random(dims, uniform, r))]);
    const term = b.op('ReduceSum', [prod], { keepdims: attr.i(0) });
    shapes.set(prod, dims).set(term, []);
    return term;
  });
  let loss = terms[0];
  for (const t of terms.slice(1)) {
    loss = b.op('Add', [loss, t]);
    shapes.set(loss, []);
  }
  return { b, feeds, shapes, loss, r };
}

/**
 * Checks addGradients against central differences: for each wrt value w and two random directions d,
 * (L(w + eps d) - L(w - eps d)) / 2 eps must match <dL/dw, d>.
 */
async function gradientCheck(c: Case, seed = 1) {
  const { b, feeds, shapes, loss, r } = await setup(c, seed);
  const wrt = c.wrt ?? Object.keys(c.inputs);
  const kinks = c.kinks ?? [];
  const forwardNodes = b.graph.nodes.length;
  const grads = addGradients(b.graph, { loss, wrt, shapes });
  b.outputAs(loss, 'loss');
  for (const w of wrt) b.outputAs(grads.get(w)!, `d_${w}`);
  for (const k of kinks) b.output(k);
  const session = await runtime.createSession(serializeModel(b.graph));
  const base = await runSession(runtime, session, feeds);
  const evaluate = async (w: string, data: Float32Array) => {
    const out = await runSession(runtime, session, { ...feeds, [w]: { ...feeds[w], data } }, ['loss', ...kinks]);
    return { loss: out.loss.data[0] as number, signs: kinks.flatMap((k) => Array.from(out[k].data as Float32Array, Math.sign)) };
  };
  const eps = c.eps ?? 1e-2;
  for (const w of wrt) {
    const grad = base[`d_${w}`];
    expect(grad.dims, `shape of d_${w}`).toEqual(feeds[w].dims);
    const x = feeds[w].data as Float32Array;
    const g = grad.data as Float32Array;
    let checked = 0;
    for (let attempt = 0; checked < 2 && attempt < 50; attempt++) {
      const d = random(feeds[w].dims, uniform, r);
      const plus = await evaluate(w, x.map((v, i) => v + eps * d[i]));
      const minus = await evaluate(w, x.map((v, i) => v - eps * d[i]));
      if (plus.signs.some((s, i) => s !== minus.signs[i])) continue; // a kink between the two points
      let analytic = 0;
      let scale = 0; // sum of |terms|: sets the float32 noise floor of the difference quotient
      for (let i = 0; i < d.length; i++) {
        analytic += g[i] * d[i];
        scale += Math.abs(g[i] * d[i]);
      }
      const numeric = (plus.loss - minus.loss) / (2 * eps);
      expect(Math.abs(numeric - analytic), `d_${w}: numeric ${numeric} vs analytic ${analytic}`).toBeLessThan(2e-3 * (1 + scale));
      checked++;
    }
    expect(checked, `directions for ${w} that cross no kink`).toBe(2);
  }
  await session.release();
  return { graph: b.graph, backward: b.graph.nodes.slice(forwardNodes), grads, base };
}

const unaryCases: [string, Gen, Record<string, ReturnType<typeof attr.f>>][] = [
  ['Identity', uniform, {}],
  ['Neg', uniform, {}],
  ['Exp', uniform, {}],
  ['Log', positive, {}],
  ['Tanh', uniform, {}],
  ['Sigmoid', uniform, {}],
  ['Softplus', uniform, {}],
  ['Sqrt', positive, {}],
  ['Relu', awayFrom(0), {}],
  ['LeakyRelu', awayFrom(0), { alpha: attr.f(0.2) }],
];

const cases: Record<string, Case> = {
  'Add with broadcasting': {
    inputs: { p: inp([2, 1, 4, 1]), q: inp([3, 1, 4]), a: inp([2, 3, 4, 4]), s: inp([]) },
    build: (b) => [b.op('Add', ['p', 'q']), b.op('Add', ['a', 's'])],
  },
  'Sub with broadcasting': {
    inputs: { p: inp([2, 1, 4, 1]), q: inp([3, 1, 4]), a: inp([2, 3, 4, 4]), s: inp([]) },
    build: (b) => [b.op('Sub', ['p', 'q']), b.op('Sub', ['s', 'a'])],
  },
  'Mul with broadcasting': {
    inputs: { p: inp([2, 1, 4, 1]), q: inp([3, 1, 4]), a: inp([2, 3, 4, 4]), s: inp([]) },
    build: (b) => [b.op('Mul', ['p', 'q']), b.op('Mul', ['s', 'a'])],
  },
  'Div with broadcasting': {
    inputs: { p: inp([2, 1, 4, 1]), q: inp([3, 1, 4], positive), a: inp([2, 3, 4, 4], positive), s: inp([]), c: inp([4], positive) },
    build: (b) => [b.op('Div', ['p', 'q']), b.op('Div', ['s', 'a']), b.op('Div', ['a', 'c'])],
  },
  'Pow with constant float, broadcast and int exponents': {
    inputs: { x: inp([2, 3, 4, 4], positive), z: inp([3, 1, 1], positive) },
    build: (b) => {
      const r = createRng(7);
      const exponents = b.constant([2, 3, 4, 4], random([2, 3, 4, 4], (u) => 1 + 2 * u(), r));
      const three = b.initializer('three', int64Tensor([], [3]));
      return [b.op('Pow', ['x', b.scalar(2.5)]), b.op('Pow', ['z', exponents]), b.op('Pow', ['x', three])];
    },
  },
  'Clip with both bounds and with max only': {
    inputs: { x: inp([2, 3, 4, 4], awayFrom(-0.5, 0.3, 0.5)) },
    build: (b) => [b.op('Clip', ['x', b.scalar(-0.5), b.scalar(0.5)]), b.op('Clip', ['x', '', b.scalar(0.3)])],
  },
  'MatMul with a constant left factor broadcast over batch': {
    inputs: { x: inp([2, 3, 4, 4]) },
    build: (b) => [b.op('MatMul', [b.constant([5, 4], random([5, 4], uniform, createRng(3))), 'x'])],
  },
  'MatMul with a constant right factor': {
    inputs: { x: inp([2, 3, 4, 4]) },
    build: (b) => [b.op('MatMul', ['x', b.constant([4, 6], random([4, 6], uniform, createRng(4)))])],
  },
  'MatMul with both operands differentiated and batch broadcasting': {
    inputs: { p: inp([2, 3, 4, 5]), q: inp([3, 5, 2]), u: inp([1, 3, 4, 5]), v: inp([2, 1, 5, 2]) },
    build: (b) => [b.op('MatMul', ['p', 'q']), b.op('MatMul', ['u', 'v'])],
  },
  'Split with an unused output, equal split on a negative axis': {
    inputs: { x: inp([2, 6, 4, 4]), w: inp([2, 3, 4, 6]) },
    build: (b) => {
      const [first, , last] = b.opN('Split', ['x', b.ints([1, 2, 3])], 3, { axis: attr.i(1) });
      const [left, right] = b.opN('Split', ['w'], 2, { axis: attr.i(-1), num_outputs: attr.i(2) });
      return [b.op('Concat', [first, b.op('Exp', [last])], { axis: attr.i(1) }), b.op('Mul', [left, right])];
    },
  },
  'Concat with a constant part': {
    inputs: { a: inp([2, 1, 4, 4]), c: inp([2, 3, 4, 4]) },
    build: (b) => [b.op('Concat', ['a', b.constant([2, 2, 4, 4], random([2, 2, 4, 4], uniform, createRng(5))), 'c'], { axis: attr.i(-3) })],
  },
  'Slice: contiguous, strided, reversed, open-ended, Constant-node bounds': {
    inputs: { x: inp([2, 3, 4, 6]) },
    build: (b) => {
      const starts = b.op('Constant', [], { value: attr.t(int64Tensor([1], [1])) });
      return [
        b.op('Slice', ['x', b.ints([1, 0]), b.ints([3, -1]), b.ints([2, 3])]),
        b.op('Slice', ['x', b.ints([0, -1]), b.ints([6, -10]), b.ints([3, 1]), b.ints([2, -1])]),
        b.op('Slice', ['x', b.ints([-4]), b.ints([1e9]), b.ints([-1])]),
        b.op('Slice', ['x', starts, b.ints([2])]),
      ];
    },
  },
  'Gather with a permutation along axis 1': {
    inputs: { x: inp([2, 4, 3, 3]) },
    build: (b) => [b.op('Gather', ['x', b.ints([2, 0, 3, 1])], { axis: attr.i(1) })],
  },
  'Transpose with explicit and default perm': {
    inputs: { x: inp([2, 3, 4, 5]) },
    build: (b) => [b.op('Transpose', ['x'], { perm: attr.ints([0, 2, 3, 1]) }), b.op('Transpose', ['x'])],
  },
  'Reshape, Unsqueeze, Squeeze': {
    inputs: { x: inp([2, 3, 4, 4]) },
    build: (b) => {
      const flat = b.op('Reshape', ['x', b.ints([6, 16])]);
      const lifted = b.op('Unsqueeze', [flat, b.ints([0])]);
      return [b.op('Tanh', [lifted]), b.op('Squeeze', [b.op('Unsqueeze', ['x', b.ints([1])]), b.ints([1])])];
    },
  },
  'ReduceSum and ReduceMean: keepdims, negative axes, all axes, noop': {
    inputs: { x: inp([2, 3, 4, 4]) },
    build: (b) => [
      b.op('ReduceMean', ['x', b.ints([0, 2, 3])]),
      b.op('ReduceSum', ['x', b.ints([1])], { keepdims: attr.i(0) }),
      b.op('Exp', [b.op('ReduceSum', ['x'], { keepdims: attr.i(0) })]),
      b.op('ReduceMean', ['x', b.ints([-1])], { keepdims: attr.i(0) }),
      b.op('ReduceSum', ['x', b.ints([])], { noop_with_empty_axes: attr.i(1) }),
    ],
  },
  'a value used several times': {
    inputs: { x: inp([2, 3, 4, 4]) },
    build: (b) => [b.op('Add', [b.op('Mul', ['x', 'x']), b.op('Mul', [b.op('Tanh', ['x']), 'x'])]), b.op('Add', ['x', 'x'])],
  },
};

describe('addGradients matches finite differences', () => {
  it.each(unaryCases)('%s', async (op, gen, attrs) => {
    await gradientCheck({ inputs: { x: inp([2, 3, 4, 4], gen) }, build: (b) => [b.op(op, ['x'], attrs)] });
  });

  it.each(Object.entries(cases))('%s', async (_name, c) => {
    await gradientCheck(c);
  });

  it.each([
    { kernel: [3, 3], pads: [1, 1, 1, 1], bias: true },
    { kernel: [1, 1], pads: [0, 0, 0, 0], bias: false },
    { kernel: [1, 1], pads: [0, 1, 1, 0], bias: false },
    { kernel: [3, 2], pads: [1, 0, 2, 1], bias: true },
  ])('Conv $kernel pads $pads bias $bias', async ({ kernel, pads, bias }) => {
    await gradientCheck({
      inputs: { x: inp([2, 3, 4, 5]), w: inp([4, 3, ...kernel]), ...(bias ? { bias: inp([4]) } : {}) },
      build: (b) => [b.op('Conv', ['x', 'w', ...(bias ? ['bias'] : [])], { pads: attr.ints(pads) })],
    });
  });

  it.each([
    { kernel: [3, 3], pads: [1, 1, 1, 1] },
    { kernel: [2, 2], pads: [0, 0, 0, 0] },
    { kernel: [5, 5], pads: [2, 2, 2, 2] },
    { kernel: [1, 3], pads: [0, 0, 0, 0] },
  ])('AveragePool $kernel pads $pads', async ({ kernel, pads }) => {
    await gradientCheck({
      inputs: { x: inp([2, 3, 5, 5]) },
      build: (b) => [b.op('AveragePool', ['x'], { kernel_shape: attr.ints(kernel), pads: attr.ints(pads), count_include_pad: attr.i(1) })],
    });
  });

  it('a flow-like coupling block end to end', async () => {
    const C = 4;
    await gradientCheck({
      // The conv bias is no wrt: batch norm cancels it, so its true gradient is 0 and a difference quotient only shows noise.
      inputs: { x: inp([2, C, 4, 4]), w: inp([C, C / 2, 3, 3]), bias: inp([C]), gamma: inp([1, C, 1, 1], positive), beta: inp([1, C, 1, 1]) },
      wrt: ['x', 'w', 'gamma', 'beta'],
      eps: 2e-3,
      kinks: ['pre_activation'],
      build: (b) => {
        const [x1, x2] = b.opN('Split', ['x', b.ints([C / 2, C / 2])], 2, { axis: attr.i(1) });
        const h = b.op('Conv', [x1, 'w', 'bias'], { pads: attr.ints([1, 1, 1, 1]) });
        // Batch norm in primitives, as the training graph writes it.
        const nhw = b.ints([0, 2, 3]);
        const centred = b.op('Sub', [h, b.op('ReduceMean', [h, nhw])]);
        const variance = b.op('ReduceMean', [b.op('Mul', [centred, centred]), nhw]);
        const normed = b.op('Div', [centred, b.op('Sqrt', [b.op('Add', [variance, b.scalar(1e-5)])])]);
        const affine = b.op('Add', [b.op('Mul', [normed, 'gamma']), 'beta'], {}, 'pre_activation');
        const act = b.op('LeakyRelu', [affine], { alpha: attr.f(0.2) });
        const [sRaw, t] = b.opN('Split', [act, b.ints([C / 2, C / 2])], 2, { axis: attr.i(1) });
        const s = b.op('Tanh', [sRaw]);
        const y2 = b.op('Add', [b.op('Mul', [x2, b.op('Exp', [s])]), t]);
        const z = b.op('Gather', [b.op('Concat', [x1, y2], { axis: attr.i(1) }), b.ints([3, 1, 0, 2])], { axis: attr.i(1) });
        const energy = b.op('Mul', [b.scalar(0.5), b.op('ReduceSum', [b.op('Mul', [z, z])], { keepdims: attr.i(0) })]);
        return [b.op('Sub', [energy, b.op('ReduceSum', [s], { keepdims: attr.i(0) })])];
      },
    });
  });
});

describe('addGradients graph construction', () => {
  it('emits nothing for values that do not depend on wrt, and zeros for a wrt the loss ignores', async () => {
    const { backward, base } = await gradientCheck({
      inputs: { x: inp([2, 3]), c: inp([2, 3]), unused: inp([3, 2]) },
      wrt: ['x', 'unused'],
      // Sin has no rule but only sees the constant c; Shape of x carries no gradient into Reshape; Neg of
      // `unused` never reaches the loss.
      build: (b) => {
        b.op('Neg', ['unused']);
        return [b.op('Mul', ['x', b.op('Sin', ['c'])]), b.op('Reshape', [b.op('Exp', ['x']), b.op('Shape', ['x'])])];
      },
    });
    expect(backward.some((n) => n.inputs.includes('x') && n.op === 'Mul')).toBe(false); // no d(Sin c) = g * x
    expect(backward.some((n) => n.inputs.includes('c'))).toBe(false);
    expect(Array.from(base.d_unused.data as Float32Array)).toEqual(new Array(6).fill(0));
  });

  async function shapesOf(c: Case): Promise<{ graph: Graph; shapes: ShapeMap; loss: string }> {
    const { b, shapes, loss } = await setup(c, 2);
    return { graph: b.graph, shapes, loss };
  }

  it('accepts a [1]-shaped loss and rejects a non-scalar one', async () => {
    const b = new GraphBuilder('loss');
    b.input('x', 'float32', [3]);
    const sum = b.op('ReduceSum', ['x', b.ints([0])]);
    const shapes = await probeShapes(runtime, b.graph, { x: { dtype: 'float32', dims: [3], data: new Float32Array(3) } });
    expect(shapes.get(sum)).toEqual([1]);
    expect(addGradients(b.graph, { loss: sum, wrt: ['x'], shapes }).size).toBe(1);
    expect(() => addGradients(b.graph, { loss: 'x', wrt: ['x'], shapes })).toThrow(/scalar/);
  });

  it.each([
    ['an op without a rule on the path', /no gradient rule for op Sin/, { inputs: { x: inp([2, 3]) }, build: (b: GraphBuilder) => [b.op('Sin', ['x'])] }],
    ['Gather with non-permutation indices', /Gather gradient needs 1-D indices that permute/, { inputs: { x: inp([2, 4]) }, build: (b: GraphBuilder) => [b.op('Gather', ['x', b.ints([0, 0, 1, 2])], { axis: attr.i(1) })] }],
    [
      'AveragePool without count_include_pad',
      /count_include_pad=1/,
      { inputs: { x: inp([1, 1, 4, 4]) }, build: (b: GraphBuilder) => [b.op('AveragePool', ['x'], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) })] },
    ],
    [
      'a strided AveragePool',
      /strides of 1 only/,
      { inputs: { x: inp([1, 1, 4, 4]) }, build: (b: GraphBuilder) => [b.op('AveragePool', ['x'], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), count_include_pad: attr.i(1) })] },
    ],
    ['a differentiated Pow exponent', /Pow node .* input 1/, { inputs: { x: inp([2], positive), p: inp([2]) }, build: (b: GraphBuilder) => [b.op('Pow', ['x', 'p'])] }],
  ] as [string, RegExp, Case][])('throws for %s', async (_name, message, c) => {
    const { graph, shapes, loss } = await shapesOf(c);
    expect(() => addGradients(graph, { loss, wrt: Object.keys(c.inputs), shapes })).toThrow(message);
  });

  it('keeps backward names apart from an earlier addGradients call', async () => {
    const { graph, shapes, loss } = await shapesOf({ inputs: { x: inp([2, 3]) }, build: (b) => [b.op('Tanh', ['x'])] });
    const first = addGradients(graph, { loss, wrt: ['x'], shapes }).get('x')!;
    const second = addGradients(graph, { loss, wrt: ['x'], shapes }).get('x')!;
    expect(first.startsWith('grad/')).toBe(true);
    expect(second.startsWith('grad1/')).toBe(true);
    const names = graph.nodes.flatMap((n) => n.outputs);
    expect(new Set(names).size).toBe(names.length);
  });
});
