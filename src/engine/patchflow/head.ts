/**
 * The PatchFlow head as ONNX graphs: aggregation + feature adapter + normalizing flow + maps and score.
 * One builder serves inference (head.onnx), validation during training (parameters as inputs) and the
 * training forward pass that the autodiff room differentiates.
 */
import { GraphBuilder, attr, floatTensor, type Graph, type Tensor } from '../onnx/graph';
import { createRng } from '../random';
import { aggregateAndAdapt, featureChannels, gridOf, tapLayout, type FeatureSettings, type InputShape, type ScaledTap } from './aggregation';
import type { BackboneManifest } from '../backbone/manifest';
import { appendGaussianMap, gaussianNames, type GaussianSettings } from './gaussian';
import { appendNearestNeighbourMap, bankName } from './nearest-neighbour';
import {
  appendFlow,
  appendLikelihoodMaps,
  flowBufferShapes,
  flowParameterShapes,
  initFlow,
  positionalEncoding2d,
  type BatchNormMode,
  type FlowSettings,
} from './normalizing-flow';

export interface HeadSettings {
  /** Output channels of the 1×1 feature adapter (the flow's width). */
  adapterChannels: number;
  /**
   * 'none' is the paper's adapter. It has no Jacobian term, so maximum likelihood shrinks its output
   * epoch after epoch and scores drift with the epoch count. 'fixed-norm' keeps the weight's Frobenius
   * norm at its initial expectation √(out/3) (PyTorch's init): it still drifts, by turning towards
   * low-variance directions. 'frozen' keeps the seeded initial projection and trains only the flow
   * (it inverts the score: a position-blind density on random directions finds anomalies likely).
   * 'unit-variance' adds λ·(ln v)² to the loss, v = the adapted feature's mean per-channel variance, so
   * the adapter keeps choosing directions while its output scale stays put.
   * (Standardising each adapted channel was tried too and rejected: under a unit-variance constraint
   * the adapter learns bimodal directions and anomalies fall between the modes, inverting the score.)
   */
  adapterConstraint: 'none' | 'fixed-norm' | 'frozen' | 'unit-variance';
  flow: Omit<FlowSettings, 'channels'>;
  /**
   * Companions beside the flow, each on its own taps (none = flow only): per-position Gaussians, or a
   * nearest-neighbour memory bank (`model: 'nearest-neighbour'`).
   */
  gaussians: GaussianSettings[];
}

/**
 * The scaled taps each part of the head reads, each in its own concatenation order: the flow's (the
 * feature settings' taps) and each Gaussian companion's (its own taps, or the flow's).
 */
export interface HeadLayout {
  flow: ScaledTap[];
  gaussians: ScaledTap[][];
}

export function headLayout(features: FeatureSettings, h: HeadSettings, backbone: BackboneManifest): HeadLayout {
  return {
    flow: tapLayout(features, backbone),
    gaussians: h.gaussians.map((g, i) => {
      // the backbone runs at the feature settings' scales only
      const missing = g.scales?.filter((scale) => !features.scales.includes(scale)) ?? [];
      if (missing.length) throw new Error(`Gaussian companion ${i} reads scale ${missing.join(', ')}, which the model does not run (scales: ${features.scales.join(', ')})`);
      return tapLayout({ ...features, taps: g.taps ?? features.taps, scales: g.scales ?? features.scales }, backbone);
    }),
  };
}

/** Every scaled tap the head reads, once (the tap graph's outputs, the head's inputs, the training cache). */
export function headInputs(l: HeadLayout): ScaledTap[] {
  const byName = new Map([l.flow, ...l.gaussians].flat().map((t) => [t.name, t]));
  return [...byName.values()];
}

export const ADAPTER_WEIGHT = 'feature_adaptor.weight';
export const ADAPTER_BIAS = 'feature_adaptor.bias';
export const POSITION_CONDITION = 'position_condition';

/** What head.onnx computes, all on the stride-8 grid [N, 1, Gh, Gw]. */
export const HEAD_OUTPUTS = { flowMap: 'flow_map', logLikelihood: 'log_likelihood' } as const;
/** Output name of companion `index`'s map (Mahalanobis or nearest-neighbour distance). */
export const gaussianMapOutput = (index: number) => `gaussian_map_${index}`;

export const flowSettings = (h: HeadSettings): FlowSettings => ({ ...h.flow, channels: h.adapterChannels });

/** Trainable parameters (anomalib state_dict names) and their shapes. */
export function headParameterShapes(layout: ScaledTap[], h: HeadSettings): Map<string, number[]> {
  return new Map([
    [ADAPTER_WEIGHT, [h.adapterChannels, featureChannels(layout), 1, 1]],
    [ADAPTER_BIAS, [h.adapterChannels]],
    ...flowParameterShapes(flowSettings(h)),
  ]);
}

/** Non-trainable state: running statistics and the fixed permutations. */
export const headBufferShapes = (h: HeadSettings) => flowBufferShapes(flowSettings(h));

/** The adapter weight's Frobenius norm under 'fixed-norm': its expectation at PyTorch's initialisation. */
export const adapterWeightNorm = (h: HeadSettings) => Math.sqrt(h.adapterChannels / 3);

/** Rescales an adapter weight to the fixed norm (baked into exported heads, so they stay anomalib-shaped). */
export function normalisedAdapterWeight(w: Tensor, h: HeadSettings): Tensor {
  const data = w.data as Float32Array;
  const norm = Math.sqrt(data.reduce((s, v) => s + v * v, 0));
  return floatTensor(w.dims, data.map((v) => (v * adapterWeightNorm(h)) / norm));
}

/** Freshly initialised parameters and buffers (PyTorch default init for the adapter). */
export function initHead(layout: ScaledTap[], h: HeadSettings, seed: number): Map<string, Tensor> {
  const params = initFlow(flowSettings(h), seed + 1);
  const rng = createRng(seed);
  const cin = featureChannels(layout);
  const bound = 1 / Math.sqrt(cin);
  const u = (n: number) => Array.from({ length: n }, () => (2 * rng() - 1) * bound);
  params.set(ADAPTER_WEIGHT, floatTensor([h.adapterChannels, cin, 1, 1], u(h.adapterChannels * cin)));
  params.set(ADAPTER_BIAS, floatTensor([h.adapterChannels], u(h.adapterChannels)));
  return params;
}

/** Declares the scaled taps as float32 graph inputs (the training cache converts its float16 on the host). */
function tapInputs(b: GraphBuilder, layout: ScaledTap[], batch: number | string): Record<string, string> {
  return Object.fromEntries(layout.map((t) => [t.name, b.input(t.name, 'float32', [batch, t.tap.channels, t.height, t.width])]));
}

function positionCondition(b: GraphBuilder, h: HeadSettings, grid: InputShape): string | undefined {
  const c = h.flow.conditionChannels;
  if (!c) return undefined;
  return b.initializer(POSITION_CONDITION, floatTensor([1, c, grid.height, grid.width], positionalEncoding2d(c, grid.height, grid.width)));
}

/**
 * Adapter and flow: the part of the head that training differentiates. A fixed-norm adapter whose
 * weight is a graph input (training, validation) is normalised in the graph; a baked one already is.
 */
function appendAdaptedFlow(b: GraphBuilder, layout: ScaledTap[], h: HeadSettings, taps: Record<string, string>, grid: InputShape, mode: BatchNormMode) {
  let weight = ADAPTER_WEIGHT;
  if (h.adapterConstraint === 'fixed-norm' && !b.graph.initializers.has(ADAPTER_WEIGHT)) {
    const norm = b.op('Sqrt', [b.op('ReduceSum', [b.op('Mul', [weight, weight])], { keepdims: attr.i(0) })]);
    weight = b.op('Mul', [weight, b.op('Div', [b.scalar(adapterWeightNorm(h)), norm])]);
  }
  const adapted = aggregateAndAdapt(b, layout, taps, weight, ADAPTER_BIAS, grid);
  return { adapted, ...appendFlow(b, adapted, flowSettings(h), mode, positionCondition(b, h, grid)) };
}

/** Weight of the 'unit-variance' penalty λ·(ln v)². */
export const ADAPTER_VARIANCE_PENALTY = 1;

export interface HeadGraphOptions {
  input: InputShape;
  /** Parameters and buffers baked in as initializers; those not given become graph inputs. */
  params?: Map<string, Tensor>;
}

/**
 * head.onnx: scaled taps [N, C, h, w] → `flow_map` u = 0.5·mean_c z² (log space, larger = more
 * anomalous), `log_likelihood` and each companion's `gaussian_map_<i>` 0.5·d²/D — all [N, 1, Gh, Gw].
 */
export function buildHeadGraph(layout: HeadLayout, h: HeadSettings, o: HeadGraphOptions): Graph {
  const b = new GraphBuilder('patchflow_head', 'head/');
  const grid = gridOf(o.input);
  const taps = tapInputs(b, headInputs(layout), 'batch');
  const shapes = new Map([...headParameterShapes(layout.flow, h), ...headBufferShapes(h)]);
  for (const [name, dims] of shapes) {
    const baked = o.params?.get(name);
    if (!baked) b.input(name, 'float32', dims);
    else b.initializer(name, name === ADAPTER_WEIGHT && h.adapterConstraint === 'fixed-norm' ? normalisedAdapterWeight(baked, h) : baked);
  }
  const flow = appendAdaptedFlow(b, layout.flow, h, taps, grid, { kind: 'inference' });
  const maps = appendLikelihoodMaps(b, flow.z, flow.logJacobian, h.adapterChannels);
  const mapShape = ['batch', 1, grid.height, grid.width];
  b.outputAs(maps.u, HEAD_OUTPUTS.flowMap, 'float32', mapShape);
  b.outputAs(maps.logLikelihood, HEAD_OUTPUTS.logLikelihood, 'float32', mapShape);
  for (const [name, t] of o.params ?? []) if (name.startsWith('gaussian.')) b.initializer(name, t);
  layout.gaussians.forEach((g, i) => {
    const settings = h.gaussians[i];
    // a tiled model's Gaussians stack one set per tile on the mean's first axis
    const tiles = o.params?.get(gaussianNames(i).mean)?.dims[0] ?? 1;
    const map = settings.model === 'nearest-neighbour' ? appendNearestNeighbourMap(b, g, taps, grid, gaussianNames(i), settings, bankName(i)) : appendGaussianMap(b, g, taps, grid, gaussianNames(i), settings, tiles);
    b.outputAs(map, gaussianMapOutput(i), 'float32', mapShape);
  });
  return b.graph;
}

export interface TrainingForward {
  graph: Graph;
  loss: string;
  /** Buffer name → value name of its updated running statistic. */
  runningStats: Map<string, string>;
  /** Trainable parameter names (graph inputs; a frozen adapter is an input but not among them). */
  parameters: string[];
}

/**
 * The training forward pass for a fixed batch size: taps → loss = mean over the batch of
 * (0.5·Σ z² − log|det J|) / (C·H·W), with BatchNorm on batch statistics. Parameters and running
 * statistics are inputs; the permutation and the position condition are constants.
 */
export function buildTrainingForward(layout: ScaledTap[], h: HeadSettings, input: InputShape, batch: number, permutations: Map<string, Tensor>): TrainingForward {
  const b = new GraphBuilder('patchflow_train', 'fwd/');
  const grid = gridOf(input);
  const taps = tapInputs(b, layout, batch);
  const frozen = h.adapterConstraint === 'frozen' ? [ADAPTER_WEIGHT, ADAPTER_BIAS] : [];
  const parameters = [...headParameterShapes(layout, h)].map(([name, dims]) => b.input(name, 'float32', dims)).filter((p) => !frozen.includes(p));
  for (const [name, dims] of headBufferShapes(h)) {
    if (name.endsWith('w_perm')) b.initializer(name, permutations.get(name)!);
    else b.input(name, 'float32', dims);
  }
  const flow = appendAdaptedFlow(b, layout, h, taps, grid, { kind: 'training', count: batch * grid.height * grid.width });
  const halfSumSq = b.op('Mul', [b.op('ReduceSum', [b.op('Mul', [flow.z, flow.z])], { keepdims: attr.i(0) }), b.scalar(0.5)]);
  const logDet = b.op('ReduceSum', [flow.logJacobian], { keepdims: attr.i(0) });
  let loss = b.op('Div', [b.op('Sub', [halfSumSq, logDet]), b.scalar(batch * h.adapterChannels * grid.height * grid.width)]);
  if (h.adapterConstraint === 'unit-variance') {
    const centred = b.op('Sub', [flow.adapted, b.op('ReduceMean', [flow.adapted, b.ints([0, 2, 3])], { keepdims: attr.i(1) })]);
    const logVariance = b.op('Log', [b.op('ReduceMean', [b.op('Mul', [centred, centred])], { keepdims: attr.i(0) })]);
    loss = b.op('Add', [loss, b.op('Mul', [b.op('Mul', [logVariance, logVariance]), b.scalar(ADAPTER_VARIANCE_PENALTY)])]);
  }
  return { graph: b.graph, loss, runningStats: flow.runningStats, parameters };
}
