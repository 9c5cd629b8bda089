/**
 * From the head's grid maps to what an inspector sees: each map standardised by its statistics on
 * held-out good images (so flow and Gaussians speak the same units: good-σ above normal), combined by the
 * manifest's rules, upsampled to the input size and smoothed; the image score is the combined map's
 * maximum, or the maps' agreement on their peaks.
 * Everything stays in log space (u = 0.5·mean z², 0.5·d²/D): exp(−u) underflows to 0 in float32 and
 * would tie the most anomalous images.
 */
import { GraphBuilder, attr, inlineGraph, type Graph } from '../onnx/graph';
import { bilinearMatrix, gridOf, type InputShape } from './aggregation';
import { HEAD_OUTPUTS, gaussianMapOutput } from './head';

/** Named pixelwise rules: the flow's map, the companions' mean, the mean of all maps, or their pixelwise max. */
export const MAP_COMBINATIONS = ['flow', 'gaussian', 'mean', 'max'] as const;
/** Or one companion's map alone: 'gaussian.<i>', i in settings order. */
export type CompanionMap = `gaussian.${number}`;
export type MapCombination = (typeof MAP_COMBINATIONS)[number] | CompanionMap;

const COMPANION_MAP = /^gaussian\.(\d+)$/;
/** The companion a 'gaussian.<i>' rule reads, or undefined for the other rules. */
export const companionIndex = (rule: string): number | undefined => {
  const m = COMPANION_MAP.exec(rule);
  return m ? Number(m[1]) : undefined;
};

/**
 * Image score rules: the maximum of a pixelwise combination, or 'agreement': the geometric mean of every
 * map's own peak (floored at AGREEMENT_FLOOR good-σ). Agreement needs every map to see something, so
 * one map's false alarm on a good part (a faint mark only the expansion features react to) is damped
 * by the others, while a real defect raises them all.
 */
export const SCORE_RULES = [...MAP_COMBINATIONS, 'agreement'] as const;
export type ScoreRule = MapCombination | 'agreement';

/** Peaks below this (in good-σ) count as this in 'agreement', keeping the logarithm finite. */
export const AGREEMENT_FLOOR = 0.1;

export interface ScoringSettings {
  /** How the standardised maps decide the image score. */
  combine: ScoreRule;
  /**
   * Which make the heat map (`anomaly_map`, the pixel threshold); absent = as `combine`, or the flow's
   * under 'agreement'. Maps that help the verdict do not all localise well (a companion on the coarse
   * taps blurs a defect over its neighbourhood), so a model can score with all maps and draw one.
   */
  heatMap?: MapCombination;
  /** Gaussian smoothing of the full-resolution map before the image score, in input pixels (0 = none). */
  mapSmoothingSigma: number;
}

export const heatMapRule = (s: ScoringSettings): MapCombination => s.heatMap ?? (s.combine === 'agreement' ? 'flow' : s.combine);

export interface Standardisation {
  mean: number;
  std: number;
}

/** Pixel statistics of each grid map over held-out good images. */
export interface MapStatistics {
  flow: Standardisation;
  /** One per Gaussian companion, in settings order. */
  gaussians: Standardisation[];
}

export const IDENTITY_STANDARDISATION: MapStatistics = { flow: { mean: 0, std: 1 }, gaussians: [] };

export const SCORE_OUTPUTS = { score: 'score', anomalyMap: 'anomaly_map' } as const;

/**
 * Where a letterboxed photo lies in the input, as additive masks: 0 on the photo, CONTENT_MASK_OFF on the
 * padding, rows [1, 1, H, 1] and columns [1, 1, 1, W]. Only peaks on the photo make the image score.
 */
export const CONTENT_MASK_INPUTS = { rows: 'content_rows', columns: 'content_columns' } as const;
export const CONTENT_MASK_OFF = -1e6;

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

/**
 * Appends the scoring to grid maps; returns the full-resolution heat map [N, 1, H, W] and the score [N].
 * With `contentMask` (value names of CONTENT_MASK_INPUTS' masks) the score reads the photo alone.
 */
export function appendScoring(
  b: GraphBuilder,
  maps: { flow: string; gaussians: string[] },
  scoring: ScoringSettings,
  stats: MapStatistics,
  input: InputShape,
  contentMask?: { rows: string; columns: string },
): { anomalyMap: string; score: string } {
  const heatRule = heatMapRule(scoring);
  if (maps.gaussians.length !== stats.gaussians.length) throw new Error(`the head has ${maps.gaussians.length} Gaussian maps but the manifest standardises ${stats.gaussians.length}`);
  for (const rule of [scoring.combine, heatRule]) {
    if (rule !== 'flow' && !maps.gaussians.length) throw new Error(`scoring rule '${rule}' needs a Gaussian companion, which this model has not fitted`);
    const i = companionIndex(rule);
    if (i !== undefined && i >= maps.gaussians.length) throw new Error(`scoring rule '${rule}' reads companion ${i}, but this model has ${maps.gaussians.length} (gaussian.0…gaussian.${maps.gaussians.length - 1})`);
  }
  const flow = standardise(b, maps.flow, stats.flow);
  const gaussians = maps.gaussians.map((m, i) => standardise(b, m, stats.gaussians[i]));
  const all = [flow, ...gaussians];
  // maps [N, 1, H, W]: the elementwise highest by Concat and ReduceMax, which WebGPU runs (it has no Max)
  const highest = (xs: string[]) => (xs.length === 1 ? xs[0] : b.op('ReduceMax', [b.op('Concat', xs, { axis: attr.i(1) }), b.ints([1])], { keepdims: attr.i(1) }));
  const average = (xs: string[]) => (xs.length === 1 ? xs[0] : b.op('Div', [xs.reduce((acc, x) => b.op('Add', [acc, x])), b.scalar(xs.length)]));
  const combine = (rule: MapCombination) => {
    const companion = companionIndex(rule);
    return companion !== undefined ? gaussians[companion]
      : rule === 'flow' ? flow
      : rule === 'gaussian' ? average(gaussians)
      : rule === 'max' ? highest(all)
      : average(all);
  };
  // every grid map (combined or not) is built and upsampled once, whichever rules read it
  const combinedMaps = new Map<MapCombination, string>();
  const combined = (rule: MapCombination) => combinedMaps.get(rule) ?? combinedMaps.set(rule, combine(rule)).get(rule)!;
  const grid = gridOf(input);
  const rows = b.constant([input.height, grid.height], mapUpsampleMatrix(grid.height, input.height, scoring.mapSmoothingSigma), 'map_rows');
  const columns = b.op('Transpose', [b.constant([input.width, grid.width], mapUpsampleMatrix(grid.width, input.width, scoring.mapSmoothingSigma), 'map_columns')], { perm: attr.ints([1, 0]) });
  const upsampled = new Map<string, string>();
  const upsample = (map: string) => upsampled.get(map) ?? upsampled.set(map, b.op('MatMul', [rows, b.op('MatMul', [map, columns])])).get(map)!;
  const onPhoto = (map: string) => (contentMask ? b.op('Add', [b.op('Add', [map, contentMask.rows]), contentMask.columns]) : map);
  const peak = (map: string) => b.op('ReduceMax', [onPhoto(map), b.ints([1, 2, 3])], { keepdims: attr.i(0) });
  const anomalyMap = upsample(combined(heatRule));
  if (scoring.combine !== 'agreement') return { anomalyMap, score: peak(upsample(combined(scoring.combine))) };
  const logPeaks = all.map((map) => b.op('Log', [b.atLeast(peak(upsample(map)), AGREEMENT_FLOOR)]));
  return { anomalyMap, score: b.op('Exp', [average(logPeaks)]) };
}

/** Declares the two content-mask inputs of an `input`-sized photo on `b`. */
export function contentMaskInputs(b: GraphBuilder, input: InputShape): { rows: string; columns: string } {
  return { rows: b.input(CONTENT_MASK_INPUTS.rows, 'float32', [1, 1, input.height, 1]), columns: b.input(CONTENT_MASK_INPUTS.columns, 'float32', [1, 1, 1, input.width]) };
}

/**
 * head.onnx + scoring as one graph: the head's inputs (and, `masked`, the content masks); outputs `score`,
 * `anomaly_map` and the head's grid maps.
 */
export function buildScoredHead(head: Graph, scoring: ScoringSettings, stats: MapStatistics, input: InputShape, masked = false): Graph {
  const b = new GraphBuilder('scored_head', 'score/');
  for (const i of head.inputs) b.input(i.name, i.dtype, i.shape);
  const out = inlineGraph(b, head, Object.fromEntries(head.inputs.map((i) => [i.name, i.name])), 'h/');
  const gaussians = stats.gaussians.map((_, i) => out[gaussianMapOutput(i)]);
  const contentMask = masked ? contentMaskInputs(b, input) : undefined;
  const scored = appendScoring(b, { flow: out[HEAD_OUTPUTS.flowMap], gaussians }, scoring, stats, input, contentMask);
  b.outputAs(scored.score, SCORE_OUTPUTS.score, 'float32', ['batch']);
  b.outputAs(scored.anomalyMap, SCORE_OUTPUTS.anomalyMap, 'float32', ['batch', 1, input.height, input.width]);
  for (const o of head.outputs) b.outputAs(out[o.name], o.name, o.dtype, o.shape);
  return b.graph;
}
