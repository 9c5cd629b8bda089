/** Sessions over training's graphs, in the form every execution provider accepts. */
import { forEveryProvider, type Graph } from '../onnx/graph';
import { serializeModel } from '../onnx/serialize';
import type { InferenceSession, Runtime, SessionOptions } from '../runtime';

/** A session over `graph` on `runtime`, in the form every execution provider runs as written (WebGPU's needs). */
export function openSession(runtime: Runtime, graph: Graph, options?: SessionOptions): Promise<InferenceSession> {
  return runtime.createSession(serializeModel(forEveryProvider(graph)), options);
}
