/**
 * onnxruntime-web: the browser worker's runtime, on WebGPU or on WASM SIMD (threaded when the page is
 * cross-origin isolated). The backend is chosen per part model by the worker, which tries WebGPU and
 * falls back to WASM when it cannot run the model.
 */
import * as ort from 'onnxruntime-web';
import type { Runtime } from './index';
import { Tripwire } from '../tripwire';

export type WebBackend = 'webgpu' | 'wasm';

/** WASM threads: both of a line tablet's cores (up to 4) when isolation allows threads, else 1. */
export function wasmThreads(): number {
  return globalThis.crossOriginIsolated ? Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1) : 1;
}

/** Why this browser cannot run WebGPU, or null when it offers an adapter. */
export async function webGpuUnavailable(): Promise<string | null> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return 'this browser has no WebGPU';
  try {
    return (await gpu.requestAdapter()) ? null : 'no GPU adapter';
  } catch (e) {
    return `no GPU adapter (${(e as Error).message})`;
  }
}

export interface WebRuntimeOptions {
  /** WASM threads (default `wasmThreads()`); set before the first session, as onnxruntime-web requires. */
  threads?: number;
  /** Where the ORT .wasm files are served from (default: bundled by Vite). */
  wasmPaths?: string;
}

/**
 * The worker's turn at onnxruntime-web: one module serves every session in it, and two calls that
 * interleave (an inspection beside the live model's frame, a model loading beside a batch) fail
 * ("Session mismatch", "Session already started"). Every creation, run and release waits for the last.
 */
let lastCall: Promise<unknown> = Promise.resolve();
function inTurn<T>(call: () => Promise<T>): Promise<T> {
  const mine = lastCall.then(call);
  lastCall = mine.catch(() => undefined);
  return mine;
}

/**
 * A lost WebGPU device (destroyed, a driver reset, the GPU unplugged). onnxruntime-web's runs on it never
 * settle and leave its module stuck ("Session already started" on any backend after), so a worker whose
 * GPU is lost cannot go on: runs reject with this instead of hanging, and the page starts a fresh worker.
 */
export class GpuLostError extends Error {
  override name = 'GpuLostError';
}

/** Trips once the device of this worker's WebGPU sessions is lost (watched from the first one). */
const gpu = new Tripwire();
let watching = false;
function watchGpu(): void {
  if (watching) return;
  watching = true;
  // the device itself once onnxruntime-web has made it (a promise of it before)
  void Promise.resolve(ort.env.webgpu.device as unknown as { lost: Promise<{ reason?: string; message?: string }> })
    .then((device) => device.lost)
    .then((info) => gpu.trip(new GpuLostError(`the GPU was lost (${info.message || info.reason || 'no reason given'})`)));
}

/** `work`, or a GpuLostError as soon as the GPU is lost (work on a lost GPU never settles). */
export const unlessGpuLost = <T>(work: Promise<T>): Promise<T> => gpu.guard(work);

/** Diagnostics: destroys this worker's WebGPU device under its runs, as a lost GPU would (used by the end-to-end tests). */
export async function destroyGpuDevice(): Promise<void> {
  ((await ort.env.webgpu.device) as unknown as { destroy(): void }).destroy();
}

async function createSession(model: Uint8Array, options: ort.InferenceSession.SessionOptions, backend: WebBackend): Promise<ort.InferenceSession> {
  const session = await inTurn(() => ort.InferenceSession.create(model, options));
  if (backend === 'webgpu') watchGpu();
  const run = session.run.bind(session) as (...args: unknown[]) => Promise<ort.InferenceSession.ReturnType>;
  const release = session.release.bind(session);
  session.run = ((...args: unknown[]) => unlessGpuLost(inTurn(() => run(...args)))) as typeof session.run;
  session.release = () => inTurn(release);
  return session;
}

/**
 * A WebGPU kernel binds each of its inputs and outputs as a storage buffer, and onnxruntime-web's device
 * allows 8 per shader (WebGPU's default limit, on every GPU). Its Concat of 9 maps or Split into 9 then
 * fails to compile, and the session goes on with garbage in their place instead of failing.
 */
const WEBGPU_MAX_CONCAT_SPLIT_FAN = 4;

/** A runtime whose sessions run on `backend` alone (a node WebGPU lacks runs on the CPU inside ORT). */
export function webRuntime(backend: WebBackend, options: WebRuntimeOptions = {}): Runtime {
  if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
  ort.env.wasm.numThreads = options.threads ?? wasmThreads();
  return {
    name: backend === 'webgpu' ? 'onnxruntime-web (WebGPU)' : `onnxruntime-web (WASM, ${ort.env.wasm.numThreads} thread(s))`,
    createSession: (model, { outputsOnDevice = [] } = {}) =>
      createSession(
        model,
        {
          executionProviders: [backend],
          graphOptimizationLevel: 'all',
          // WASM's outputs are host arrays already
          ...(backend === 'webgpu' && outputsOnDevice.length ? { preferredOutputLocation: Object.fromEntries(outputsOnDevice.map((n) => [n, 'gpu-buffer' as const])) } : {}),
        },
        backend,
      ),
    maxConcatSplitFan: backend === 'webgpu' ? WEBGPU_MAX_CONCAT_SPLIT_FAN : null,
    tensor: (dtype, data, dims) => new ort.Tensor(dtype, data as never, dims),
  };
}
