/**
 * TFLite → ONNX: rebuilds a (quantised) TFLite convolutional network as an ONNX graph with a float32 NCHW
 * input and outputs and a dynamic batch, height and width. Two ways with a quantised model:
 * - 'float': weights and biases are dequantised once, here; activations run in float, so QUANTIZE and
 *   DEQUANTIZE of activations become identities.
 * - 'qdq': the file's integers and scales are kept as ONNX QDQ: each quantised constant is stored as is
 *   behind a DequantizeLinear (per-channel weights keep their per-channel scales), and each quantised
 *   activation is rounded to its TFLite grid by a QuantizeLinear → DequantizeLinear pair. onnxruntime
 *   fuses DQ → op → Q into its integer kernels (QLinearConv, QLinearAdd) on CPU and WASM.
 * 4-D tensors are NCHW in ONNX (TFLite is NHWC); everything else keeps its TFLite layout.
 */
import { GraphBuilder, attr, floatTensor, tensor, type Attr, type Dim, type Graph } from '../onnx/graph';
import {
  BuiltinOp, builtinOpName,
  type TfliteActivation, type TfliteModel, type TfliteOperator, type TfliteOptions, type TflitePadding, type TfliteSubGraph, type TfliteTensor,
} from './tflite';

export interface TfliteImportOptions {
  /** Graph outputs: ONNX output name → TFLite tensor (index, full name or one ';'-separated part of it). Default: the subgraph outputs. */
  outputs?: Record<string, number | string>;
  /** Name of the float NCHW image input (default 'image'). */
  inputName?: string;
  graphName?: string;
  /** How quantised tensors are carried (see the file comment; default 'float'). */
  arithmetic?: TfliteArithmetic;
}

export type TfliteArithmetic = 'float' | 'qdq';

export interface TfliteImport {
  graph: Graph;
  subgraph: TfliteSubGraph;
  /** The image input. Its value is the real value the TFLite input encodes: pixel * scale + offset. */
  input: { name: string; tensor: TfliteTensor; scale: number; offset: number };
  /** The ONNX value computing each TFLite tensor, by tensor index (4-D values are NCHW). */
  values: Map<number, string>;
}

/**
 * Finds a tensor by index, full name, or one of the ';'-joined names the MLIR converter gives fused
 * tensors. Those parts are not unique (a conv's bias and output share the batch-norm name), so among
 * several matches the one an operator computes wins.
 */
export function findTensor(subgraph: TfliteSubGraph, ref: number | string): TfliteTensor {
  if (typeof ref === 'number') {
    const t = subgraph.tensors[ref];
    if (!t) throw new Error(`TFLite model has no tensor ${ref}`);
    return t;
  }
  const exact = subgraph.tensors.filter((t) => t.name === ref);
  let found = exact.length ? exact : subgraph.tensors.filter((t) => t.name.split(';').includes(ref));
  if (found.length > 1) {
    const computed = new Set(subgraph.operators.flatMap((op) => op.outputs));
    found = found.filter((t) => computed.has(t.index));
  }
  if (found.length !== 1) throw new Error(`TFLite model has ${found.length ? 'several tensors' : 'no tensor'} named ${JSON.stringify(ref)}`);
  return found[0];
}

function product(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

const ELEMENT_BYTES: Partial<Record<TfliteTensor['type'], number>> = { float32: 4, int32: 4, int8: 1, uint8: 1, int16: 2, int64: 8 };

/** The stored values of a constant tensor as plain numbers (integers stay quantised). */
function rawValues(model: TfliteModel, t: TfliteTensor): number[] {
  const bytes = model.buffers[t.buffer];
  const size = ELEMENT_BYTES[t.type];
  if (size === undefined) throw new Error(`TFLite tensor '${t.name}': constants of type ${t.type} are not supported`);
  const n = product(t.shape);
  if (bytes.length !== n * size) throw new Error(`TFLite tensor '${t.name}' [${t.shape}] has ${bytes.length} data bytes, expected ${n * size}`);
  // DataView: buffers are not guaranteed to be aligned for typed-array views
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (i: number): number => {
    switch (t.type) {
      case 'float32': return view.getFloat32(4 * i, true);
      case 'int32': return view.getInt32(4 * i, true);
      case 'int16': return view.getInt16(2 * i, true);
      case 'int8': return view.getInt8(i);
      case 'int64': return Number(view.getBigInt64(8 * i, true));
      default: return view.getUint8(i);
    }
  };
  return Array.from({ length: n }, (_, i) => read(i));
}

/** A constant tensor as float32: scale[c] * (q - zero_point[c]) along the quantised dimension (per-tensor when one scale). */
export function dequantize(model: TfliteModel, t: TfliteTensor): Float32Array {
  const q = rawValues(model, t);
  if (t.type === 'float32') return Float32Array.from(q);
  const quant = t.quantization;
  if (!quant || !quant.scale.length) throw new Error(`TFLite tensor '${t.name}' (${t.type}) has no quantisation to dequantise with`);
  const axis = quant.quantizedDimension;
  const inner = product(t.shape.slice(axis + 1));
  const channels = t.shape[axis] ?? 1;
  if (quant.scale.length !== 1 && quant.scale.length !== channels) {
    throw new Error(`TFLite tensor '${t.name}': ${quant.scale.length} scales for ${channels} channels of dimension ${axis}`);
  }
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const c = quant.scale.length === 1 ? 0 : Math.floor(i / inner) % channels;
    out[i] = quant.scale[c] * (q[i] - (quant.zeroPoint[c] ?? 0));
  }
  return out;
}

/** NHWC → NCHW (also OHWI → OIHW for conv weights). */
function nhwcToNchw<T extends Float32Array | Int32Array | Int8Array | Uint8Array>(data: T, [n, h, w, c]: number[]): T {
  const out = data.slice() as T;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = data[((b * h + y) * w + x) * c + k];
  return out;
}

/** Where each NHWC axis sits in NCHW. */
const NCHW_AXIS = [0, 2, 3, 1];
/** Transpose perms between the layouts. */
const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

/**
 * TFLite SAME padding. At stride 1 it is size-independent ((k-1)·d split, extra at the end), so it is
 * written as plain pads; at larger strides it depends on the input size, and ONNX SAME_UPPER (which also
 * puts the extra pixel at the end) resolves it per run, so any input size pads exactly like TFLite.
 */
function padAttrs(padding: TflitePadding, kernel: number[], strides: number[], dilations = [1, 1]): Record<string, Attr> {
  if (padding === 'VALID') return {};
  if (strides.some((s) => s !== 1)) return { auto_pad: attr.s('SAME_UPPER') };
  const total = kernel.map((k, i) => (k - 1) * dilations[i]);
  const begin = total.map((t) => Math.floor(t / 2));
  return { pads: attr.ints([...begin, ...total.map((t, i) => t - begin[i])]) };
}

/** The uint8 grid of a quantised activation: real = scale · (q − zeroPoint). */
interface ActivationGrid {
  scale: number;
  zeroPoint: number;
}

/** Element types a DequantizeLinear reads (opset 18), with the typed array that holds them. */
const QUANTISED_ARRAYS = { int8: Int8Array, uint8: Uint8Array, int32: Int32Array } as const;
type QuantisedType = keyof typeof QUANTISED_ARRAYS;
type Arrangeable = Float32Array | Int32Array | Int8Array | Uint8Array;

const isQuantisedType = (type: TfliteTensor['type']): type is QuantisedType => type in QUANTISED_ARRAYS;

class Importer {
  readonly b: GraphBuilder;
  readonly values = new Map<number, string>();
  private readonly usedNames = new Set<string>();
  private readonly clipBounds = new Map<string, string>();
  private readonly grids = new Map<string, [string, string]>();

  constructor(readonly model: TfliteModel, readonly sg: TfliteSubGraph, graphName: string, readonly arithmetic: TfliteArithmetic) {
    // prefixed helper names: graphs inlined together share initializers by name
    this.b = new GraphBuilder(graphName, `${graphName}/`);
  }

  tensor(i: number): TfliteTensor {
    return this.sg.tensors[i];
  }

  isConstant(i: number): boolean {
    return this.model.buffers[this.tensor(i).buffer].length > 0;
  }

  /** ONNX name for a TFLite tensor: the first of its ';'-joined names, made unique. */
  nameFor(i: number): string {
    const base = this.tensor(i).name.split(';')[0] || `tensor_${i}`;
    const name = this.usedNames.has(base) ? `${base}#${i}` : base;
    this.usedNames.add(name);
    return name;
  }

  /** True when a constant stays integer behind a DequantizeLinear ('qdq') rather than being dequantised here. */
  private keepsIntegers(t: TfliteTensor): t is TfliteTensor & { type: QuantisedType } {
    return this.arithmetic === 'qdq' && isQuantisedType(t.type) && !!t.quantization?.scale.length;
  }

  /** The grid a computed tensor is rounded to under 'qdq'; null where it stays float. */
  private activationGrid(i: number): ActivationGrid | null {
    const t = this.tensor(i);
    const q = t.quantization;
    if (this.arithmetic !== 'qdq' || (t.type !== 'int8' && t.type !== 'uint8') || q?.scale.length !== 1) return null;
    // int8 grids move to uint8 (zero point + 128: the same real values): onnxruntime's fused integer
    // kernels are u8 activations × s8 weights; with s8 activations it leaves depthwise convs and adds in float
    return { scale: q.scale[0], zeroPoint: (q.zeroPoint[0] ?? 0) + (t.type === 'int8' ? 128 : 0) };
  }

  /**
   * A constant operand as an ONNX initializer of `dims`: `arrange` reorders its elements into that
   * layout, where its quantised dimension lands on `axis`.
   */
  constant(i: number, dims: number[], arrange: <T extends Arrangeable>(data: T) => T, axis: number): string {
    const t = this.tensor(i);
    const name = this.nameFor(i);
    if (!this.keepsIntegers(t)) return this.b.initializer(name, floatTensor(dims, arrange(dequantize(this.model, t))));
    const q = t.quantization!;
    const Values = QUANTISED_ARRAYS[t.type];
    const integers = this.b.initializer(name, tensor(t.type, dims, arrange(Values.from(rawValues(this.model, t)))));
    const perChannel = q.scale.length > 1;
    const shape = perChannel ? [q.scale.length] : [];
    const scale = this.b.initializer(`${name}:scale`, floatTensor(shape, q.scale));
    const zeroPoint = this.b.initializer(`${name}:zero_point`, tensor(t.type, shape, Values.from(q.scale.map((_, c) => q.zeroPoint[c] ?? 0))));
    return this.b.op('DequantizeLinear', [integers, scale, zeroPoint], perChannel ? { axis: attr.i(axis) } : {});
  }

  /** The ONNX value of an operand; constants become initializers (4-D ones transposed to NCHW). */
  value(i: number, rank = this.tensor(i).shape.length): string {
    const known = this.values.get(i);
    if (known) return known;
    const t = this.tensor(i);
    if (!this.isConstant(i)) throw new Error(`TFLite tensor '${t.name}' is read before any operator computes it`);
    // broadcasting operands are aligned to the other operand's rank first, so a per-channel [C] vector lands on axis 1
    const dims = [...Array(Math.max(0, rank - t.shape.length)).fill(1), ...t.shape];
    const axis = (t.quantization?.quantizedDimension ?? 0) + dims.length - t.shape.length;
    const name = dims.length === 4
      ? this.constant(i, [dims[0], dims[3], dims[1], dims[2]], (d) => nhwcToNchw(d, dims), NCHW_AXIS[axis])
      : this.constant(i, dims, (d) => d, axis);
    this.values.set(i, name);
    return name;
  }

  intConstant(i: number, what: string): number[] {
    if (!this.isConstant(i)) throw new Error(`${what}: TFLite tensor '${this.tensor(i).name}' must be a constant`);
    return rawValues(this.model, this.tensor(i));
  }

  bias(i: number | undefined): string[] {
    return i === undefined || i < 0 ? [] : [this.value(i)];
  }

  private bound(v: number): string {
    const key = String(v);
    let name = this.clipBounds.get(key);
    if (!name) this.clipBounds.set(key, (name = this.b.scalar(v)));
    return name;
  }

  /** QuantizeLinear → DequantizeLinear: `x` rounded to the grid, as the TFLite kernel stores it. */
  private roundToGrid(x: string, grid: ActivationGrid, name: string): string {
    const key = `${grid.scale}:${grid.zeroPoint}`;
    let params = this.grids.get(key);
    if (!params) {
      const zeroPoint = tensor('uint8', [], Uint8Array.of(grid.zeroPoint));
      this.grids.set(key, (params = [this.b.scalar(grid.scale), this.b.initializer(this.b.fresh('zero_point'), zeroPoint)]));
    }
    return this.b.op('DequantizeLinear', [this.b.op('QuantizeLinear', [x, ...params]), ...params], {}, name);
  }

  /**
   * Records the value of TFLite tensor `out`, made in float by `build(name)`. Under 'qdq' a quantised
   * tensor is then rounded to its grid, and the rounded value takes the name.
   */
  define(out: number, build: (name?: string) => string): void {
    const name = this.nameFor(out);
    const grid = this.activationGrid(out);
    this.values.set(out, grid ? this.roundToGrid(build(), grid, name) : build(name));
  }

  /** Adds `op`, then its fused activation; the last node writes the TFLite output tensor's value. */
  emit(op: string, inputs: string[], attrs: Record<string, Attr>, out: number, act: TfliteActivation = 'NONE'): void {
    this.define(out, (name) => (act === 'NONE' ? this.b.op(op, inputs, attrs, name) : this.activation(this.b.op(op, inputs, attrs), act, name)));
  }

  activation(x: string, act: TfliteActivation, name?: string): string {
    switch (act) {
      case 'RELU': return this.b.op('Relu', [x], {}, name);
      case 'RELU6': return this.b.op('Clip', [x, this.bound(0), this.bound(6)], {}, name);
      case 'RELU_N1_TO_1': return this.b.op('Clip', [x, this.bound(-1), this.bound(1)], {}, name);
      case 'TANH': return this.b.op('Tanh', [x], {}, name);
      default: throw new Error(`fused activation ${act} is not supported`);
    }
  }

  /** A 4-D NCHW value handed to a layout-sensitive op in TFLite's NHWC order. */
  asTflite(i: number): string {
    const v = this.value(i);
    return this.tensor(i).shape.length === 4 ? this.b.op('Transpose', [v], { perm: attr.ints(TO_NHWC) }) : v;
  }

  convert(op: TfliteOperator, k: number): void {
    const [x, w, bias] = op.inputs;
    const out = op.outputs[0];
    const o = op.options;
    const opts = <K extends TfliteOptions['kind']>(kind: K): Extract<TfliteOptions, { kind: K }> => {
      if (o.kind !== kind) throw new Error(`operator ${k} (${builtinOpName(op.builtinCode)}) has ${o.kind} options, expected ${kind}`);
      return o as Extract<TfliteOptions, { kind: K }>;
    };
    switch (op.builtinCode) {
      case BuiltinOp.QUANTIZE:
      case BuiltinOp.DEQUANTIZE:
        // (re)quantising is the identity on the real value in float; under QDQ it rounds to the output's grid
        if (this.activationGrid(out)) this.define(out, () => this.value(x));
        else this.values.set(out, this.value(x));
        return;
      case BuiltinOp.CONV_2D: {
        const c = opts('conv2d');
        const [oc, kh, kw, ic] = this.tensor(w).shape;
        const weights = this.constant(w, [oc, ic, kh, kw], (d) => nhwcToNchw(d, [oc, kh, kw, ic]), 0);
        this.emit('Conv', [this.value(x), weights, ...this.bias(bias)], {
          kernel_shape: attr.ints([kh, kw]), strides: attr.ints([c.strideH, c.strideW]), dilations: attr.ints([c.dilationH, c.dilationW]),
          ...padAttrs(c.padding, [kh, kw], [c.strideH, c.strideW], [c.dilationH, c.dilationW]),
        }, out, c.activation);
        return;
      }
      case BuiltinOp.DEPTHWISE_CONV_2D: {
        const c = opts('depthwiseConv2d');
        const [, kh, kw, oc] = this.tensor(w).shape;
        const ic = this.tensor(x).shape[3];
        // [1, H, W, C·M] → [C·M, 1, H, W]: output channel c·M + m reads input channel c, as ONNX groups do
        const weights = this.constant(w, [oc, 1, kh, kw], (d) => nhwcToNchw(d, [1, kh, kw, oc]), 0);
        this.emit('Conv', [this.value(x), weights, ...this.bias(bias)], {
          group: attr.i(ic), kernel_shape: attr.ints([kh, kw]), strides: attr.ints([c.strideH, c.strideW]), dilations: attr.ints([c.dilationH, c.dilationW]),
          ...padAttrs(c.padding, [kh, kw], [c.strideH, c.strideW], [c.dilationH, c.dilationW]),
        }, out, c.activation);
        return;
      }
      case BuiltinOp.ADD: {
        const rank = this.tensor(out).shape.length;
        this.emit('Add', [this.value(x, rank), this.value(op.inputs[1], rank)], {}, out, opts('add').activation);
        return;
      }
      case BuiltinOp.AVERAGE_POOL_2D: {
        const p = opts('pool2d');
        const [, h, wd] = this.tensor(x).shape;
        const [, oh, ow] = this.tensor(out).shape;
        if (p.padding === 'VALID' && p.filterH === h && p.filterW === wd && oh === 1 && ow === 1) {
          // a window over the whole native-size map is global pooling; saying so keeps the graph valid at other sizes
          this.emit('GlobalAveragePool', [this.value(x)], {}, out, p.activation);
        } else {
          this.emit('AveragePool', [this.value(x)], {
            kernel_shape: attr.ints([p.filterH, p.filterW]), strides: attr.ints([p.strideH, p.strideW]),
            ...padAttrs(p.padding, [p.filterH, p.filterW], [p.strideH, p.strideW]),
          }, out, p.activation);
        }
        return;
      }
      case BuiltinOp.MEAN: {
        const { keepDims } = opts('reducer');
        const rank = this.tensor(x).shape.length;
        const axes = this.intConstant(w, 'MEAN axes').map((a) => (a < 0 ? a + rank : a));
        if (rank === 4 && !keepDims && !(axes.length === 2 && axes.includes(1) && axes.includes(2))) {
          throw new Error(`MEAN over axes [${axes}] without keep_dims is not supported`);
        }
        const onnxAxes = rank === 4 ? axes.map((a) => NCHW_AXIS[a]) : axes;
        this.emit('ReduceMean', [this.value(x), this.b.ints(onnxAxes, 'axes')], { keepdims: attr.i(keepDims ? 1 : 0) }, out);
        return;
      }
      case BuiltinOp.FULLY_CONNECTED: {
        const f = opts('fullyConnected');
        if (f.keepNumDims || f.weightsFormat !== 0) throw new Error(`FULLY_CONNECTED with keep_num_dims or shuffled weights is not supported`);
        const [units, depth] = this.tensor(w).shape;
        const flat = this.tensor(x).shape.length === 2 ? this.value(x) : this.b.op('Reshape', [this.asTflite(x), this.b.ints([-1, depth], 'shape')]);
        const weights = this.constant(w, [units, depth], (d) => d, 0);
        this.emit('Gemm', [flat, weights, ...this.bias(bias)], { transB: attr.i(1) }, out, f.activation);
        return;
      }
      case BuiltinOp.RESHAPE: {
        const inShape = this.tensor(x).shape;
        const outShape = w !== undefined && w >= 0 ? this.intConstant(w, 'RESHAPE shape') : o.kind === 'reshape' && o.newShape ? o.newShape : null;
        if (!outShape) throw new Error(`RESHAPE operator ${k} has no target shape`);
        // 0 copies the (dynamic) batch dimension through
        const target = outShape.map((d, i) => (i === 0 && d === inShape[0] ? 0 : d));
        const reshape = [this.asTflite(x), this.b.ints(target, 'shape')];
        this.define(out, (name) => (outShape.length === 4
          ? this.b.op('Transpose', [this.b.op('Reshape', reshape)], { perm: attr.ints(TO_NCHW) }, name)
          : this.b.op('Reshape', reshape, {}, name)));
        return;
      }
      case BuiltinOp.SOFTMAX: {
        const { beta } = opts('softmax');
        const rank = this.tensor(x).shape.length;
        const logits = beta === 1 ? this.value(x) : this.b.op('Mul', [this.value(x), this.b.scalar(beta)]);
        this.emit('Softmax', [logits], { axis: attr.i(rank === 4 ? 1 : -1) }, out);
        return;
      }
      case BuiltinOp.PAD: {
        const rank = this.tensor(x).shape.length;
        const p = this.intConstant(w, 'PAD paddings'); // [rank, 2]: before, after per TFLite axis
        const order = rank === 4 ? TO_NCHW : Array.from({ length: rank }, (_, i) => i);
        const pads = [...order.map((a) => p[2 * a]), ...order.map((a) => p[2 * a + 1])];
        this.emit('Pad', [this.value(x), this.b.ints(pads, 'pads')], { mode: attr.s('constant') }, out);
        return;
      }
      case BuiltinOp.RELU:
        this.define(out, (name) => this.activation(this.value(x), 'RELU', name));
        return;
      case BuiltinOp.RELU6:
        this.define(out, (name) => this.activation(this.value(x), 'RELU6', name));
        return;
      default:
        throw new Error(`TFLite operator ${k} (${builtinOpName(op.builtinCode)}) is not supported by the importer`);
    }
  }
}

function outputShape(t: TfliteTensor, name: string): Dim[] {
  const s = t.shape;
  return s.length === 4 ? ['batch', s[3], `${name}_height`, `${name}_width`] : s.map((d, i) => (i === 0 ? 'batch' : d));
}

/** Imports subgraph 0 of a TFLite model whose single input is an NHWC image. */
export function importTflite(model: TfliteModel, options: TfliteImportOptions = {}): TfliteImport {
  const sg = model.subgraphs[0];
  if (sg.inputs.length !== 1) throw new Error(`expected one input tensor, the TFLite model has ${sg.inputs.length}`);
  const inputTensor = sg.tensors[sg.inputs[0]];
  if (inputTensor.shape.length !== 4 || inputTensor.shape[3] !== 3) {
    throw new Error(`expected an NHWC RGB image input, the TFLite input '${inputTensor.name}' is [${inputTensor.shape}]`);
  }
  const im = new Importer(model, sg, options.graphName ?? (sg.name || 'tflite'), options.arithmetic ?? 'float');
  const inputName = options.inputName ?? 'image';
  im.values.set(inputTensor.index, im.b.input(inputName, 'float32', ['batch', 3, 'height', 'width']));

  const q = inputTensor.quantization;
  const quantised = inputTensor.type !== 'float32' && q !== null && q.scale.length === 1;
  const scale = quantised ? q.scale[0] : 1;
  const offset = quantised ? -q.scale[0] * (q.zeroPoint[0] ?? 0) : 0;

  sg.operators.forEach((op, k) => im.convert(op, k));

  const outputs = options.outputs ?? Object.fromEntries(sg.outputs.map((i) => [sg.tensors[i].name.split(';')[0], i]));
  for (const [name, ref] of Object.entries(outputs)) {
    const t = findTensor(sg, ref);
    const v = im.values.get(t.index);
    if (!v) throw new Error(`TFLite tensor '${t.name}' is not computed by the graph`);
    im.b.outputAs(v, name, 'float32', outputShape(t, name));
  }
  return { graph: im.b.graph, subgraph: sg, input: { name: inputName, tensor: inputTensor, scale, offset }, values: im.values };
}
