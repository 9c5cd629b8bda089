/** Sessions over training's graphs, in the form every execution provider accepts. */
import { withExplicitConvAttributes, type Graph } from '../onnx/graph';
import { serializeModel } from '../onnx/serialize';
import type { InferenceSession, Runtime, SessionOptions } from '../runtime';

/** A session over `graph` on `runtime`; Conv attributes are written out, as WebGPU requires. */
export function openSession(runtime: Runtime, graph: Graph, options?: SessionOptions): Promise<InferenceSession> {
  return runtime.createSession(serializeModel(withExplicitConvAttributes(graph)), options);
}
