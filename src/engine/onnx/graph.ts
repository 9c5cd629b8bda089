/**
 * The graph toolkit: a plain, typed in-memory ONNX graph that our code builds, edits, composes and
 * serialises. Everything numeric in PatchFlow Inspect (backbone, aggregation, flow head, training step)
 * is a graph made here and run by onnxruntime.
 */

export type DType = 'float32' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export type TensorData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

/** A constant tensor (initializer or attribute). float16 data is stored as raw Uint16 bits. */
export interface Tensor {
  dtype: DType;
  dims: number[];
  data: TensorData;
}

/** Attribute values are tagged so that 1.0 (float) and 1 (int) never get confused. */
export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: Tensor };

export const attr = {
  i: (value: number): Attr => ({ kind: 'int', value }),
  f: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: number[]): Attr => ({ kind: 'ints', value }),
  floats: (value: number[]): Attr => ({ kind: 'floats', value }),
  s: (value: string): Attr => ({ kind: 'string', value }),
  t: (value: Tensor): Attr => ({ kind: 'tensor', value }),
};

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
  name?: string;
  domain?: string;
}

/** A dimension is a fixed size or a symbolic name (dynamic). */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  dtype: DType;
  shape?: Dim[];
}

export interface Graph {
  name: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, Tensor>;
}

export const OPSET = 18;

export function emptyGraph(name: string): Graph {
  return { name, nodes: [], inputs: [], outputs: [], initializers: new Map() };
}

export function tensor(dtype: DType, dims: number[], data: TensorData): Tensor {
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`tensor of dims [${dims}] needs ${size} values, got ${data.length}`);
  return { dtype, dims, data };
}

export function floatTensor(dims: number[], values: ArrayLike<number>): Tensor {
  return tensor('float32', dims, Float32Array.from(values));
}

export function int64Tensor(dims: number[], values: ArrayLike<number>): Tensor {
  return tensor('int64', dims, BigInt64Array.from(Array.from(values, (v) => BigInt(v))));
}

/**
 * Builds a graph node by node. Every helper returns the name of the value it produced, so graphs read
 * like the math: `b.op('Mul', [x, b.scalar(0.1)])`.
 */
export class GraphBuilder {
  readonly graph: Graph;
  private counter = 0;
  private readonly prefix: string;

  constructor(graphOrName: Graph | string, prefix = '') {
    this.graph = typeof graphOrName === 'string' ? emptyGraph(graphOrName) : graphOrName;
    this.prefix = prefix;
  }

  /** A name not used in this builder yet. */
  fresh(hint: string): string {
    return `${this.prefix}${hint}_${this.counter++}`;
  }

  input(name: string, dtype: DType, shape?: Dim[]): string {
    this.graph.inputs.push({ name, dtype, shape });
    return name;
  }

  output(name: string, dtype: DType = 'float32', shape?: Dim[]): string {
    this.graph.outputs.push({ name, dtype, shape });
    return name;
  }

  /** Exposes an existing value under a graph-output name (adding an Identity when the names differ). */
  outputAs(value: string, name: string, dtype: DType = 'float32', shape?: Dim[]): string {
    if (value !== name) this.graph.nodes.push({ op: 'Identity', inputs: [value], outputs: [name], attrs: {} });
    return this.output(name, dtype, shape);
  }

  initializer(name: string, t: Tensor): string {
    this.graph.initializers.set(name, t);
    return name;
  }

  /** An anonymous float32 constant. */
  constant(dims: number[], values: ArrayLike<number>, hint = 'const'): string {
    return this.initializer(this.fresh(hint), floatTensor(dims, values));
  }

  scalar(value: number): string {
    return this.constant([], [value], 'scalar');
  }

  /** max(x, floor) elementwise, as a Clip: onnxruntime-web's WebGPU has no Max and would run it on the CPU. */
  atLeast(x: string, floor: number): string {
    return this.op('Clip', [x, this.scalar(floor)]);
  }

  ints(values: number[], hint = 'ints'): string {
    return this.initializer(this.fresh(hint), int64Tensor([values.length], values));
  }

  /** Adds a node with one output and returns that output's name. */
  op(op: string, inputs: string[], attrs: Record<string, Attr> = {}, outputName?: string): string {
    const out = outputName ?? this.fresh(op.toLowerCase());
    this.graph.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  /** Adds a node with several outputs. */
  opN(op: string, inputs: string[], outputCount: number, attrs: Record<string, Attr> = {}): string[] {
    const outs = Array.from({ length: outputCount }, () => this.fresh(op.toLowerCase()));
    this.graph.nodes.push({ op, inputs, outputs: outs, attrs });
    return outs;
  }
}

/**
 * The graph with every 2-D Conv's and ConvTranspose's defaulted attributes (strides, dilations, pads,
 * group, output padding) written out. The ONNX defaults mean the same maths, but onnxruntime-web's
 * WebGPU kernels refuse a Conv without them ("dilations should be 2D"), and heads saved by earlier
 * versions have none.
 */
export function withExplicitConvAttributes(graph: Graph): Graph {
  const defaults: Record<string, Attr> = { strides: attr.ints([1, 1]), dilations: attr.ints([1, 1]), group: attr.i(1) };
  const noPadding: Record<string, Attr> = { pads: attr.ints([0, 0, 0, 0]) };
  const transposed: Record<string, Attr> = { output_padding: attr.ints([0, 0]) };
  const explicit = (n: Node): Node => ({ ...n, attrs: { ...defaults, ...(n.op === 'ConvTranspose' ? transposed : {}), ...(n.attrs.auto_pad ? {} : noPadding), ...n.attrs } });
  return { ...graph, nodes: graph.nodes.map((n) => (n.op === 'Conv' || n.op === 'ConvTranspose' ? explicit(n) : n)) };
}

const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * The graph with every Concat of more than `fan` inputs and Split into more than `fan` outputs rebuilt as
 * a tree of narrower ones (the same values): parts concatenated in groups and the groups concatenated; a
 * Split into groups, each split again. A Split whose sizes are not a constant of the graph stays as it is.
 */
export function withNarrowConcatsAndSplits(graph: Graph, fan: number): Graph {
  if (!graph.nodes.some((n) => (n.op === 'Concat' && n.inputs.length > fan) || (n.op === 'Split' && n.outputs.length > fan))) return graph;
  const initializers = new Map(graph.initializers);
  const nodes: Node[] = [];
  let counter = 0;
  const fresh = (base: string) => `${base}/narrow_${counter++}`;
  // the pieces of a node get no name of their own (names, where given, must be unique)
  const piece = (node: Node, inputs: string[], outputs: string[]): Node => ({ op: node.op, attrs: node.attrs, ...(node.domain && { domain: node.domain }), inputs, outputs });

  const concat = (node: Node, inputs: string[], output: string): void => {
    if (inputs.length <= fan) return void nodes.push(piece(node, inputs, [output]));
    const groups = chunks(inputs, fan).map((group) => {
      if (group.length === 1) return group[0];
      const out = fresh(output);
      concat(node, group, out);
      return out;
    });
    concat(node, groups, output);
  };

  const split = (node: Node, input: string, sizes: number[], outputs: string[]): void => {
    const sizesName = fresh(`${outputs[0]}/sizes`);
    if (outputs.length <= fan) {
      initializers.set(sizesName, int64Tensor([sizes.length], sizes));
      return void nodes.push(piece(node, [input, sizesName], outputs));
    }
    const groups = chunks(Array.from(outputs.keys()), fan);
    const groupOutputs = groups.map((g) => (g.length === 1 ? outputs[g[0]] : fresh(outputs[g[0]])));
    split(node, input, groups.map((g) => g.reduce((sum, j) => sum + sizes[j], 0)), groupOutputs);
    groups.forEach((g, i) => g.length > 1 && split(node, groupOutputs[i], g.map((j) => sizes[j]), g.map((j) => outputs[j])));
  };

  const replacedSizes = new Set<string>();
  for (const node of graph.nodes) {
    const sizes = node.op === 'Split' && node.outputs.length > fan ? graph.initializers.get(node.inputs[1] ?? '') : undefined;
    if (node.op === 'Concat' && node.inputs.length > fan) concat(node, node.inputs, node.outputs[0]);
    else if (sizes?.dtype === 'int64') {
      split(node, node.inputs[0], Array.from(sizes.data as BigInt64Array, Number), node.outputs);
      replacedSizes.add(node.inputs[1]);
    } else nodes.push(node);
  }
  // a replaced Split's sizes that nothing else reads would be an unused initializer
  const read = new Set([...nodes.flatMap((n) => n.inputs), ...graph.outputs.map((o) => o.name)]);
  for (const name of replacedSizes) if (!read.has(name)) initializers.delete(name);
  return { ...graph, nodes, initializers };
}

/**
 * The graph without Identity nodes, their readers reading the value itself. onnxruntime drops most of
 * them, but not one that names a graph output after a value read elsewhere too, and onnxruntime-web's
 * WebGPU has no Identity kernel: such an output went to the CPU and back. Where an Identity makes a
 * graph output, the value it copies takes the output's name instead; it stays only where that cannot
 * be (its input is a graph input, an initializer or another output).
 */
export function withoutIdentities(graph: Graph): Graph {
  if (!graph.nodes.some((n) => n.op === 'Identity')) return graph;
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const fixed = new Set([...graph.inputs.map((i) => i.name), ...graph.initializers.keys(), ...outputs]);
  /** A value's name → the name it goes by now. */
  const renamed = new Map<string, string>();
  const nameOf = (v: string): string => {
    const to = renamed.get(v);
    return to === undefined ? v : nameOf(to);
  };
  const kept = new Set<Node>();
  for (const node of graph.nodes) {
    if (node.op !== 'Identity') continue;
    const [from, to] = [nameOf(node.inputs[0]), node.outputs[0]];
    if (!outputs.has(to)) renamed.set(to, from); // readers of the copy read the value
    else if (!fixed.has(from)) renamed.set(from, to); // the value is the output
    else kept.add(node);
  }
  const nodes = graph.nodes
    .filter((n) => n.op !== 'Identity' || kept.has(n))
    .map((n) => ({ ...n, inputs: n.inputs.map((v) => (v === '' ? v : nameOf(v))), outputs: n.op === 'Identity' ? n.outputs : n.outputs.map(nameOf) }));
  return { ...graph, nodes };
}

/** Names every value a graph reads but nobody produces (inputs, initializers, or missing). */
export function producedNames(graph: Graph): Set<string> {
  const names = new Set<string>(graph.inputs.map((i) => i.name));
  for (const k of graph.initializers.keys()) names.add(k);
  for (const n of graph.nodes) for (const o of n.outputs) names.add(o);
  return names;
}

/**
 * Keeps only the nodes (and initializers) needed to compute `outputs` from the graph's inputs: subgraph
 * extraction, and the clean-up after composing.
 */
export function extractSubgraph(graph: Graph, outputs: string[], name = graph.name): Graph {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const needed = new Set<Node>();
  const seen = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v) || v === '') continue;
    seen.add(v);
    const p = producer.get(v);
    if (p && !needed.has(p)) {
      needed.add(p);
      stack.push(...p.inputs);
    }
  }
  const byName = new Map<string, ValueInfo>();
  for (const vi of [...graph.outputs, ...graph.inputs]) byName.set(vi.name, vi);
  const initializers = new Map<string, Tensor>();
  for (const [k, t] of graph.initializers) if (seen.has(k)) initializers.set(k, t);
  return {
    name,
    nodes: graph.nodes.filter((n) => needed.has(n)),
    inputs: graph.inputs.filter((i) => seen.has(i.name) && !initializers.has(i.name)),
    outputs: outputs.map((o) => byName.get(o) ?? { name: o, dtype: 'float32' }),
    initializers,
  };
}

/**
 * Composes two graphs: `second`'s inputs named in `wiring` are fed by `first`'s values; the rest of its
 * inputs stay graph inputs. Names of `second` are prefixed to keep them apart. Outputs: `first`'s outputs
 * listed in `keepFirstOutputs` plus all of `second`'s.
 */
export function compose(
  first: Graph,
  second: Graph,
  wiring: Record<string, string>,
  options: { prefix?: string; keepFirstOutputs?: string[]; name?: string } = {},
): Graph {
  const prefix = options.prefix ?? 'b/';
  const firstNames = producedNames(first);
  for (const [secondInput, firstValue] of Object.entries(wiring)) {
    if (!firstNames.has(firstValue)) throw new Error(`compose: first graph has no value '${firstValue}'`);
    if (!second.inputs.some((i) => i.name === secondInput)) throw new Error(`compose: second graph has no input '${secondInput}'`);
  }
  const rename = (v: string) => (v === '' ? v : wiring[v] ?? prefix + v);
  const graph: Graph = {
    name: options.name ?? `${first.name}+${second.name}`,
    nodes: [
      ...first.nodes,
      ...second.nodes.map((n) => ({ ...n, inputs: n.inputs.map(rename), outputs: n.outputs.map(rename) })),
    ],
    inputs: [...first.inputs, ...second.inputs.filter((i) => !(i.name in wiring)).map((i) => ({ ...i, name: rename(i.name) }))],
    outputs: [
      ...first.outputs.filter((o) => options.keepFirstOutputs?.includes(o.name)),
      ...second.outputs.map((o) => ({ ...o, name: rename(o.name) })),
    ],
    initializers: new Map(first.initializers),
  };
  for (const [k, t] of second.initializers) graph.initializers.set(rename(k), t);
  return graph;
}

/** Renames graph outputs (after compose, to give the composed session clean output names). */
export function renameOutputs(graph: Graph, names: Record<string, string>): Graph {
  const b = new GraphBuilder(graph);
  graph.outputs = graph.outputs.map((o) => {
    const to = names[o.name];
    if (!to) return o;
    b.op('Identity', [o.name], {}, to);
    return { ...o, name: to };
  });
  return graph;
}

/**
 * Copies `sub`'s nodes into the builder's graph: its inputs wired to `inputs`, its intermediate values
 * prefixed, its initializers shared by name (so a backbone inlined once per scale keeps one copy of its
 * weights). Returns sub's output names mapped to the new value names.
 */
export function inlineGraph(b: GraphBuilder, sub: Graph, inputs: Record<string, string>, prefix: string): Record<string, string> {
  for (const i of sub.inputs) if (!(i.name in inputs)) throw new Error(`inlineGraph: input '${i.name}' of '${sub.name}' is not wired`);
  const rename = (v: string) => (v === '' || sub.initializers.has(v) ? v : inputs[v] ?? prefix + v);
  for (const [k, t] of sub.initializers) {
    const existing = b.graph.initializers.get(k);
    if (existing && existing !== t) throw new Error(`inlineGraph: initializer '${k}' clashes with a different tensor`);
    b.graph.initializers.set(k, t);
  }
  for (const n of sub.nodes) b.graph.nodes.push({ ...n, name: n.name && prefix + n.name, inputs: n.inputs.map(rename), outputs: n.outputs.map(rename) });
  return Object.fromEntries(sub.outputs.map((o) => [o.name, rename(o.name)]));
}
