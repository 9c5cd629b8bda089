/** onnxruntime-node: the CLI's and tests' runtime (CPU). */
import * as ort from 'onnxruntime-node';
import os from 'node:os';
import type { Runtime } from './index';

export function nodeRuntime(threads = Math.max(1, os.availableParallelism())): Runtime {
  return {
    name: 'onnxruntime-node (cpu)',
    createSession: (model) =>
      ort.InferenceSession.create(model, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
      }),
    maxConcatSplitFan: null,
    tensor: (dtype, data, dims) => new ort.Tensor(dtype, data as never, dims),
  };
}
