/**
 * The PatchFlow head as ONNX graphs: aggregation + feature adapter + normalizing flow + maps and score.
 * One builder serves inference (head.onnx), validation during training (parameters as inputs) and the
 * training forward pass that the autodiff room differentiates.
 */
import { GraphBuilder, attr, floatTensor, type DType, type Graph, type Tensor } from '../onnx/graph';
import { createRng } from '../random';
import { aggregateAndAdapt, bilinearMatrix, featureChannels, gridSize, type ScaledTap } from './aggregation';
import {
  appendFlow,
  appendLikelihoodMaps,
  flowBufferShapes,
  flowParameterShapes,
  initFlow,
  positionalEncoding2d,
  type FlowSettings,
} from './normalizing-flow';

export interface HeadSettings {
  /** Output channels of the 1×1 feature adapter (the flow's width). */
  adapterChannels: number;
  flow: Omit<FlowSettings, 'channels'>;
  /** Gaussian smoothing of the full-resolution anomaly map before the image score, in input pixels (0 = none). */
  mapSmoothingSigma: number;
}

export const ADAPTER_WEIGHT = 'feature_adaptor.weight';
export const ADAPTER_BIAS = 'feature_adaptor.bias';
export const POSITION_CONDITION = 'position_condition';

export const HEAD_OUTPUTS = { score: 'score', anomalyMap: 'anomaly_map', logLikelihood: 'log_likelihood' } as const;

export const flowSettings = (h: HeadSettings): FlowSettings => ({ ...h.flow, channels: h.adapterChannels });

/** Trainable parameters (anomalib state_dict names) and their shapes. */
export function headParameterShapes(layout: ScaledTap[], h: HeadSettings): Map<string, number[]> {
  return new Map([
    [ADAPTER_WEIGHT, [h.adapterChannels, featureChannels(layout), 1, 1]],
    [ADAPTER_BIAS, [h.adapterChannels]],
    ...flowParameterShapes(flowSettings(h)),
  ]);
}

export function headBufferNames(h: HeadSettings): string[] {
  return [...flowBufferShapes(flowSettings(h)).keys()];
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

/** Declares the scaled taps as graph inputs and returns the float32 values the head reads. */
function tapInputs(b: GraphBuilder, layout: ScaledTap[], batch: number | string, dtype: DType): Record<string, string> {
  const values: Record<string, string> = {};
  for (const t of layout) {
    b.input(t.name, dtype, [batch, t.tap.channels, t.height, t.width]);
    values[t.name] = dtype === 'float32' ? t.name : b.op('Cast', [t.name], { to: attr.i(1) });
  }
  return values;
}

function positionCondition(b: GraphBuilder, h: HeadSettings, grid: number): string | undefined {
  const c = h.flow.conditionChannels;
  if (!c) return undefined;
  return b.initializer(POSITION_CONDITION, floatTensor([1, c, grid, grid], positionalEncoding2d(c, grid, grid)));
}

/** [S, G] matrix: bilinear upsampling of the grid to the input size, then Gaussian smoothing (edges renormalised). */
function mapUpsampleMatrix(grid: number, size: number, sigma: number): Float32Array {
  const up = bilinearMatrix(grid, size);
  if (sigma <= 0) return up;
  const radius = Math.ceil(4 * sigma);
  const out = new Float32Array(size * grid);
  for (let i = 0; i < size; i++) {
    let norm = 0;
    for (let j = Math.max(0, i - radius); j <= Math.min(size - 1, i + radius); j++) {
      const w = Math.exp(-((i - j) ** 2) / (2 * sigma * sigma));
      norm += w;
      for (let g = 0; g < grid; g++) out[i * grid + g] += w * up[j * grid + g];
    }
    for (let g = 0; g < grid; g++) out[i * grid + g] /= norm;
  }
  return out;
}

export interface HeadGraphOptions {
  inputSize: number;
  /** Parameters and buffers baked in as initializers; those not given become graph inputs. */
  params?: Map<string, Tensor>;
  /** Element type of the tap inputs (the training cache stores float16). */
  tapDtype?: DType;
}

/**
 * Inference graph: scaled taps [N, C, h, w] → `score` [N], `anomaly_map` [N, 1, S, S] (u = 0.5·mean_c z²,
 * upsampled and smoothed; larger = more anomalous) and `log_likelihood` [N, 1, G, G].
 */
export function buildHeadGraph(layout: ScaledTap[], h: HeadSettings, o: HeadGraphOptions): Graph {
  const b = new GraphBuilder('patchflow_head', 'head/');
  const grid = gridSize(o.inputSize);
  const taps = tapInputs(b, layout, 'batch', o.tapDtype ?? 'float32');
  const shapes = new Map([...headParameterShapes(layout, h), ...flowBufferShapes(flowSettings(h))]);
  for (const [name, dims] of shapes) {
    const baked = o.params?.get(name);
    if (baked) b.initializer(name, baked);
    else b.input(name, 'float32', dims);
  }
  const adapted = aggregateAndAdapt(b, layout, taps, ADAPTER_WEIGHT, ADAPTER_BIAS, grid);
  const flow = appendFlow(b, adapted, flowSettings(h), { kind: 'inference' }, positionCondition(b, h, grid));
  const maps = appendLikelihoodMaps(b, flow.z, flow.logJacobian, h.adapterChannels);
  const m = b.constant([o.inputSize, grid], mapUpsampleMatrix(grid, o.inputSize, h.mapSmoothingSigma), 'map_rows');
  const mT = b.op('Transpose', [m], { perm: attr.ints([1, 0]) });
  const full = b.op('MatMul', [m, b.op('MatMul', [maps.u, mT])], {}, HEAD_OUTPUTS.anomalyMap);
  b.op('ReduceMax', [full, b.ints([1, 2, 3])], { keepdims: attr.i(0) }, HEAD_OUTPUTS.score);
  b.outputAs(maps.logLikelihood, HEAD_OUTPUTS.logLikelihood, 'float32', ['batch', 1, grid, grid]);
  b.output(HEAD_OUTPUTS.anomalyMap, 'float32', ['batch', 1, o.inputSize, o.inputSize]);
  b.output(HEAD_OUTPUTS.score, 'float32', ['batch']);
  return b.graph;
}

export interface TrainingForward {
  graph: Graph;
  loss: string;
  /** Buffer name → value name of its updated running statistic. */
  runningStats: Map<string, string>;
  /** Trainable parameter names (graph inputs). */
  parameters: string[];
}

/**
 * The training forward pass for a fixed batch size: taps → loss = mean over the batch of
 * (0.5·Σ z² − log|det J|) / (C·H·W), with BatchNorm on batch statistics. Parameters and running
 * statistics are inputs; the permutation and the position condition are constants.
 */
export function buildTrainingForward(layout: ScaledTap[], h: HeadSettings, inputSize: number, batch: number, permutations: Map<string, Tensor>): TrainingForward {
  const b = new GraphBuilder('patchflow_train', 'fwd/');
  const grid = gridSize(inputSize);
  const taps = tapInputs(b, layout, batch, 'float16');
  const parameters = [...headParameterShapes(layout, h)].map(([name, dims]) => b.input(name, 'float32', dims));
  for (const [name, dims] of flowBufferShapes(flowSettings(h))) {
    if (name.endsWith('w_perm')) b.initializer(name, permutations.get(name)!);
    else b.input(name, 'float32', dims);
  }
  const adapted = aggregateAndAdapt(b, layout, taps, ADAPTER_WEIGHT, ADAPTER_BIAS, grid);
  const flow = appendFlow(b, adapted, flowSettings(h), { kind: 'training', count: batch * grid * grid }, positionCondition(b, h, grid));
  const halfSumSq = b.op('Mul', [b.op('ReduceSum', [b.op('Mul', [flow.z, flow.z])], { keepdims: attr.i(0) }), b.scalar(0.5)]);
  const logDet = b.op('ReduceSum', [flow.logJacobian], { keepdims: attr.i(0) });
  const loss = b.op('Div', [b.op('Sub', [halfSumSq, logDet]), b.scalar(batch * h.adapterChannels * grid * grid)]);
  return { graph: b.graph, loss, runningStats: flow.runningStats, parameters };
}
