/**
 * From the head's grid maps to what an inspector sees: each map standardised by its statistics on
 * held-out good images (so flow and Gaussian speak the same units: good-σ above normal), combined by the
 * manifest's rule, upsampled to the input size, smoothed, and the image score taken as its maximum.
 * Everything stays in log space (u = 0.5·mean z², 0.5·d²/D): exp(−u) underflows to 0 in float32 and
 * would tie the most anomalous images.
 */
import { GraphBuilder, attr, inlineGraph, type Graph } from '../onnx/graph';
import { bilinearMatrix, gridSize } from './aggregation';
import { HEAD_OUTPUTS } from './head';

export const MAP_COMBINATIONS = ['flow', 'gaussian', 'mean', 'max'] as const;
export type MapCombination = (typeof MAP_COMBINATIONS)[number];

export interface ScoringSettings {
  /** Which standardised maps make the anomaly map: one of them, their mean, or their pixelwise max. */
  combine: MapCombination;
  /** Gaussian smoothing of the full-resolution map before the image score, in input pixels (0 = none). */
  mapSmoothingSigma: number;
}

export interface Standardisation {
  mean: number;
  std: number;
}

/** Pixel statistics of each grid map over held-out good images. */
export interface MapStatistics {
  flow: Standardisation;
  gaussian?: Standardisation;
}

export const IDENTITY_STANDARDISATION: MapStatistics = { flow: { mean: 0, std: 1 } };

export const SCORE_OUTPUTS = { score: 'score', anomalyMap: 'anomaly_map' } as const;

/** [S, G] matrix: bilinear upsampling of the grid to the input size, then Gaussian smoothing (edges renormalised). */
export function mapUpsampleMatrix(grid: number, size: number, sigma: number): Float32Array {
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

function standardise(b: GraphBuilder, map: string, s: Standardisation): string {
  return b.op('Div', [b.op('Sub', [map, b.scalar(s.mean)]), b.scalar(s.std || 1)]);
}

/** Appends the scoring to grid maps; returns the full-resolution map [N, 1, S, S] and the score [N]. */
export function appendScoring(
  b: GraphBuilder,
  maps: { flow: string; gaussian?: string },
  scoring: ScoringSettings,
  stats: MapStatistics,
  inputSize: number,
): { anomalyMap: string; score: string } {
  const flow = standardise(b, maps.flow, stats.flow);
  const needsGaussian = scoring.combine !== 'flow';
  if (needsGaussian && (!maps.gaussian || !stats.gaussian)) throw new Error(`scoring rule '${scoring.combine}' needs the Gaussian companion, which this model has not fitted`);
  const gaussian = needsGaussian ? standardise(b, maps.gaussian!, stats.gaussian!) : '';
  const combined =
    scoring.combine === 'flow' ? flow
    : scoring.combine === 'gaussian' ? gaussian
    : scoring.combine === 'max' ? b.op('Max', [flow, gaussian])
    : b.op('Mul', [b.op('Add', [flow, gaussian]), b.scalar(0.5)]);
  const grid = gridSize(inputSize);
  const m = b.constant([inputSize, grid], mapUpsampleMatrix(grid, inputSize, scoring.mapSmoothingSigma), 'map_rows');
  const mT = b.op('Transpose', [m], { perm: attr.ints([1, 0]) });
  const anomalyMap = b.op('MatMul', [m, b.op('MatMul', [combined, mT])]);
  const score = b.op('ReduceMax', [anomalyMap, b.ints([1, 2, 3])], { keepdims: attr.i(0) });
  return { anomalyMap, score };
}

/**
 * head.onnx + scoring as one graph: same inputs as the head; outputs `score`, `anomaly_map` and the
 * head's grid maps.
 */
export function buildScoredHead(head: Graph, scoring: ScoringSettings, stats: MapStatistics, inputSize: number): Graph {
  const b = new GraphBuilder('scored_head', 'score/');
  for (const i of head.inputs) b.input(i.name, i.dtype, i.shape);
  const out = inlineGraph(b, head, Object.fromEntries(head.inputs.map((i) => [i.name, i.name])), 'h/');
  const scored = appendScoring(b, { flow: out[HEAD_OUTPUTS.flowMap], gaussian: out[HEAD_OUTPUTS.gaussianMap] }, scoring, stats, inputSize);
  b.outputAs(scored.score, SCORE_OUTPUTS.score, 'float32', ['batch']);
  b.outputAs(scored.anomalyMap, SCORE_OUTPUTS.anomalyMap, 'float32', ['batch', 1, inputSize, inputSize]);
  for (const o of head.outputs) b.outputAs(out[o.name], o.name, o.dtype, o.shape);
  return b.graph;
}
