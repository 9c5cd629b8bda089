/** Reads and writes ONNX model bytes (the protobuf schema comes from the onnx-proto package). */
import onnxProto from 'onnx-proto';
import { OPSET, type Attr, type DType, type Dim, type Graph, type Node, type Tensor, type TensorData, type ValueInfo } from './graph';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

const dtypeCode: Record<DType, number> = {
  float32: DT.FLOAT,
  float16: DT.FLOAT16,
  int64: DT.INT64,
  int32: DT.INT32,
  int8: DT.INT8,
  uint8: DT.UINT8,
  bool: DT.BOOL,
};
const codeDtype = new Map<number, DType>(Object.entries(dtypeCode).map(([k, v]) => [v, k as DType]));

function dtypeOf(code: number): DType {
  const d = codeDtype.get(code);
  if (!d) throw new Error(`unsupported ONNX element type ${code}`);
  return d;
}

function typedArray(dtype: DType, buffer: ArrayBuffer): TensorData {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer);
    case 'float16': return new Uint16Array(buffer);
    case 'int64': return new BigInt64Array(buffer);
    case 'int32': return new Int32Array(buffer);
    case 'int8': return new Int8Array(buffer);
    case 'uint8':
    case 'bool': return new Uint8Array(buffer);
  }
}

function tensorToProto(name: string, t: Tensor): onnxProto.onnx.ITensorProto {
  return {
    name,
    dataType: dtypeCode[t.dtype],
    dims: t.dims,
    rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
  };
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v as bigint);
}

function tensorFromProto(p: onnxProto.onnx.ITensorProto): Tensor {
  const dtype = dtypeOf(p.dataType ?? 0);
  const dims = (p.dims ?? []).map(num);
  const size = dims.reduce((a, b) => a * b, 1);
  let data: TensorData;
  if (p.rawData && p.rawData.length) {
    data = typedArray(dtype, new Uint8Array(p.rawData).buffer); // copy: decoded bytes may share a pooled buffer
  } else if (dtype === 'float32') {
    data = Float32Array.from(p.floatData ?? []);
  } else if (dtype === 'int64') {
    data = BigInt64Array.from((p.int64Data ?? []).map((v) => BigInt(num(v))));
  } else if (dtype === 'float16') {
    data = Uint16Array.from(p.int32Data ?? []);
  } else {
    const ints = p.int32Data ?? [];
    data = dtype === 'int32' ? Int32Array.from(ints) : dtype === 'int8' ? Int8Array.from(ints) : Uint8Array.from(ints);
  }
  if (data.length !== size) throw new Error(`initializer '${p.name}' holds ${data.length} values for dims [${dims}]`);
  return { dtype, dims, data };
}

function attrToProto(name: string, a: Attr): onnxProto.onnx.IAttributeProto {
  switch (a.kind) {
    case 'int': return { name, type: AT.INT, i: a.value };
    case 'float': return { name, type: AT.FLOAT, f: a.value };
    case 'ints': return { name, type: AT.INTS, ints: a.value };
    case 'floats': return { name, type: AT.FLOATS, floats: a.value };
    case 'string': return { name, type: AT.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor': return { name, type: AT.TENSOR, t: tensorToProto('', a.value) };
  }
}

function attrFromProto(p: onnxProto.onnx.IAttributeProto): Attr {
  switch (p.type) {
    case AT.INT: return { kind: 'int', value: num(p.i) };
    case AT.FLOAT: return { kind: 'float', value: p.f ?? 0 };
    case AT.INTS: return { kind: 'ints', value: (p.ints ?? []).map(num) };
    case AT.FLOATS: return { kind: 'floats', value: p.floats ?? [] };
    case AT.STRING: return { kind: 'string', value: new TextDecoder().decode(p.s ?? new Uint8Array()) };
    case AT.TENSOR: return { kind: 'tensor', value: tensorFromProto(p.t!) };
    default: throw new Error(`unsupported attribute '${p.name}' of type ${p.type}`);
  }
}

function valueInfoToProto(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: dtypeCode[v.dtype],
        shape: v.shape ? { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } : undefined,
      },
    },
  };
}

function valueInfoFromProto(p: onnxProto.onnx.IValueInfoProto): ValueInfo {
  const tt = p.type?.tensorType;
  const dims = tt?.shape?.dim;
  const shape: Dim[] | undefined = dims?.map((d) => (d.dimParam ? d.dimParam : num(d.dimValue)));
  return { name: p.name ?? '', dtype: dtypeOf(tt?.elemType ?? DT.FLOAT), shape };
}

export interface ModelMetadata {
  [key: string]: string;
}

/** Serialises a graph into ONNX model bytes that onnxruntime-node and onnxruntime-web both load. */
export function serializeModel(graph: Graph, metadata: ModelMetadata = {}, opset = OPSET): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'patchflow-inspect',
    opsetImport: [{ domain: '', version: opset }],
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: graph.nodes.map((n: Node, i) => ({
        name: n.name ?? `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs).map(([k, a]) => attrToProto(k, a)),
      })),
      input: graph.inputs.map(valueInfoToProto),
      output: graph.outputs.map(valueInfoToProto),
      initializer: [...graph.initializers].map(([k, t]) => tensorToProto(k, t)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Parses ONNX model bytes back into the toolkit's graph form. */
export function parseModel(bytes: Uint8Array): { graph: Graph; metadata: ModelMetadata; opset: number } {
  const model = onnx.ModelProto.decode(bytes);
  const g = model.graph;
  if (!g) throw new Error('ONNX model has no graph');
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) initializers.set(t.name ?? '', tensorFromProto(t));
  const graph: Graph = {
    name: g.name ?? 'graph',
    nodes: (g.node ?? []).map((n) => ({
      op: n.opType ?? '',
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attrs: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', attrFromProto(a)])),
      name: n.name ?? undefined,
      domain: n.domain || undefined,
    })),
    inputs: (g.input ?? []).map(valueInfoFromProto).filter((v) => !initializers.has(v.name)),
    outputs: (g.output ?? []).map(valueInfoFromProto),
    initializers,
  };
  const metadata: ModelMetadata = {};
  for (const p of model.metadataProps ?? []) metadata[p.key ?? ''] = p.value ?? '';
  const opset = num((model.opsetImport ?? []).find((o) => !o.domain)?.version ?? OPSET);
  return { graph, metadata, opset };
}
