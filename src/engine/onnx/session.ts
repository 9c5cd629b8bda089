/** Sessions over the engine's graphs, in the form the runtime's execution provider runs as written. */
import { withExplicitConvAttributes, withNarrowConcatsAndSplits, withoutIdentities, type Graph } from './graph';
import { serializeModel } from './serialize';
import type { InferenceSession, Runtime, SessionOptions } from '../runtime';

/**
 * `graph` as `runtime` runs it correctly and wholly on its provider: Conv attributes explicit, no
 * Identity nodes, Concats and Splits as narrow as its provider needs.
 */
export function graphFor(runtime: Runtime, graph: Graph): Graph {
  const explicit = withoutIdentities(withExplicitConvAttributes(graph));
  return runtime.maxConcatSplitFan === null ? explicit : withNarrowConcatsAndSplits(explicit, runtime.maxConcatSplitFan);
}

/** A session over `graph` on `runtime` (see graphFor). */
export function openSession(runtime: Runtime, graph: Graph, options?: SessionOptions): Promise<InferenceSession> {
  return runtime.createSession(serializeModel(graphFor(runtime, graph)), options);
}
