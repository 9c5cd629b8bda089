/**
 * PaDiM-style companion scorer: the aggregated feature, reduced by a fixed random projection, is
 * modelled by one Gaussian per grid position, and its Mahalanobis distance is a second anomaly map
 * beside the flow's. Fitted in closed form (train/gaussian-fit), evaluated in the same ONNX graph.
 */
import { attr, floatTensor, type GraphBuilder, type Tensor } from '../onnx/graph';
import { createRng, gaussian } from '../random';
import { aggregateAndAdapt, featureChannels, type ScaledTap } from './aggregation';

export interface GaussianSettings {
  /** Projected dimensions D (1…128); 0 turns the companion off. */
  dims: number;
  /** Relative ridge: ε = ridge · mean diagonal variance is added to every covariance. */
  ridge: number;
  /** Seed of the random projection. */
  seed: number;
}

export const MAX_GAUSSIAN_DIMS = 128;

/** [D, ΣC, 1, 1]: the fixed random projection of the aggregated feature. */
export const GAUSSIAN_PROJECTION = 'gaussian.projection';
/** [1, D, G, G]: per-position mean of the projected feature. */
export const GAUSSIAN_MEAN = 'gaussian.mean';
/** [G·G, D, D]: per-position (p = y·G + x) inverse of the ridge-regularised covariance. */
export const GAUSSIAN_PRECISION = 'gaussian.precision';

/** Gaussian entries scaled by 1/√D, so projected features keep the aggregated feature's scale per dimension. */
export function randomProjection(layout: ScaledTap[], settings: GaussianSettings): Tensor {
  const d = settings.dims;
  if (!Number.isInteger(d) || d < 1 || d > MAX_GAUSSIAN_DIMS) throw new Error(`gaussian dims must be 1…${MAX_GAUSSIAN_DIMS}, got ${d}`);
  const cin = featureChannels(layout);
  const rng = createRng(settings.seed);
  const scale = 1 / Math.sqrt(d);
  return floatTensor([d, cin, 1, 1], Array.from({ length: d * cin }, () => gaussian(rng) * scale));
}

/** The projected aggregated feature [N, D, G, G] (reads GAUSSIAN_PROJECTION by name). */
export function appendGaussianProjection(b: GraphBuilder, layout: ScaledTap[], taps: Record<string, string>, grid: number): string {
  // A [1] zero broadcasts over any D after aggregateAndAdapt's reshape to [1, -1, 1, 1].
  return aggregateAndAdapt(b, layout, taps, GAUSSIAN_PROJECTION, b.constant([1], [0], 'gaussian_bias'), grid);
}

/**
 * Mahalanobis map [N, 1, G, G] = 0.5 · d² / D with d² = (x−μ)ᵀ Σ⁻¹ (x−μ) per position: about 0.5 on
 * good parts (E[d²] = D), like the flow's u. Reads GAUSSIAN_PROJECTION, GAUSSIAN_MEAN and
 * GAUSSIAN_PRECISION by name; N stays dynamic.
 */
export function appendGaussianMap(b: GraphBuilder, layout: ScaledTap[], taps: Record<string, string>, grid: number): string {
  const diff = b.op('Sub', [appendGaussianProjection(b, layout, taps, grid), GAUSSIAN_MEAN]);
  const byPosition = b.op('Transpose', [b.op('Reshape', [diff, b.ints([0, 0, -1], 'flatten_grid')])], { perm: attr.ints([2, 0, 1]) }); // [P, N, D]
  const whitened = b.op('MatMul', [byPosition, GAUSSIAN_PRECISION]); // (Σ⁻¹ (x−μ))ᵀ: the precision is symmetric
  // ReduceMean over D gives d²/D without the graph needing to know D.
  const meanSq = b.op('ReduceMean', [b.op('Mul', [byPosition, whitened]), b.ints([2])], { keepdims: attr.i(1) }); // [P, N, 1]
  const perImage = b.op('Transpose', [meanSq], { perm: attr.ints([1, 2, 0]) }); // [N, 1, P]
  return b.op('Mul', [b.op('Reshape', [perImage, b.ints([0, 1, grid, grid], 'grid_shape')]), b.scalar(0.5)]);
}
