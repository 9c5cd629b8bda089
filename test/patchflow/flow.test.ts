import { describe, expect, it } from 'vitest';
import { GraphBuilder, attr, floatTensor, type Tensor } from '../../src/engine/onnx/graph';
import { serializeModel } from '../../src/engine/onnx/serialize';
import { runSession } from '../../src/engine/runtime';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { createRng, gaussian } from '../../src/engine/random';
import { appendFlow, flowParameterShapes, initFlow, positionalEncoding2d, type FlowSettings } from '../../src/engine/patchflow/normalizing-flow';

const runtime = nodeRuntime(1);

/** log|det A| of a dense n×n matrix by LU with partial pivoting (float64). */
function logAbsDet(a: Float64Array, n: number): number {
  const m = Float64Array.from(a);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[p * n + k])) p = i;
    if (p !== k) for (let j = 0; j < n; j++) [m[k * n + j], m[p * n + j]] = [m[p * n + j], m[k * n + j]];
    const pivot = m[k * n + k];
    sum += Math.log(Math.abs(pivot));
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k] / pivot;
      for (let j = k; j < n; j++) m[i * n + j] -= f * m[k * n + j];
    }
  }
  return sum;
}

/** Random, non-trivial parameters: the freshly initialised flow is too close to the identity to test. */
function randomParams(s: FlowSettings, seed: number): Map<string, Tensor> {
  const rng = createRng(seed);
  const params = initFlow(s, seed);
  for (const [name, dims] of flowParameterShapes(s)) {
    const n = dims.reduce((a, b) => a * b, 1);
    const base = name.endsWith('global_scale') ? 3 : name.endsWith('subnet.2.weight') ? 1 : 0;
    params.set(name, floatTensor(dims, Array.from({ length: n }, () => base + 0.8 * gaussian(rng))));
  }
  for (const [name, t] of params) {
    if (name.endsWith('running_var')) params.set(name, floatTensor(t.dims, Array.from(t.data as Float32Array, () => 0.5 + rng())));
    if (name.endsWith('running_mean')) params.set(name, floatTensor(t.dims, Array.from(t.data as Float32Array, () => 0.3 * gaussian(rng))));
  }
  return params;
}

async function checkLogDeterminant(s: FlowSettings, h: number, w: number) {
  const b = new GraphBuilder('flow');
  const x = b.input('x', 'float32', ['batch', s.channels, h, w]);
  for (const [name, t] of randomParams(s, 7)) b.initializer(name, t);
  const condition = s.conditionChannels ? b.constant([1, s.conditionChannels, h, w], positionalEncoding2d(s.conditionChannels, h, w)) : undefined;
  const flow = appendFlow(b, x, s, { kind: 'inference' }, condition);
  b.outputAs(flow.z, 'z');
  b.outputAs(b.op('ReduceSum', [flow.logJacobian, b.ints([1, 2, 3])], { keepdims: attr.i(0) }), 'logdet');
  const session = await runtime.createSession(serializeModel(b.graph));

  const n = s.channels * h * w;
  const rng = createRng(3);
  const x0 = Float32Array.from({ length: n }, () => gaussian(rng));
  const eps = 1e-2;
  // batch: x0, then x0 ± eps·e_i for every coordinate (inference BatchNorm is per sample)
  const batch = new Float32Array((2 * n + 1) * n);
  batch.set(x0, 0);
  for (let i = 0; i < n; i++) {
    batch.set(x0, (1 + 2 * i) * n);
    batch[(1 + 2 * i) * n + i] += eps;
    batch.set(x0, (2 + 2 * i) * n);
    batch[(2 + 2 * i) * n + i] -= eps;
  }
  const out = await runSession(runtime, session, { x: { dtype: 'float32', dims: [2 * n + 1, s.channels, h, w], data: batch } });
  const z = out.z.data as Float32Array;
  const jac = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) jac[j * n + i] = (z[(1 + 2 * i) * n + j] - z[(2 + 2 * i) * n + j]) / (2 * eps);
  const numeric = logAbsDet(jac, n);
  const analytic = (out.logdet.data as Float32Array)[0];
  expect(Math.abs(numeric)).toBeGreaterThan(0.5); // the check means something only away from the identity
  expect(analytic).toBeCloseTo(numeric, 1);
}

describe('normalizing flow (AllInOneBlock)', () => {
  it('log-determinant matches a numerical Jacobian (2 blocks, tiny input)', async () => {
    await checkLogDeterminant({ channels: 6, steps: 2, hidden: 8, clamp: 2, conditionChannels: 0, permutationSeed: 1 }, 3, 3);
  });

  it('conditioned block: log-determinant matches a numerical Jacobian', async () => {
    await checkLogDeterminant({ channels: 4, steps: 2, hidden: 8, clamp: 2, conditionChannels: 4, permutationSeed: 2 }, 3, 3);
  });

  it('global scale initialises to g = 1 and the permutation is a permutation', () => {
    const params = initFlow({ channels: 8, steps: 1, hidden: 4, clamp: 2, conditionChannels: 0, permutationSeed: 5 }, 1);
    const gs = (params.get('flow.module_list.0.global_scale')!.data as Float32Array)[0];
    expect(0.1 * 2 * Math.log1p(Math.exp(0.5 * gs))).toBeCloseTo(1, 6);
    const perm = params.get('flow.module_list.0.w_perm')!.data as Float32Array;
    for (let r = 0; r < 8; r++) expect(perm.slice(r * 8, r * 8 + 8).reduce((a, b) => a + b, 0)).toBe(1);
  });
});
