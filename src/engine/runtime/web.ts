/**
 * onnxruntime-web: WebGPU where the browser offers an adapter, else WASM SIMD (threaded when the page is
 * cross-origin isolated). The browser worker's runtime.
 */
import * as ort from 'onnxruntime-web';
import type { Runtime } from './index';

export interface WebRuntimeOptions {
  /** Try WebGPU first (default true); false forces WASM. */
  preferGpu?: boolean;
  /** Where the ORT .wasm files are served from (default: bundled by Vite). */
  wasmPaths?: string;
}

async function hasWebGpu(): Promise<boolean> {
  const gpu = (globalThis.navigator as (Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }) | undefined)?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

export async function webRuntime(options: WebRuntimeOptions = {}): Promise<Runtime> {
  if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
  ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1) : 1;
  const gpu = options.preferGpu !== false && (await hasWebGpu());
  const providers = gpu ? ['webgpu', 'wasm'] : ['wasm'];
  return {
    name: `onnxruntime-web (${gpu ? 'webgpu, wasm fallback' : `wasm, ${ort.env.wasm.numThreads} thread(s)`})`,
    createSession: (model) => ort.InferenceSession.create(model, { executionProviders: providers, graphOptimizationLevel: 'all' }),
    tensor: (dtype, data, dims) => new ort.Tensor(dtype, data as never, dims),
  };
}
