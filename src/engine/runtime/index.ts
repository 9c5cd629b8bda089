/**
 * The one place that knows which onnxruntime build runs the graphs. Engine code only sees `Runtime`;
 * Node code gets it from `./node`, the browser worker from `./web`.
 */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import type { DType, TensorData } from '../onnx/graph';

export type { InferenceSession, OrtTensor };

export interface Runtime {
  readonly name: string;
  /** Loads model bytes into a session on this runtime's best execution provider. */
  createSession(model: Uint8Array): Promise<InferenceSession>;
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

/** Runs a session and returns every requested output as host arrays. */
export async function runSession(
  runtime: Runtime,
  session: InferenceSession,
  feeds: Record<string, HostTensor>,
  outputs?: readonly string[],
): Promise<Record<string, HostTensor>> {
  const ortFeeds: Record<string, OrtTensor> = {};
  for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = runtime.tensor(v.dtype, v.data, v.dims);
  const result = outputs ? await session.run(ortFeeds, outputs) : await session.run(ortFeeds);
  const out: Record<string, HostTensor> = {};
  for (const [k, v] of Object.entries(result)) out[k] = hostTensor(v);
  return out;
}
