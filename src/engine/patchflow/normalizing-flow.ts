/**
 * The normalizing flow of PatchFlow: K FrEIA AllInOneBlocks (default settings) over the adapted
 * 128-channel feature map, written as ONNX graph pieces. The same builder makes the training form
 * (BatchNorm on batch statistics, parameters as graph inputs) and the inference form (running
 * statistics, parameters as initializers), so what is trained is exactly what is exported.
 *
 * One block, for x with C channels (C1 = ⌈C/2⌉, C2 = C − C1):
 *   x1, x2 = split(x)                        a = 0.1 · subnet([x1, cond])
 *   s = clamp · tanh(a[:C2])                 x2' = x2 · exp(s) + a[C2:]
 *   y = concat(x1, x2') · g + offset         g = 0.1 · softplus_β=0.5(global_scale)
 *   y = permute(y)                           (fixed, seeded; a 1×1 conv with a permutation matrix)
 *   log|det J| per pixel = Σ_c s + Σ_c ln g
 * subnet = Conv3×3(C1+cond → H) → Conv3×3(H → 2·C2) → BatchNorm → LeakyReLU(0.2).
 * Parameter names follow anomalib's PatchflowModel state_dict (`flow.module_list.K.…`).
 */
import { GraphBuilder, attr, floatTensor, type Tensor } from '../onnx/graph';
import { createRng, permutation } from '../random';

export interface FlowSettings {
  /** Channels of the adapted feature (the flow's width). */
  channels: number;
  /** Number of AllInOneBlocks. */
  steps: number;
  /** Hidden channels of the subnet. */
  hidden: number;
  /** Affine clamping of the coupling scale (FrEIA's affine_clamping). */
  clamp: number;
  /** Channels of the positional condition concatenated to x1 at the subnet's input (0 = the paper's flow). */
  conditionChannels: number;
  permutationSeed: number;
}

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;
const LEAKY_SLOPE = 0.2;

const split1 = (c: number) => c - Math.floor(c / 2);
export const blockName = (k: number) => `flow.module_list.${k}`;

/** Names and shapes of the trainable parameters of the flow. */
export function flowParameterShapes(s: FlowSettings): Map<string, number[]> {
  const c1 = split1(s.channels);
  const c2 = s.channels - c1;
  const shapes = new Map<string, number[]>();
  for (let k = 0; k < s.steps; k++) {
    const p = blockName(k);
    shapes.set(`${p}.subnet.0.weight`, [s.hidden, c1 + s.conditionChannels, 3, 3]);
    shapes.set(`${p}.subnet.0.bias`, [s.hidden]);
    shapes.set(`${p}.subnet.1.weight`, [2 * c2, s.hidden, 3, 3]);
    shapes.set(`${p}.subnet.1.bias`, [2 * c2]);
    shapes.set(`${p}.subnet.2.weight`, [2 * c2]);
    shapes.set(`${p}.subnet.2.bias`, [2 * c2]);
    shapes.set(`${p}.global_scale`, [1, s.channels, 1, 1]);
    shapes.set(`${p}.global_offset`, [1, s.channels, 1, 1]);
  }
  return shapes;
}

/** Non-trainable state: BatchNorm running statistics and the fixed permutations. */
export function flowBufferShapes(s: FlowSettings): Map<string, number[]> {
  const c2 = s.channels - split1(s.channels);
  const shapes = new Map<string, number[]>();
  for (let k = 0; k < s.steps; k++) {
    const p = blockName(k);
    shapes.set(`${p}.subnet.2.running_mean`, [2 * c2]);
    shapes.set(`${p}.subnet.2.running_var`, [2 * c2]);
    shapes.set(`${p}.w_perm`, [s.channels, s.channels, 1, 1]);
  }
  return shapes;
}

/** The global scale's raw value for g = 1: 2·ln(e^5 − 1) (FrEIA's global_affine_init = 1). */
export const GLOBAL_SCALE_INIT = 2 * Math.log(Math.exp(5) - 1);

/** PyTorch's default initialisation (kaiming-uniform convs, BatchNorm identity), FrEIA's for the rest. */
export function initFlow(s: FlowSettings, seed: number): Map<string, Tensor> {
  const rng = createRng(seed);
  const out = new Map<string, Tensor>();
  const uniform = (dims: number[], bound: number) =>
    floatTensor(dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (2 * rng() - 1) * bound));
  const fill = (dims: number[], v: number) => floatTensor(dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(v));
  for (const [name, dims] of flowParameterShapes(s)) {
    if (name.endsWith('global_scale')) out.set(name, fill(dims, GLOBAL_SCALE_INIT));
    else if (name.endsWith('global_offset')) out.set(name, fill(dims, 0));
    else if (name.includes('subnet.2.')) out.set(name, fill(dims, name.endsWith('weight') ? 1 : 0));
    else {
      const convName = name.replace(/\.(weight|bias)$/, '.weight');
      const fanIn = flowParameterShapes(s).get(convName)!.slice(1).reduce((a, b) => a * b, 1);
      out.set(name, uniform(dims, 1 / Math.sqrt(fanIn)));
    }
  }
  for (const [name, dims] of flowBufferShapes(s)) {
    if (name.endsWith('running_mean')) out.set(name, fill(dims, 0));
    else if (name.endsWith('running_var')) out.set(name, fill(dims, 1));
  }
  const permRng = createRng(s.permutationSeed);
  for (let k = 0; k < s.steps; k++) {
    const perm = permutation(s.channels, permRng);
    const w = new Float32Array(s.channels * s.channels);
    perm.forEach((from, to) => (w[to * s.channels + from] = 1));
    out.set(`${blockName(k)}.w_perm`, floatTensor([s.channels, s.channels, 1, 1], w));
  }
  return out;
}

export type BatchNormMode =
  | { kind: 'inference' }
  /** Batch statistics; `count` = N·H·W elements per channel, for the unbiased running variance. */
  | { kind: 'training'; count: number };

export interface FlowOutputs {
  /** The latent z, [N, C, H, W]. */
  z: string;
  /** Per-pixel log|det J|, [N, 1, H, W]. */
  logJacobian: string;
  /** Training only: updated running statistics, keyed by buffer name. */
  runningStats: Map<string, string>;
}

/**
 * Appends the flow to a graph. Parameters and buffers are referenced by their anomalib names, which the
 * caller provides as graph inputs (training) or initializers (inference). `condition`, when the flow is
 * conditioned, is a [1, conditionChannels, H, W] value shared by the batch.
 */
export function appendFlow(b: GraphBuilder, x: string, s: FlowSettings, mode: BatchNormMode, condition?: string): FlowOutputs {
  const c1 = split1(s.channels);
  const c2 = s.channels - c1;
  const channelAxis = { axis: attr.i(1) };
  const pads = { pads: attr.ints([1, 1, 1, 1]) };
  const runningStats = new Map<string, string>();
  let logJacobian = '';
  for (let k = 0; k < s.steps; k++) {
    const p = blockName(k);
    const [x1, x2] = b.opN('Split', [x, b.ints([c1, c2])], 2, channelAxis);

    let h: string;
    if (s.conditionChannels > 0) {
      if (!condition) throw new Error('conditioned flow needs a condition value');
      // conv([x1, c]) = conv(x1, W_x) + conv(c, W_c): the condition's part is computed once for the batch
      const [wx, wc] = b.opN('Split', [`${p}.subnet.0.weight`, b.ints([c1, s.conditionChannels])], 2, channelAxis);
      h = b.op('Add', [b.op('Conv', [x1, wx, `${p}.subnet.0.bias`], pads), b.op('Conv', [condition, wc], pads)]);
    } else {
      h = b.op('Conv', [x1, `${p}.subnet.0.weight`, `${p}.subnet.0.bias`], pads);
    }
    h = b.op('Conv', [h, `${p}.subnet.1.weight`, `${p}.subnet.1.bias`], pads);
    h = batchNorm(b, h, `${p}.subnet.2`, mode, runningStats);
    h = b.op('LeakyRelu', [h], { alpha: attr.f(LEAKY_SLOPE) });
    const a = b.op('Mul', [h, b.scalar(0.1)]);

    const [aScale, aShift] = b.opN('Split', [a, b.ints([c2, c2])], 2, channelAxis);
    const logScale = b.op('Mul', [b.op('Tanh', [aScale]), b.scalar(s.clamp)]);
    const x2Out = b.op('Add', [b.op('Mul', [x2, b.op('Exp', [logScale])]), aShift]);
    const coupled = b.op('Concat', [x1, x2Out], channelAxis);

    // g = 0.1 · (1/β)·softplus(β·global_scale) with β = 0.5
    const g = b.op('Mul', [b.op('Softplus', [b.op('Mul', [`${p}.global_scale`, b.scalar(0.5)])]), b.scalar(0.2)]);
    const affine = b.op('Add', [b.op('Mul', [coupled, g]), `${p}.global_offset`]);
    x = b.op('Conv', [affine, `${p}.w_perm`]);

    const keep = { keepdims: attr.i(1) };
    const blockJacobian = b.op('Add', [
      b.op('ReduceSum', [logScale, b.ints([1])], keep),
      b.op('ReduceSum', [b.op('Log', [g]), b.ints([1, 2, 3])], keep),
    ]);
    logJacobian = logJacobian ? b.op('Add', [logJacobian, blockJacobian]) : blockJacobian;
  }
  return { z: x, logJacobian, runningStats };
}

/**
 * BatchNorm2d: running statistics at inference; batch statistics in training, emitting the updated
 * running statistics as PyTorch keeps them (momentum 0.1, unbiased variance).
 */
function batchNorm(b: GraphBuilder, h: string, p: string, mode: BatchNormMode, runningStats: Map<string, string>): string {
  const [gamma, beta, rMean, rVar] = ['weight', 'bias', 'running_mean', 'running_var'].map((n) => `${p}.${n}`);
  if (mode.kind === 'inference') {
    return b.op('BatchNormalization', [h, gamma, beta, rMean, rVar], { epsilon: attr.f(BN_EPS) });
  }
  const axes = b.ints([0, 2, 3]);
  const keep = { keepdims: attr.i(1) };
  const mean = b.op('ReduceMean', [h, axes], keep);
  const centred = b.op('Sub', [h, mean]);
  const variance = b.op('ReduceMean', [b.op('Mul', [centred, centred]), axes], keep);
  const normalised = b.op('Div', [centred, b.op('Sqrt', [b.op('Add', [variance, b.scalar(BN_EPS)])])]);
  const perChannel = b.ints([1, -1, 1, 1]);
  const out = b.op('Add', [b.op('Mul', [normalised, b.op('Reshape', [gamma, perChannel])]), b.op('Reshape', [beta, perChannel])]);
  const flat = b.ints([-1]);
  const momentum = b.scalar(BN_MOMENTUM);
  const keepOld = b.scalar(1 - BN_MOMENTUM);
  const unbiased = b.op('Mul', [b.op('Reshape', [variance, flat]), b.scalar(mode.count / (mode.count - 1))]);
  runningStats.set(rMean, b.op('Add', [b.op('Mul', [rMean, keepOld]), b.op('Mul', [b.op('Reshape', [mean, flat]), momentum])]));
  runningStats.set(rVar, b.op('Add', [b.op('Mul', [rVar, keepOld]), b.op('Mul', [unbiased, momentum])]));
  return out;
}

/**
 * Per-pixel maps from the latent: `u` = 0.5·mean_c z² (the anomaly map in log space, larger = more
 * anomalous; the reference's −exp(−u) is a monotone transform of it that underflows in float32) and the
 * log-likelihood −0.5·Σ_c z² − (C/2)·ln 2π + log|det J|.
 */
export function appendLikelihoodMaps(b: GraphBuilder, z: string, logJacobian: string, channels: number): { u: string; logLikelihood: string } {
  const keep = { keepdims: attr.i(1) };
  const sq = b.op('Mul', [z, z]);
  const u = b.op('Mul', [b.op('ReduceMean', [sq, b.ints([1])], keep), b.scalar(0.5)]);
  const halfSumSq = b.op('Mul', [u, b.scalar(channels)]);
  const logLikelihood = b.op('Sub', [b.op('Sub', [logJacobian, halfSumSq]), b.scalar((channels / 2) * Math.log(2 * Math.PI))]);
  return { u, logLikelihood };
}

/** 2-D sinusoidal positional encoding (CFlow-AD's positionalencoding2d), [D, H, W] row-major. */
export function positionalEncoding2d(d: number, height: number, width: number): Float32Array {
  if (d % 4 !== 0) throw new Error(`positional encoding needs a channel count divisible by 4, got ${d}`);
  const pe = new Float32Array(d * height * width);
  const half = d / 2;
  const set = (c: number, y: number, x: number, v: number) => (pe[(c * height + y) * width + x] = v);
  for (let i = 0; i < half; i += 2) {
    const freq = Math.exp(-i * (Math.log(1e4) / half));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        set(i, y, x, Math.sin(x * freq));
        set(i + 1, y, x, Math.cos(x * freq));
        set(half + i, y, x, Math.sin(y * freq));
        set(half + i + 1, y, x, Math.cos(y * freq));
      }
    }
  }
  return pe;
}
