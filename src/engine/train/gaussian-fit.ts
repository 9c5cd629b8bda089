/**
 * Closed-form fit of the Gaussian companion (patchflow/gaussian): an ONNX graph projects a batch of
 * cached taps and returns its per-position mean and centred scatter; batches are merged in float64
 * (Chan et al.'s parallel update, so no Σxxᵀ − nμμᵀ cancellation) and each covariance's Cholesky
 * factor L gives the whitening W = L⁻ᵀ, stored as a scaled float16 triangle.
 */
import { GraphBuilder, attr, floatTensor, type Graph, type Tensor } from '../onnx/graph';
import { appendFittingInputs, randomProjection, type GaussianNames, type GaussianSettings } from '../patchflow/gaussian';
import type { InputShape, ScaledTap } from '../patchflow/aggregation';
import { runSession, type Runtime } from '../runtime';
import { toHalf, type TapCache } from './tap-cache';
import { openSession } from './session';

const FIT_BATCH = 16;
const BATCH_MEAN = 'batch_mean';
const BATCH_SCATTER = 'batch_scatter';

/** Taps [n, C, h, w] → batch mean [1, D, P] and centred scatter Σ(x−x̄)(x−x̄)ᵀ [P, D, D]. */
function buildMomentsGraph(layout: ScaledTap[], settings: GaussianSettings, projection: Tensor | undefined, grid: InputShape, names: GaussianNames): Graph {
  const b = new GraphBuilder('gaussian_moments', 'moments/');
  const x = appendFittingInputs(b, layout, grid, names, settings, projection); // [n, D, P]
  const mean = b.op('ReduceMean', [x, b.ints([0])], { keepdims: attr.i(1) }, BATCH_MEAN);
  const centred = b.op('Sub', [x, mean]);
  const columns = b.op('Transpose', [centred], { perm: attr.ints([2, 1, 0]) }); // [P, D, n]
  const rows = b.op('Transpose', [centred], { perm: attr.ints([2, 0, 1]) }); // [P, n, D]
  b.op('MatMul', [columns, rows], {}, BATCH_SCATTER);
  b.output(BATCH_MEAN, 'float32', [1, settings.dims, grid.height * grid.width]);
  b.output(BATCH_SCATTER, 'float32', [grid.height * grid.width, settings.dims, settings.dims]);
  return b.graph;
}

/**
 * In-place Cholesky factor of the symmetric matrix held in the lower triangle of `a` (row-major d×d);
 * false when it is not numerically positive definite.
 */
function cholesky(a: Float64Array, d: number): boolean {
  for (let j = 0; j < d; j++) {
    let diag = a[j * d + j];
    for (let k = 0; k < j; k++) diag -= a[j * d + k] * a[j * d + k];
    if (!(diag > 0)) return false;
    const ljj = Math.sqrt(diag);
    a[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= a[i * d + k] * a[j * d + k];
      a[i * d + j] = s / ljj;
    }
  }
  return true;
}

/**
 * W = L⁻ᵀ (so Σ⁻¹ = W Wᵀ) from the Cholesky factor in the lower triangle of `l`: its upper triangle, row by
 * row, divided by its largest |entry|, as float16 bits into `out` at `offset`; returns that largest entry.
 */
function packedWhitening(l: Float64Array, d: number, inv: Float64Array, out: Uint16Array, offset: number): number {
  inv.fill(0); // inv ← L⁻¹ (lower triangular), column by column by forward substitution
  for (let j = 0; j < d; j++) {
    inv[j * d + j] = 1 / l[j * d + j];
    for (let i = j + 1; i < d; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * d + k] * inv[k * d + j];
      inv[i * d + j] = s / l[i * d + i];
    }
  }
  let largest = 0;
  for (let k = 0; k < d * d; k++) largest = Math.max(largest, Math.abs(inv[k]));
  // W[i][j] = L⁻¹[j][i] for j ≥ i
  for (let i = 0, at = offset; i < d; i++) for (let j = i; j < d; j++) out[at++] = toHalf(inv[j * d + i] / largest);
  return largest;
}

/**
 * Fits the companion on the cached taps of `layout` (every image unless `indices` is given): the seeded reduction,
 * the per-position mean and the whitening of the covariance with ε = ridge · mean diagonal variance
 * added (raised tenfold at a position until it factorises).
 */
export async function fitGaussian(
  runtime: Runtime,
  cache: TapCache,
  layout: ScaledTap[],
  settings: GaussianSettings,
  grid: InputShape,
  names: GaussianNames,
  indices: number[] = Array.from({ length: cache.count }, (_, i) => i),
): Promise<Map<string, Tensor>> {
  if (indices.length < 2) throw new Error(`fitting the Gaussian companion needs at least 2 images, got ${indices.length}`);
  const projection = settings.reduction === 'random-channels' ? undefined : randomProjection(layout, settings);
  const d = settings.dims;
  const positions = grid.height * grid.width;
  const dd = d * d;
  const session = await openSession(runtime, buildMomentsGraph(layout, settings, projection, grid, names));
  const mean = new Float64Array(d * positions); // [D, P]
  const scatter = new Float64Array(positions * dd); // [P, D, D]
  const delta = new Float64Array(d);
  let n = 0;
  try {
    for (let start = 0; start < indices.length; start += FIT_BATCH) {
      const batch = indices.slice(start, start + FIT_BATCH);
      const out = await runSession(runtime, session, cache.batch(batch, session.inputNames), [BATCH_MEAN, BATCH_SCATTER]);
      const batchMean = out[BATCH_MEAN].data as Float32Array;
      const batchScatter = out[BATCH_SCATTER].data as Float32Array;
      const m = batch.length;
      const total = n + m;
      const weight = (n * m) / total;
      for (let p = 0; p < positions; p++) {
        for (let i = 0; i < d; i++) {
          const k = i * positions + p;
          delta[i] = batchMean[k] - mean[k];
          mean[k] += (delta[i] * m) / total;
        }
        const base = p * dd;
        for (let i = 0; i < d; i++) {
          const wi = delta[i] * weight;
          // Upper triangle only: the scatter is symmetric, and this loop is most of the fit's JS time.
          for (let j = i; j < d; j++) scatter[base + i * d + j] += batchScatter[base + i * d + j] + wi * delta[j];
        }
      }
      n = total;
    }
  } finally {
    await session.release();
  }

  let diagonal = 0;
  for (let p = 0; p < positions; p++) for (let i = 0; i < d; i++) diagonal += scatter[p * dd + i * d + i];
  const meanVariance = diagonal / ((n - 1) * positions * d);
  const ridge = settings.ridge * meanVariance;
  // Where ε is 0 and a covariance is singular, start raising from a tiny fraction of the variance
  // (an absolute one when every feature is constant).
  const firstRaise = (meanVariance || 1) * 1e-9;
  const triangle = (d * (d + 1)) / 2;
  const whitening = new Uint16Array(positions * triangle);
  const scales = new Float32Array(positions);
  const factor = new Float64Array(dd);
  const work = new Float64Array(dd);
  for (let p = 0; p < positions; p++) {
    const cov = scatter.subarray(p * dd, (p + 1) * dd);
    for (let eps = ridge, tries = 0; ; eps = eps > 0 ? eps * 10 : firstRaise, tries++) {
      if (tries > 40) throw new Error(`covariance at grid position ${p} stays singular`);
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) factor[i * d + j] = cov[j * d + i] / (n - 1);
      for (let i = 0; i < d; i++) factor[i * d + i] += eps;
      if (cholesky(factor, d)) break;
    }
    scales[p] = packedWhitening(factor, d, work, whitening, p * triangle);
  }
  const params = new Map<string, Tensor>([
    [names.mean, floatTensor([1, d, grid.height, grid.width], mean)],
    [names.whitening, { dtype: 'float16', dims: [positions, triangle], data: whitening }],
    [names.whiteningScale, floatTensor([positions, 1, 1], scales)],
  ]);
  if (projection) params.set(names.projection, projection);
  return params;
}
