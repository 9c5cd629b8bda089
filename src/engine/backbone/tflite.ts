/**
 * A typed reader for the part of the TFLite FlatBuffer schema (tensorflow/lite/schema/schema.fbs) that
 * a convolutional backbone needs. Written by hand on a DataView so the engine stays dependency-free and
 * runs unchanged in Node and in browser workers. Every read is bounds-checked: a truncated or corrupt
 * file fails with a TfliteFormatError naming the offset, never with garbage numbers.
 */

export class TfliteFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfliteFormatError';
  }
}

/** TensorType enum, by code. */
const TENSOR_TYPES = [
  'float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8',
  'float64', 'complex128', 'uint64', 'resource', 'variant', 'uint32', 'uint16', 'int4',
] as const;
export type TfliteTensorType = (typeof TENSOR_TYPES)[number];

/** BuiltinOperator codes of the ops the importer maps (schema.fbs has the full list). */
export const BuiltinOp = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  PAD: 34,
  MEAN: 40,
  QUANTIZE: 114,
} as const;

const OP_NAMES = new Map<number, string>(Object.entries(BuiltinOp).map(([k, v]) => [v, k]));

/** Name of a builtin operator code; others show as their BuiltinOperator number in schema.fbs. */
export function builtinOpName(code: number): string {
  return OP_NAMES.get(code) ?? `BuiltinOperator ${code}`;
}

export type TfliteActivation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6' | 'TANH' | 'SIGN_BIT';
const ACTIVATIONS: TfliteActivation[] = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];
export type TflitePadding = 'SAME' | 'VALID';

/** builtin_options, decoded for the ops the importer maps; other tables keep only their union tag. */
export type TfliteOptions =
  | { kind: 'conv2d'; padding: TflitePadding; strideW: number; strideH: number; activation: TfliteActivation; dilationW: number; dilationH: number }
  | { kind: 'depthwiseConv2d'; padding: TflitePadding; strideW: number; strideH: number; depthMultiplier: number; activation: TfliteActivation; dilationW: number; dilationH: number }
  | { kind: 'pool2d'; padding: TflitePadding; strideW: number; strideH: number; filterW: number; filterH: number; activation: TfliteActivation }
  | { kind: 'fullyConnected'; activation: TfliteActivation; weightsFormat: number; keepNumDims: boolean }
  | { kind: 'softmax'; beta: number }
  | { kind: 'add'; activation: TfliteActivation }
  | { kind: 'reshape'; newShape: number[] | null }
  | { kind: 'reducer'; keepDims: boolean }
  | { kind: 'none' }
  | { kind: 'other'; unionType: number };

export interface TfliteQuantization {
  /** real = scale[c] * (q - zeroPoint[c]); one entry per channel of `quantizedDimension`, or one in all. */
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
  min: number[];
  max: number[];
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  /** Shape with -1 for dynamic dims, when the converter wrote one. */
  shapeSignature: number[] | null;
  type: TfliteTensorType;
  /** Index into Model.buffers; buffer 0 is the conventional empty buffer. */
  buffer: number;
  quantization: TfliteQuantization | null;
}

export interface TfliteOperatorCode {
  /** max(deprecated_builtin_code, builtin_code), as the TFLite runtime resolves it. */
  builtinCode: number;
  deprecatedBuiltinCode: number;
  customCode: string | null;
  version: number;
}

export interface TfliteOperator {
  opcodeIndex: number;
  /** Resolved builtin code of operator_codes[opcodeIndex]. */
  builtinCode: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  options: TfliteOptions;
}

export interface TfliteSubGraph {
  name: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
}

export interface TfliteModel {
  version: number;
  description: string;
  operatorCodes: TfliteOperatorCode[];
  subgraphs: TfliteSubGraph[];
  /** Raw bytes of each buffer (views into the file, not copies); empty for tensors without data. */
  buffers: Uint8Array[];
}

/** Absolute position of a table and its vtable. */
interface Table {
  pos: number;
  vtable: number;
  vtableSize: number;
}

/** Bounds-checked FlatBuffer primitives over one byte array. */
class FlatBufferReader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private check(pos: number, size: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || pos + size > this.bytes.length) {
      throw new TfliteFormatError(
        `truncated or corrupt TFLite file: ${what} at byte ${pos} runs past the end of the ${this.bytes.length}-byte file`,
      );
    }
  }

  u8(pos: number, what: string): number {
    this.check(pos, 1, what);
    return this.view.getUint8(pos);
  }
  i8(pos: number, what: string): number {
    this.check(pos, 1, what);
    return this.view.getInt8(pos);
  }
  u16(pos: number, what: string): number {
    this.check(pos, 2, what);
    return this.view.getUint16(pos, true);
  }
  i32(pos: number, what: string): number {
    this.check(pos, 4, what);
    return this.view.getInt32(pos, true);
  }
  u32(pos: number, what: string): number {
    this.check(pos, 4, what);
    return this.view.getUint32(pos, true);
  }
  f32(pos: number, what: string): number {
    this.check(pos, 4, what);
    return this.view.getFloat32(pos, true);
  }
  i64(pos: number, what: string): number {
    this.check(pos, 8, what);
    return Number(this.view.getBigInt64(pos, true));
  }
  u64(pos: number, what: string): number {
    this.check(pos, 8, what);
    return Number(this.view.getBigUint64(pos, true));
  }

  /** Follows a uoffset stored at `pos`. */
  deref(pos: number, what: string): number {
    return pos + this.u32(pos, what);
  }

  table(pos: number, what: string): Table {
    const vtable = pos - this.i32(pos, `${what} vtable offset`);
    const vtableSize = this.u16(vtable, `${what} vtable`);
    if (vtableSize < 4 || vtableSize % 2) throw new TfliteFormatError(`corrupt TFLite file: ${what} at byte ${pos} has a bad vtable`);
    this.check(vtable, vtableSize, `${what} vtable`);
    return { pos, vtable, vtableSize };
  }

  /** Absolute position of field `index` of a table, or 0 when the field is absent (default value). */
  field(t: Table, index: number): number {
    const slot = 4 + 2 * index;
    if (slot >= t.vtableSize) return 0;
    const rel = this.view.getUint16(t.vtable + slot, true);
    return rel ? t.pos + rel : 0;
  }

  /** Position of the first element and the length of the vector a field points to (null if absent). */
  vector(t: Table, index: number, elemSize: number, what: string): { start: number; length: number } | null {
    const f = this.field(t, index);
    if (!f) return null;
    const vec = this.deref(f, what);
    const length = this.u32(vec, `${what} length`);
    this.check(vec + 4, length * elemSize, what);
    return { start: vec + 4, length };
  }

  string(t: Table, index: number, what: string): string | null {
    const v = this.vector(t, index, 1, what);
    return v ? new TextDecoder().decode(this.bytes.subarray(v.start, v.start + v.length)) : null;
  }

  ints(t: Table, index: number, what: string): number[] | null {
    const v = this.vector(t, index, 4, what);
    return v ? Array.from({ length: v.length }, (_, i) => this.i32(v.start + 4 * i, what)) : null;
  }

  floats(t: Table, index: number, what: string): number[] {
    const v = this.vector(t, index, 4, what);
    return v ? Array.from({ length: v.length }, (_, i) => this.f32(v.start + 4 * i, what)) : [];
  }

  longs(t: Table, index: number, what: string): number[] {
    const v = this.vector(t, index, 8, what);
    return v ? Array.from({ length: v.length }, (_, i) => this.i64(v.start + 8 * i, what)) : [];
  }

  tables<T>(t: Table, index: number, what: string, read: (table: Table, i: number) => T): T[] {
    const v = this.vector(t, index, 4, what);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => {
      const at = v.start + 4 * i;
      return read(this.table(this.deref(at, `${what}[${i}]`), `${what}[${i}]`), i);
    });
  }

  subTable(t: Table, index: number, what: string): Table | null {
    const f = this.field(t, index);
    return f ? this.table(this.deref(f, what), what) : null;
  }

  /** A scalar field, or the schema's default when the table omits it. */
  private scalar(t: Table, index: number, fallback: number, what: string, read: (pos: number, what: string) => number): number {
    const f = this.field(t, index);
    return f ? read.call(this, f, what) : fallback;
  }
  scalarI32(t: Table, index: number, fallback: number, what: string): number {
    return this.scalar(t, index, fallback, what, this.i32);
  }
  scalarU32(t: Table, index: number, fallback: number, what: string): number {
    return this.scalar(t, index, fallback, what, this.u32);
  }
  scalarI8(t: Table, index: number, fallback: number, what: string): number {
    return this.scalar(t, index, fallback, what, this.i8);
  }
  scalarU8(t: Table, index: number, fallback: number, what: string): number {
    return this.scalar(t, index, fallback, what, this.u8);
  }
  scalarF32(t: Table, index: number, fallback: number, what: string): number {
    return this.scalar(t, index, fallback, what, this.f32);
  }
  scalarU64(t: Table, index: number, fallback: number, what: string): number {
    return this.scalar(t, index, fallback, what, this.u64);
  }
}

function activation(r: FlatBufferReader, t: Table, index: number): TfliteActivation {
  const code = r.scalarI8(t, index, 0, 'fused_activation_function');
  const a = ACTIVATIONS[code];
  if (!a) throw new TfliteFormatError(`corrupt TFLite file: unknown fused activation ${code}`);
  return a;
}

function padding(r: FlatBufferReader, t: Table, index: number): TflitePadding {
  const code = r.scalarI8(t, index, 0, 'padding');
  if (code !== 0 && code !== 1) throw new TfliteFormatError(`corrupt TFLite file: unknown padding ${code}`);
  return code === 0 ? 'SAME' : 'VALID';
}

/** Decodes builtin_options by its BuiltinOptions union tag (schema field order in the comments). */
function readOptions(r: FlatBufferReader, unionType: number, t: Table | null): TfliteOptions {
  if (unionType === 0 || !t) return { kind: 'none' };
  const w = 'builtin_options';
  switch (unionType) {
    case 1: // Conv2DOptions: padding, stride_w, stride_h, fused_activation_function, dilation_w_factor, dilation_h_factor
      return {
        kind: 'conv2d', padding: padding(r, t, 0), strideW: r.scalarI32(t, 1, 0, w), strideH: r.scalarI32(t, 2, 0, w),
        activation: activation(r, t, 3), dilationW: r.scalarI32(t, 4, 1, w), dilationH: r.scalarI32(t, 5, 1, w),
      };
    case 2: // DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier, fused_activation_function, dilations
      return {
        kind: 'depthwiseConv2d', padding: padding(r, t, 0), strideW: r.scalarI32(t, 1, 0, w), strideH: r.scalarI32(t, 2, 0, w),
        depthMultiplier: r.scalarI32(t, 3, 0, w), activation: activation(r, t, 4),
        dilationW: r.scalarI32(t, 5, 1, w), dilationH: r.scalarI32(t, 6, 1, w),
      };
    case 5: // Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, fused_activation_function
      return {
        kind: 'pool2d', padding: padding(r, t, 0), strideW: r.scalarI32(t, 1, 0, w), strideH: r.scalarI32(t, 2, 0, w),
        filterW: r.scalarI32(t, 3, 0, w), filterH: r.scalarI32(t, 4, 0, w), activation: activation(r, t, 5),
      };
    case 8: // FullyConnectedOptions: fused_activation_function, weights_format, keep_num_dims
      return { kind: 'fullyConnected', activation: activation(r, t, 0), weightsFormat: r.scalarI8(t, 1, 0, w), keepNumDims: r.scalarU8(t, 2, 0, w) !== 0 };
    case 9: // SoftmaxOptions: beta
      return { kind: 'softmax', beta: r.scalarF32(t, 0, 0, w) };
    case 11: // AddOptions: fused_activation_function
      return { kind: 'add', activation: activation(r, t, 0) };
    case 17: // ReshapeOptions: new_shape
      return { kind: 'reshape', newShape: r.ints(t, 0, 'new_shape') };
    case 27: // ReducerOptions: keep_dims
      return { kind: 'reducer', keepDims: r.scalarU8(t, 0, 0, w) !== 0 };
    default:
      return { kind: 'other', unionType };
  }
}

function readTensor(r: FlatBufferReader, t: Table, index: number): TfliteTensor {
  const w = `tensor ${index}`;
  const typeCode = r.scalarI8(t, 1, 0, w);
  const type = TENSOR_TYPES[typeCode];
  if (!type) throw new TfliteFormatError(`corrupt TFLite file: ${w} has unknown type ${typeCode}`);
  const q = r.subTable(t, 4, `${w} quantization`);
  return {
    index,
    name: r.string(t, 3, `${w} name`) ?? `tensor_${index}`,
    shape: r.ints(t, 0, `${w} shape`) ?? [],
    shapeSignature: r.ints(t, 7, `${w} shape_signature`),
    type,
    buffer: r.scalarU32(t, 2, 0, w),
    // QuantizationParameters: min, max, scale, zero_point, details_type, details, quantized_dimension
    quantization: q && {
      min: r.floats(q, 0, `${w} min`),
      max: r.floats(q, 1, `${w} max`),
      scale: r.floats(q, 2, `${w} scale`),
      zeroPoint: r.longs(q, 3, `${w} zero_point`),
      quantizedDimension: r.scalarI32(q, 6, 0, w),
    },
  };
}

/** Parses a .tflite file. Throws TfliteFormatError on anything that is not a readable TFLite model. */
export function readTflite(bytes: Uint8Array): TfliteModel {
  if (bytes.length < 8) throw new TfliteFormatError(`not a TFLite file: only ${bytes.length} bytes`);
  const ident = String.fromCharCode(bytes[4], bytes[5], bytes[6], bytes[7]);
  if (ident !== 'TFL3') throw new TfliteFormatError(`not a TFLite file: file identifier is ${JSON.stringify(ident)}, expected "TFL3"`);
  const r = new FlatBufferReader(bytes);
  const model = r.table(r.deref(0, 'root table offset'), 'Model');

  // Model: version, operator_codes, subgraphs, description, buffers
  const operatorCodes = r.tables(model, 1, 'operator_codes', (t, i): TfliteOperatorCode => {
    const w = `operator_codes[${i}]`;
    // OperatorCode: deprecated_builtin_code (byte), custom_code, version, builtin_code (int)
    const deprecatedBuiltinCode = r.scalarI8(t, 0, 0, w);
    return {
      deprecatedBuiltinCode,
      builtinCode: Math.max(deprecatedBuiltinCode, r.scalarI32(t, 3, 0, w)),
      customCode: r.string(t, 1, `${w} custom_code`),
      version: r.scalarI32(t, 2, 1, w),
    };
  });

  const buffers = r.tables(model, 4, 'buffers', (t, i) => {
    // Buffer: data, offset, size (offset/size used by models over 2 GB, which keep data after the FlatBuffer)
    const data = r.vector(t, 0, 1, `buffers[${i}] data`);
    if (data) return bytes.subarray(data.start, data.start + data.length);
    const offset = r.scalarU64(t, 1, 0, `buffers[${i}]`);
    const size = r.scalarU64(t, 2, 0, `buffers[${i}]`);
    if (offset > 1) {
      if (offset + size > bytes.length) throw new TfliteFormatError(`truncated TFLite file: buffers[${i}] ends at byte ${offset + size} of ${bytes.length}`);
      return bytes.subarray(offset, offset + size);
    }
    return new Uint8Array(0);
  });

  const subgraphs = r.tables(model, 2, 'subgraphs', (sg, s): TfliteSubGraph => {
    // SubGraph: tensors, inputs, outputs, operators, name
    const tensors = r.tables(sg, 0, `subgraphs[${s}].tensors`, (t, i) => readTensor(r, t, i));
    const operators = r.tables(sg, 3, `subgraphs[${s}].operators`, (op, i): TfliteOperator => {
      const w = `subgraphs[${s}].operators[${i}]`;
      // Operator: opcode_index, inputs, outputs, builtin_options_type, builtin_options, ...
      const opcodeIndex = r.scalarU32(op, 0, 0, w);
      const code = operatorCodes[opcodeIndex];
      if (!code) throw new TfliteFormatError(`corrupt TFLite file: ${w} uses operator code ${opcodeIndex} of ${operatorCodes.length}`);
      const unionType = r.scalarU8(op, 3, 0, w);
      return {
        opcodeIndex,
        builtinCode: code.builtinCode,
        inputs: r.ints(op, 1, `${w} inputs`) ?? [],
        outputs: r.ints(op, 2, `${w} outputs`) ?? [],
        options: readOptions(r, unionType, r.subTable(op, 4, `${w} builtin_options`)),
      };
    });
    const inputs = r.ints(sg, 1, `subgraphs[${s}].inputs`) ?? [];
    const outputs = r.ints(sg, 2, `subgraphs[${s}].outputs`) ?? [];
    for (const ti of [...inputs, ...outputs, ...operators.flatMap((op) => [...op.inputs, ...op.outputs])]) {
      if (ti >= tensors.length || ti < -1) throw new TfliteFormatError(`corrupt TFLite file: tensor index ${ti} of ${tensors.length} in subgraph ${s}`);
    }
    for (const t of tensors) {
      if (t.buffer >= buffers.length) throw new TfliteFormatError(`corrupt TFLite file: tensor '${t.name}' uses buffer ${t.buffer} of ${buffers.length}`);
    }
    return { name: r.string(sg, 4, `subgraphs[${s}].name`) ?? '', tensors, inputs, outputs, operators };
  });
  if (!subgraphs.length) throw new TfliteFormatError('TFLite file has no subgraph');

  return {
    version: r.scalarU32(model, 0, 0, 'Model'),
    description: r.string(model, 3, 'description') ?? '',
    operatorCodes,
    subgraphs,
    buffers,
  };
}
