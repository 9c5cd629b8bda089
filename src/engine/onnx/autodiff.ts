/**
 * Reverse-mode differentiation of our ONNX graphs: backward nodes are appended to the forward graph, so a
 * training step (loss and gradients) is one more ONNX graph run by onnxruntime. Shapes are static (the
 * batch size is fixed at training time), which lets every broadcasting rule reduce its gradient back to the
 * operand's exact shape without shape arithmetic inside the graph.
 */
import onnxProto from 'onnx-proto';
import { GraphBuilder, attr, floatTensor, producedNames, type Attr, type Graph, type Node, type Tensor } from './graph';
import { serializeModel } from './serialize';
import { runSession, type HostTensor, type Runtime } from '../runtime';

const { onnx } = onnxProto;

/** Static shapes of every value in a forward graph (inputs, initializers, node outputs). */
export type ShapeMap = Map<string, number[]>;

/** Runs the graph once on onnxruntime with every intermediate value exposed as an output and records shapes. */
export async function probeShapes(runtime: Runtime, graph: Graph, feeds: Record<string, HostTensor>): Promise<ShapeMap> {
  const shapes: ShapeMap = new Map();
  for (const [name, t] of graph.initializers) shapes.set(name, [...t.dims]);
  for (const [name, t] of Object.entries(feeds)) shapes.set(name, [...t.dims]);
  const declared = new Set(graph.outputs.map((o) => o.name));
  const probed = [...new Set(graph.nodes.flatMap((n) => n.outputs))].filter((v) => v !== '' && !declared.has(v));
  const model = onnx.ModelProto.decode(
    serializeModel({ ...graph, outputs: [...graph.outputs, ...probed.map((name) => ({ name, dtype: 'float32' as const }))] }),
  );
  // Probed outputs go out untyped: onnxruntime takes their element type from its own inference, so we need
  // no dtype rules of our own (Shape gives int64, Greater gives bool, ...).
  for (const o of model.graph?.output ?? []) if (!declared.has(o.name ?? '')) o.type = null;
  const session = await runtime.createSession(onnx.ModelProto.encode(model).finish());
  try {
    for (const [name, t] of Object.entries(await runSession(runtime, session, feeds))) shapes.set(name, t.dims);
  } finally {
    await session.release();
  }
  return shapes;
}

/** Ops whose outputs are integers or booleans: no gradient flows through them, whatever they read. */
const NO_GRADIENT = new Set(['Shape', 'Size', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'ArgMax', 'ArgMin']);

/**
 * Appends backward nodes to graph.nodes computing d(loss)/d(w) for each w in wrt. `loss` must be a scalar
 * (shape [] or [1]) float value. Returns map wrt-name -> name of its gradient value (same shape as w). Values
 * that do not depend on any wrt value get no gradient (and no backward nodes); a wrt value the loss does not
 * depend on gets a zero gradient. graph.nodes must be in topological order, as ONNX requires.
 */
export function addGradients(graph: Graph, options: { loss: string; wrt: string[]; shapes: ShapeMap }): Map<string, string> {
  const { loss, wrt, shapes } = options;
  const lossShape = shapes.get(loss);
  if (!lossShape) throw new Error(`addGradients: no shape known for loss '${loss}'`);
  if (lossShape.length > 1 || size(lossShape) !== 1) throw new Error(`addGradients: loss '${loss}' must be a scalar, has shape [${lossShape}]`);

  const forward = [...graph.nodes];
  // Forward pass over the graph: which values depend on a wrt value.
  const active = new Set(wrt);
  for (const n of forward) {
    if (!NO_GRADIENT.has(n.op) && n.inputs.some((v) => active.has(v))) for (const o of n.outputs) if (o) active.add(o);
  }
  // Backward pass: the nodes that lie on a path from a wrt value to the loss, in reverse order.
  const needed = new Set<string>(active.has(loss) ? [loss] : []);
  const onPath: Node[] = [];
  for (let i = forward.length - 1; i >= 0; i--) {
    const n = forward[i];
    if (!n.outputs.some((o) => needed.has(o)) || !n.inputs.some((v) => active.has(v))) continue;
    onPath.push(n);
    for (const v of n.inputs) if (active.has(v)) needed.add(v);
  }

  const ctx = new Backward(graph, shapes, forward);
  if (needed.has(loss)) ctx.accumulate(loss, ctx.b.initializer(ctx.b.fresh('seed'), floatTensor(lossShape, [1])));
  for (const n of onPath) {
    const label = `${n.op} node '${n.name ?? n.outputs[0]}'`;
    const rule = RULES[n.op];
    if (!rule) throw new Error(`addGradients: no gradient rule for op ${n.op} (${label} lies between [${wrt}] and the loss)`);
    const want = n.inputs.map((v) => active.has(v));
    want.forEach((w, i) => {
      if (w && rule.inputs !== 'all' && !rule.inputs.includes(i)) throw new Error(`addGradients: ${label} cannot pass a gradient to its input ${i} ('${n.inputs[i]}')`);
    });
    const grads = rule.grad(ctx, n, n.outputs.map((o) => ctx.gradOf(o)), want);
    grads.forEach((g, i) => {
      if (g !== undefined && want[i]) ctx.accumulate(n.inputs[i], g);
    });
  }
  return new Map(wrt.map((w) => [w, ctx.gradOf(w) ?? ctx.zeros(ctx.shape(w))]));
}

function size(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

type AttrValues = { [A in Attr as A['kind']]: A['value'] };

function attrValue<K extends Attr['kind']>(node: Node, name: string, kind: K): AttrValues[K] | undefined {
  const a = node.attrs[name];
  if (a === undefined) return undefined;
  if (a.kind !== kind) throw new Error(`${node.op}: attribute '${name}' should be ${kind}, is ${a.kind}`);
  return a.value as AttrValues[K];
}

/** The state of one addGradients call: the builder for backward nodes and the gradient contributions so far. */
class Backward {
  readonly b: GraphBuilder;
  private readonly contributions = new Map<string, string[]>();
  private readonly producer = new Map<string, Node>();
  private readonly constants = new Map<string, string>();

  constructor(
    private readonly graph: Graph,
    private readonly shapes: ShapeMap,
    forward: Node[],
  ) {
    this.b = new GraphBuilder(graph, uniquePrefix(graph));
    for (const n of forward) for (const o of n.outputs) this.producer.set(o, n);
  }

  shape(v: string): number[] {
    const s = this.shapes.get(v);
    if (!s) throw new Error(`addGradients: no shape known for '${v}' (probe the graph after its last edit)`);
    return s;
  }

  accumulate(v: string, g: string): void {
    const list = this.contributions.get(v);
    if (list) list.push(g);
    else this.contributions.set(v, [g]);
  }

  /** The total gradient of v: its contributions summed with Add, once. */
  gradOf(v: string): string | undefined {
    const list = this.contributions.get(v);
    if (!list) return undefined;
    if (list.length > 1) list.splice(0, list.length, list.reduce((sum, g) => this.op('Add', [sum, g])));
    return list[0];
  }

  op(op: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.b.op(op, inputs, attrs);
  }

  /** Small constants are shared: rules ask for the same 0, 1 and axes lists over and over. */
  scalar(value: number): string {
    return this.shared(`f${value}`, () => this.b.scalar(value));
  }

  ints(values: number[]): string {
    return this.shared(`i${values}`, () => this.b.ints(values));
  }

  private shared(key: string, make: () => string): string {
    let name = this.constants.get(key);
    if (name === undefined) this.constants.set(key, (name = make()));
    return name;
  }

  zeros(shape: number[]): string {
    return this.op('ConstantOfShape', [this.ints(shape)]); // default value: float32 0
  }

  reshape(g: string, shape: number[]): string {
    return this.op('Reshape', [g, this.ints(shape)]);
  }

  /** Sums a gradient of shape `from` over the axes that numpy broadcasting expanded, back to shape `to`. */
  unbroadcast(g: string, from: number[], to: number[]): string {
    const lead = from.length - to.length;
    const axes = from.flatMap((d, i) => (i < lead || (to[i - lead] === 1 && d !== 1) ? [i] : []));
    if (axes.length === 0) return g;
    const summed = this.op('ReduceSum', [g, this.ints(axes)], { keepdims: attr.i(1) });
    return lead > 0 ? this.reshape(summed, to) : summed;
  }

  /** The value of a constant int tensor (initializer or Constant node): indices, axes, slice bounds. */
  constant(v: string, what: string): { dims: number[]; values: number[] } {
    const t: Tensor | undefined =
      this.graph.initializers.get(v) ?? (this.producer.get(v)?.op === 'Constant' ? attrValue(this.producer.get(v)!, 'value', 'tensor') : undefined);
    if (!t) throw new Error(`addGradients: ${what} '${v}' must be a constant (initializer or Constant node)`);
    return { dims: t.dims, values: Array.from(t.data as ArrayLike<number | bigint>, Number) };
  }
}

function uniquePrefix(graph: Graph): string {
  const names = [...producedNames(graph)];
  for (let i = 0; ; i++) {
    const prefix = i === 0 ? 'grad/' : `grad${i}/`;
    if (!names.some((n) => n.startsWith(prefix))) return prefix;
  }
}

/**
 * A gradient rule: given the gradients of the node's outputs (undefined where an output gets none), returns
 * the gradients of its inputs; only inputs with want[i] need one. `inputs` lists the slots that may carry a
 * gradient: a wrt value reaching any other slot (an exponent, a clip bound, indices) is an error.
 */
interface Rule {
  inputs: number[] | 'all';
  grad(ctx: Backward, node: Node, gy: (string | undefined)[], want: boolean[]): (string | undefined)[];
}

/** A rule for a single-output op that passes a gradient to its first input only. */
function unary(inputs: number[], f: (ctx: Backward, g: string, x: string, y: string, node: Node) => string): Rule {
  return { inputs, grad: (ctx, node, gy) => [f(ctx, gy[0]!, node.inputs[0], node.outputs[0], node)] };
}

/** A rule for a broadcasting binary op: each operand's gradient is computed at the output shape, then unbroadcast. */
type OperandGrad = (ctx: Backward, g: string, a: string, b: string, y: string) => string;

function binary(dA: OperandGrad, dB: OperandGrad): Rule {
  return {
    inputs: [0, 1],
    grad: (ctx, node, gy, want) => {
      const [a, b] = node.inputs;
      const y = node.outputs[0];
      const g = gy[0]!;
      return [
        want[0] ? ctx.unbroadcast(dA(ctx, g, a, b, y), ctx.shape(y), ctx.shape(a)) : undefined,
        want[1] ? ctx.unbroadcast(dB(ctx, g, a, b, y), ctx.shape(y), ctx.shape(b)) : undefined,
      ];
    },
  };
}

const reshapeBack = unary([0], (ctx, g, x) => ctx.reshape(g, ctx.shape(x)));

function reduce(mean: boolean): Rule {
  return unary([0], (ctx, g, x, _y, node) => {
    const xShape = ctx.shape(x);
    const axesInput = node.inputs[1] ?? '';
    const axes = axesInput ? ctx.constant(axesInput, `${node.op} axes`).values.map((a) => normAxis(a, xShape.length)) : [];
    if (axes.length === 0 && attrValue(node, 'noop_with_empty_axes', 'int') === 1) return g;
    const reduced = axes.length === 0 ? xShape.map(() => 1) : xShape.map((d, i) => (axes.includes(i) ? 1 : d));
    // Same data order whether or not keepdims dropped the axes: reshape to the kept-dims shape, then expand.
    const scaled = mean ? ctx.op('Mul', [g, ctx.scalar(size(reduced) / size(xShape))]) : g;
    return ctx.op('Expand', [ctx.reshape(scaled, reduced), ctx.ints(xShape)]);
  });
}

/** The last two axes swapped (matrix transpose over a batch). */
function transposeLast2(ctx: Backward, v: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return ctx.op('Transpose', [v], { perm: attr.ints(perm) });
}

function swapFirst2(ctx: Backward, v: string, rank: number): string {
  return ctx.op('Transpose', [v], { perm: attr.ints([1, 0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)]) });
}

/** Every offset of a kernel window, row-major. */
function kernelOffsets(kernel: number[]): number[][] {
  return kernel.reduce<number[][]>((acc, k) => acc.flatMap((o) => Array.from({ length: k }, (_, i) => [...o, i])), [[]]);
}

/**
 * dW[co,ci,a,b] = sum_{n,i,j} dY[n,co,i,j] Xpad[n,ci,i+a,j+b]: one GEMM per kernel tap, dY as [Cout, N*Ho*Wo]
 * times that tap's window of the padded X as [N*Ho*Wo, Cin]. On ORT CPU this runs about as fast as the
 * forward Conv; the equivalent Conv of X^T [Cin,N,H,W] with dY^T as an Ho x Wo kernel measured 2-9x slower.
 */
function convWeightGrad(ctx: Backward, x: string, g: string, pads: number[], wShape: number[], yShape: number[]): string {
  const [cout, cin, ...kernel] = wShape;
  const rank = yShape.length;
  const outSpatial = yShape.slice(2);
  const rows = yShape[0] * size(outSpatial);
  const spatial = Array.from({ length: rank - 2 }, (_, i) => i + 1); // spatial axes once channels are last
  const padded = pads.some((p) => p !== 0) ? ctx.op('Pad', [x, ctx.ints([0, 0, ...pads.slice(0, rank - 2), 0, 0, ...pads.slice(rank - 2)])]) : x;
  const channelsLast = ctx.op('Transpose', [padded], { perm: attr.ints([0, ...spatial.map((a) => a + 1), 1]) });
  const gRows = ctx.reshape(swapFirst2(ctx, g, rank), [cout, rows]);
  const taps = kernelOffsets(kernel).map((offset) => {
    const window = kernel.every((k) => k === 1)
      ? channelsLast
      : ctx.op('Slice', [channelsLast, ctx.ints(offset), ctx.ints(offset.map((o, i) => o + outSpatial[i])), ctx.ints(spatial)]);
    return ctx.op('MatMul', [gRows, ctx.reshape(window, [rows, cin])]);
  });
  // [Cout, taps*Cin] -> [Cout, taps, Cin] -> [Cout, Cin, taps] -> W's shape
  const stacked = taps.length > 1 ? ctx.op('Concat', taps, { axis: attr.i(1) }) : taps[0];
  return ctx.reshape(ctx.op('Transpose', [ctx.reshape(stacked, [cout, taps.length, cin])], { perm: attr.ints([0, 2, 1]) }), wShape);
}

function requireOnes(node: Node, name: string): void {
  const values = attrValue(node, name, 'ints');
  if (values?.some((v) => v !== 1)) throw new Error(`addGradients: ${node.op} gradient supports ${name} of 1 only, got [${values}]`);
}

function requireNoAutoPad(node: Node): void {
  const autoPad = attrValue(node, 'auto_pad', 'string');
  if (autoPad !== undefined && autoPad !== 'NOTSET') throw new Error(`addGradients: ${node.op} gradient needs explicit pads, not auto_pad=${autoPad}`);
}

const RULES: Record<string, Rule> = {
  Identity: unary([0], (_ctx, g) => g),
  Neg: unary([0], (ctx, g) => ctx.op('Neg', [g])),
  Exp: unary([0], (ctx, g, _x, y) => ctx.op('Mul', [g, y])),
  Log: unary([0], (ctx, g, x) => ctx.op('Div', [g, x])),
  Tanh: unary([0], (ctx, g, _x, y) => ctx.op('Mul', [g, ctx.op('Sub', [ctx.scalar(1), ctx.op('Mul', [y, y])])])),
  Sigmoid: unary([0], (ctx, g, _x, y) => ctx.op('Mul', [g, ctx.op('Mul', [y, ctx.op('Sub', [ctx.scalar(1), y])])])),
  Softplus: unary([0], (ctx, g, x) => ctx.op('Mul', [g, ctx.op('Sigmoid', [x])])),
  Sqrt: unary([0], (ctx, g, _x, y) => ctx.op('Div', [g, ctx.op('Mul', [y, ctx.scalar(2)])])),
  Relu: unary([0], (ctx, g, x) => ctx.op('Where', [ctx.op('Greater', [x, ctx.scalar(0)]), g, ctx.scalar(0)])),
  LeakyRelu: unary([0], (ctx, g, x, _y, node) =>
    ctx.op('Where', [ctx.op('Greater', [x, ctx.scalar(0)]), g, ctx.op('Mul', [g, ctx.scalar(attrValue(node, 'alpha', 'float') ?? 0.01)])]),
  ),
  Clip: unary([0], (ctx, g, x, _y, node) => {
    const [, min, max] = node.inputs;
    const inside = [min ? ctx.op('GreaterOrEqual', [x, min]) : '', max ? ctx.op('LessOrEqual', [x, max]) : ''].filter(Boolean);
    if (inside.length === 0) return g;
    const mask = inside.length === 2 ? ctx.op('And', inside) : inside[0];
    return ctx.op('Where', [mask, g, ctx.scalar(0)]);
  }),
  Pow: {
    inputs: [0],
    grad: (ctx, node, gy) => {
      const [x, p] = node.inputs;
      const y = node.outputs[0];
      const pf = ctx.op('Cast', [p], { to: attr.i(onnx.TensorProto.DataType.FLOAT) }); // an int exponent is allowed
      const dydx = ctx.op('Mul', [pf, ctx.op('Pow', [x, ctx.op('Sub', [pf, ctx.scalar(1)])])]);
      return [ctx.unbroadcast(ctx.op('Mul', [gy[0]!, dydx]), ctx.shape(y), ctx.shape(x))];
    },
  },

  Add: binary((_ctx, g) => g, (_ctx, g) => g),
  Sub: binary((_ctx, g) => g, (ctx, g) => ctx.op('Neg', [g])),
  Mul: binary((ctx, g, _a, b) => ctx.op('Mul', [g, b]), (ctx, g, a) => ctx.op('Mul', [g, a])),
  Div: binary(
    (ctx, g, _a, b) => ctx.op('Div', [g, b]),
    (ctx, g, _a, b, y) => ctx.op('Neg', [ctx.op('Div', [ctx.op('Mul', [g, y]), b])]),
  ),

  MatMul: {
    inputs: [0, 1],
    grad: (ctx, node, gy, want) => {
      const [a, b] = node.inputs;
      const [aShape, bShape, yShape] = [ctx.shape(a), ctx.shape(b), ctx.shape(node.outputs[0])];
      if (aShape.length < 2 || bShape.length < 2) throw new Error(`addGradients: MatMul gradient needs operands of rank >= 2, got [${aShape}] x [${bShape}]`);
      const g = gy[0]!;
      const batch = yShape.slice(0, -2);
      return [
        want[0] ? ctx.unbroadcast(ctx.op('MatMul', [g, transposeLast2(ctx, b, bShape.length)]), [...batch, ...aShape.slice(-2)], aShape) : undefined,
        want[1] ? ctx.unbroadcast(ctx.op('MatMul', [transposeLast2(ctx, a, aShape.length), g]), [...batch, ...bShape.slice(-2)], bShape) : undefined,
      ];
    },
  },

  Conv: {
    inputs: [0, 1, 2],
    grad: (ctx, node, gy, want) => {
      const [x, w] = node.inputs;
      const rank = ctx.shape(x).length;
      requireOnes(node, 'strides');
      requireOnes(node, 'dilations');
      requireNoAutoPad(node);
      const group = attrValue(node, 'group', 'int') ?? 1;
      if (group !== 1) throw new Error(`addGradients: Conv gradient supports group 1 only, got ${group}`);
      const pads = attrValue(node, 'pads', 'ints') ?? new Array(2 * (rank - 2)).fill(0);
      const g = gy[0]!;
      const spatial = Array.from({ length: rank - 2 }, (_, i) => i + 2);
      return [
        want[0] ? ctx.op('ConvTranspose', [g, w], { pads: attr.ints(pads) }) : undefined,
        want[1] ? convWeightGrad(ctx, x, g, pads, ctx.shape(w), ctx.shape(node.outputs[0])) : undefined,
        want[2] ? ctx.op('ReduceSum', [g, ctx.ints([0, ...spatial])], { keepdims: attr.i(0) }) : undefined,
      ];
    },
  },

  AveragePool: unary([0], (ctx, g, _x, _y, node) => {
    requireOnes(node, 'strides');
    requireOnes(node, 'dilations');
    requireNoAutoPad(node);
    if (attrValue(node, 'count_include_pad', 'int') !== 1) throw new Error('addGradients: AveragePool gradient needs count_include_pad=1');
    if ((attrValue(node, 'ceil_mode', 'int') ?? 0) !== 0) throw new Error('addGradients: AveragePool gradient needs ceil_mode=0');
    const kernel = attrValue(node, 'kernel_shape', 'ints')!;
    const pads = attrValue(node, 'pads', 'ints') ?? new Array(2 * kernel.length).fill(0);
    const r = kernel.length;
    if (pads.some((p, i) => i < r && p !== pads[i + r])) throw new Error(`addGradients: AveragePool gradient needs symmetric pads, got [${pads}]`);
    // With stride 1 and a fixed divisor the adjoint is the same box filter; padding k-1-p restores the input size.
    const back = kernel.map((k, i) => k - 1 - pads[i]);
    return ctx.op('AveragePool', [g], { kernel_shape: attr.ints(kernel), pads: attr.ints([...back, ...back]), count_include_pad: attr.i(1) });
  }),

  Split: {
    inputs: [0],
    grad: (ctx, node, gy) => {
      const axis = normAxis(attrValue(node, 'axis', 'int') ?? 0, ctx.shape(node.inputs[0]).length);
      const parts = node.outputs.map((o, i) => gy[i] ?? ctx.zeros(ctx.shape(o)));
      return [ctx.op('Concat', parts, { axis: attr.i(axis) })];
    },
  },

  Concat: {
    inputs: 'all',
    grad: (ctx, node, gy) => {
      const axis = normAxis(attrValue(node, 'axis', 'int')!, ctx.shape(node.outputs[0]).length);
      const sizes = node.inputs.map((v) => ctx.shape(v)[axis]);
      return ctx.b.opN('Split', [gy[0]!, ctx.ints(sizes)], sizes.length, { axis: attr.i(axis) });
    },
  },

  Slice: unary([0], (ctx, g, x, _y, node) => {
    const xShape = ctx.shape(x);
    const [, startsV, endsV, axesV, stepsV] = node.inputs;
    const starts = ctx.constant(startsV, 'Slice starts').values;
    const ends = ctx.constant(endsV, 'Slice ends').values;
    const axes = axesV ? ctx.constant(axesV, 'Slice axes').values.map((a) => normAxis(a, xShape.length)) : starts.map((_, i) => i);
    const steps = stepsV ? ctx.constant(stepsV, 'Slice steps').values : starts.map(() => 1);
    // The input index each output position along every sliced axis reads, per the ONNX clamping rules.
    const picked = axes.map((axis, j) => {
      const d = xShape[axis];
      const step = steps[j];
      const wrap = (v: number) => (v < 0 ? v + d : v);
      const lo = step > 0 ? 0 : -1;
      const start = Math.min(Math.max(wrap(starts[j]), 0), step > 0 ? d : d - 1);
      const end = Math.min(Math.max(wrap(ends[j]), lo), step > 0 ? d : d - 1);
      const idx: number[] = [];
      for (let i = start; step > 0 ? i < end : i > end; i += step) idx.push(i);
      return idx;
    });
    if (steps.every((s) => s === 1)) {
      const pads = new Array(2 * xShape.length).fill(0);
      axes.forEach((axis, j) => {
        const idx = picked[j];
        pads[axis] = idx.length ? idx[0] : 0;
        pads[axis + xShape.length] = xShape[axis] - pads[axis] - idx.length;
      });
      return ctx.op('Pad', [g, ctx.ints(pads)]);
    }
    // Strided or reversed: scatter axis by axis by gathering from g extended with one zero slice, which every
    // input index that the slice skipped points to.
    let shape = ctx.shape(node.outputs[0]);
    let grad = g;
    axes.forEach((axis, j) => {
      const zeroShape = shape.map((d, i) => (i === axis ? 1 : d));
      const extended = ctx.op('Concat', [grad, ctx.zeros(zeroShape)], { axis: attr.i(axis) });
      const source = new Array<number>(xShape[axis]).fill(picked[j].length);
      picked[j].forEach((i, k) => (source[i] = k));
      grad = ctx.op('Gather', [extended, ctx.ints(source)], { axis: attr.i(axis) });
      shape = shape.map((d, i) => (i === axis ? xShape[axis] : d));
    });
    return grad;
  }),

  Gather: unary([0], (ctx, g, x, _y, node) => {
    const rank = ctx.shape(x).length;
    const axis = normAxis(attrValue(node, 'axis', 'int') ?? 0, rank);
    const d = ctx.shape(x)[axis];
    const { dims, values } = ctx.constant(node.inputs[1], 'Gather indices');
    const perm = values.map((i) => (i < 0 ? i + d : i));
    const inverse = new Array<number>(d).fill(-1);
    perm.forEach((p, i) => {
      if (p >= 0 && p < d) inverse[p] = i;
    });
    if (dims.length !== 1 || perm.length !== d || inverse.includes(-1)) {
      throw new Error(`addGradients: Gather gradient needs 1-D indices that permute all ${d} entries of axis ${axis}, got [${values}]`);
    }
    return ctx.op('Gather', [g, ctx.ints(inverse)], { axis: attr.i(axis) });
  }),

  Transpose: unary([0], (ctx, g, x, _y, node) => {
    const rank = ctx.shape(x).length;
    const perm = attrValue(node, 'perm', 'ints') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return ctx.op('Transpose', [g], { perm: attr.ints(inverse) });
  }),

  Reshape: reshapeBack,
  Unsqueeze: reshapeBack,
  Squeeze: reshapeBack,
  ReduceSum: reduce(false),
  ReduceMean: reduce(true),
};
