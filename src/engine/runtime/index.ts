/**
 * The one place that knows which onnxruntime build runs the graphs. Engine code only sees `Runtime`;
 * Node code gets it from `./node`, the browser worker from `./web`.
 */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import type { DType, TensorData } from '../onnx/graph';

export type { InferenceSession, OrtTensor };

export interface SessionOptions {
  /**
   * Outputs left where the execution provider computed them (GPU memory on WebGPU) instead of being
   * copied back to the host: state a loop feeds back into the next run (the training step's parameters).
   * Read one with `readTensor`; on the CPU it is a host tensor anyway.
   */
  outputsOnDevice?: readonly string[];
}

export interface Runtime {
  readonly name: string;
  /** Loads model bytes into a session on this runtime's best execution provider. */
  createSession(model: Uint8Array, options?: SessionOptions): Promise<InferenceSession>;
  /**
   * The most inputs of a Concat, or outputs of a Split, its execution provider runs correctly (wider ones
   * are rebuilt as trees of narrower ones, at some memory cost); null: any.
   */
  readonly maxConcatSplitFan: number | null;
  tensor(dtype: DType, data: TensorData, dims: readonly number[]): OrtTensor;
}

/** A named input or output array with its dims, as the engine passes them around. */
export interface HostTensor {
  dtype: DType;
  dims: number[];
  data: TensorData;
}

export function hostTensor(t: OrtTensor): HostTensor {
  return { dtype: t.type as DType, dims: [...t.dims], data: t.data as TensorData };
}

/** A host tensor, or a runtime's own (which may live on the device, e.g. a training step's output). */
export type Feed = HostTensor | OrtTensor;

const isOrtTensor = (t: Feed): t is OrtTensor => 'location' in t;

/** A runtime tensor's values on the host (downloaded from the device when it lives there). */
export async function readTensor(t: OrtTensor): Promise<HostTensor> {
  return { dtype: t.type as DType, dims: [...t.dims], data: (await t.getData()) as TensorData };
}

/** Feeds as the runtime's tensors (its own pass as they are). */
export function ortFeeds(runtime: Runtime, feeds: Record<string, Feed>): Record<string, OrtTensor> {
  return Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, isOrtTensor(v) ? v : runtime.tensor(v.dtype, v.data, v.dims)]));
}

/** Runs a session and returns every requested output as host arrays. */
export async function runSession(
  runtime: Runtime,
  session: InferenceSession,
  feeds: Record<string, Feed>,
  outputs?: readonly string[],
): Promise<Record<string, HostTensor>> {
  const ort = ortFeeds(runtime, feeds);
  const result = outputs ? await session.run(ort, outputs) : await session.run(ort);
  const out: Record<string, HostTensor> = {};
  for (const [k, v] of Object.entries(result)) out[k] = hostTensor(v);
  return out;
}
