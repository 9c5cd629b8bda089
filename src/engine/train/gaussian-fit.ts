/**
 * Closed-form fit of the Gaussian companion (patchflow/gaussian): an ONNX graph projects a batch of
 * cached taps and returns its per-position mean and centred scatter; batches are merged in float64
 * (Chan et al.'s parallel update, so no Σxxᵀ − nμμᵀ cancellation). Each position's Gaussian may be
 * blended with the position-blind one; its covariance's Cholesky factor L gives the whitening W = L⁻ᵀ,
 * stored as a scaled float16 triangle.
 */
import { GraphBuilder, attr, floatTensor, type Graph, type Tensor } from '../onnx/graph';
import { appendFittingInputs, covarianceBlocks, randomProjection, type GaussianNames, type GaussianSettings } from '../patchflow/gaussian';
import type { InputShape, ScaledTap } from '../patchflow/aggregation';
import type { PositionBlindRecord } from '../patchflow/manifest';
import { runSession, type InferenceSession, type Runtime } from '../runtime';
import { toHalf, type TapCache } from './tap-cache';
import { openSession } from '../onnx/session';

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

/** Per-position sample moments: mean [D, P] and centred scatter [P, D, D] (upper triangle filled). */
interface Moments {
  mean: Float64Array;
  scatter: Float64Array;
  n: number;
}

/** Runs the moments graph over `indices` of `cache` in batches and merges them exactly. */
async function accumulateMoments(runtime: Runtime, session: InferenceSession, cache: TapCache, indices: number[], d: number, positions: number): Promise<Moments> {
  const dd = d * d;
  const mean = new Float64Array(d * positions);
  const scatter = new Float64Array(positions * dd);
  const delta = new Float64Array(d);
  let n = 0;
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
  return { mean, scatter, n };
}

/**
 * Each cell keeps its own mean; its scatter becomes its k × k block's, the cells' centred scatters pooled
 * (so each block's covariance has k² times the samples of one cell's). In place: the cells' own scatters
 * are not read again, and a copy would hold P × D² more doubles (134 MB at 256 px and 128 dims).
 */
function poolBlockScatters(m: Moments, d: number, blocks: number[][]): Moments {
  const dd = d * d;
  const pooled = new Float64Array(dd);
  for (const cells of blocks) {
    pooled.fill(0);
    for (const q of cells) for (let e = 0; e < dd; e++) pooled[e] += m.scatter[q * dd + e];
    // scatter / (n − 1) is read as the covariance; the pooled one has cells · (n − 1) degrees of freedom
    for (const q of cells) for (let e = 0; e < dd; e++) m.scatter[q * dd + e] = pooled[e] / cells.length;
  }
  return m;
}

/** The grid cells (row-major indices) of each k × k covariance block, the blocks in row-major order. */
function blockCells(grid: InputShape, k: number): number[][] {
  const { rows, columns } = covarianceBlocks(grid, k);
  const blocks: number[][] = [];
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < columns; bx++) {
      const cells: number[] = [];
      for (let y = by * k; y < (by + 1) * k; y++) for (let x = bx * k; x < (bx + 1) * k; x++) cells.push(y * grid.width + x);
      blocks.push(cells);
    }
  }
  return blocks;
}

/**
 * The Gaussians a fit can store: each position's own, blended with the position-blind one (every
 * training patch pooled: the mean over positions, and the within- plus between-position covariance).
 */
class PositionGaussians {
  private readonly pooledMean: Float64Array;
  private readonly pooledCov: Float64Array; // [D, D], upper triangle
  /** ε on every covariance's diagonal. */
  private readonly ridge: number;
  private readonly firstRaise: number;

  constructor(
    private readonly m: Moments,
    private readonly d: number,
    private readonly positions: number,
    relativeRidge: number,
  ) {
    const dd = d * d;
    this.pooledMean = new Float64Array(d);
    for (let i = 0; i < d; i++) for (let p = 0; p < positions; p++) this.pooledMean[i] += m.mean[i * positions + p] / positions;
    this.pooledCov = new Float64Array(dd);
    for (let p = 0; p < positions; p++) {
      for (let i = 0; i < d; i++) {
        const di = m.mean[i * positions + p] - this.pooledMean[i];
        for (let j = i; j < d; j++) {
          this.pooledCov[i * d + j] += (m.scatter[p * dd + i * d + j] / (m.n - 1) + di * (m.mean[j * positions + p] - this.pooledMean[j])) / positions;
        }
      }
    }
    let diagonal = 0;
    for (let p = 0; p < positions; p++) for (let i = 0; i < d; i++) diagonal += m.scatter[p * dd + i * d + i];
    const meanVariance = diagonal / ((m.n - 1) * positions * d);
    this.ridge = relativeRidge * meanVariance;
    // Where ε is 0 and a covariance is singular, start raising from a tiny fraction of the variance
    // (an absolute one when every feature is constant).
    this.firstRaise = (meanVariance || 1) * 1e-9;
  }

  /** Position p's mean with `share` of the pooled one into `out` [D]. */
  mean(p: number, share: number, out: Float64Array): Float64Array {
    for (let i = 0; i < this.d; i++) out[i] = (1 - share) * this.m.mean[i * this.positions + p] + share * this.pooledMean[i];
    return out;
  }

  /**
   * The Cholesky factor (lower triangle of `factor`, row-major D×D) of position p's covariance with
   * `share` of the pooled one and ε added (raised tenfold until it factorises).
   */
  factor(p: number, share: number, factor: Float64Array): Float64Array {
    const { d, m } = this;
    const base = p * d * d;
    for (let eps = this.ridge, tries = 0; ; eps = eps > 0 ? eps * 10 : this.firstRaise, tries++) {
      if (tries > 40) throw new Error(`covariance at grid position ${p} stays singular`);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j <= i; j++) factor[i * d + j] = (1 - share) * (m.scatter[base + j * d + i] / (m.n - 1)) + share * this.pooledCov[j * d + i];
      }
      for (let i = 0; i < d; i++) factor[i * d + i] += eps;
      if (cholesky(factor, d)) return factor;
    }
  }
}

/** Shares of the position-blind Gaussian that 'auto' compares. */
export const POSITION_BLIND_SHARES = [0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1];

/**
 * Mean negative log-likelihood per patch and dimension (without the constant ½·log 2π) of the held-out
 * patches, summarised by their moments, under every position's Gaussian with `share` of the pooled one:
 * ½·(log det Σ + tr(Σ⁻¹S)/n + (m − μ)ᵀΣ⁻¹(m − μ)) for held-out mean m and scatter S.
 */
function heldOutNll(model: PositionGaussians, heldOut: Moments, share: number, d: number, positions: number, blocks: number[][]): number {
  const dd = d * d;
  const factor = new Float64Array(dd);
  const inv = new Float64Array(dd);
  const s = new Float64Array(dd);
  const mu = new Float64Array(d);
  let total = 0;
  // a block's cells share one covariance: it is factorised once, and tr(Σ⁻¹S) summed over the cells is tr(Σ⁻¹ ΣS)
  for (const cells of blocks) {
    model.factor(cells[0], share, factor);
    lowerInverse(factor, d, inv);
    let logDet = 0;
    for (let i = 0; i < d; i++) logDet += 2 * Math.log(factor[i * d + i]);
    s.fill(0);
    for (const p of cells) for (let i = 0; i < d; i++) for (let j = i; j < d; j++) s[i * d + j] += heldOut.scatter[p * dd + i * d + j];
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) s[i * d + j] = s[j * d + i];
    // tr(Σ⁻¹S) = Σᵢ rᵢᵀ S rᵢ over the rows rᵢ of L⁻¹ (nonzero up to the diagonal)
    let trace = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let sr = 0;
        for (let k = 0; k <= i; k++) sr += s[j * d + k] * inv[i * d + k];
        trace += inv[i * d + j] * sr;
      }
    }
    let mahalanobis = 0;
    for (const p of cells) {
      model.mean(p, share, mu);
      for (let i = 0; i < d; i++) {
        let r = 0;
        for (let k = 0; k <= i; k++) r += inv[i * d + k] * (heldOut.mean[k * positions + p] - mu[k]);
        mahalanobis += r * r;
      }
    }
    total += cells.length * logDet + trace / heldOut.n + mahalanobis;
  }
  return total / (2 * positions * d);
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

/** inv ← L⁻¹ (lower triangular) for the factor in the lower triangle of `l`, column by column by forward substitution. */
function lowerInverse(l: Float64Array, d: number, inv: Float64Array): Float64Array {
  inv.fill(0);
  for (let j = 0; j < d; j++) {
    inv[j * d + j] = 1 / l[j * d + j];
    for (let i = j + 1; i < d; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * d + k] * inv[k * d + j];
      inv[i * d + j] = s / l[i * d + i];
    }
  }
  return inv;
}

/**
 * W = L⁻ᵀ (so Σ⁻¹ = W Wᵀ) from the Cholesky factor in the lower triangle of `l`: its upper triangle, row by
 * row, divided by its largest |entry|, as float16 bits into `out` at `offset`; returns that largest entry.
 */
function packedWhitening(l: Float64Array, d: number, inv: Float64Array, out: Uint16Array, offset: number): number {
  lowerInverse(l, d, inv);
  let largest = 0;
  for (let k = 0; k < d * d; k++) largest = Math.max(largest, Math.abs(inv[k]));
  // W[i][j] = L⁻¹[j][i] for j ≥ i
  for (let i = 0, at = offset; i < d; i++) for (let j = i; j < d; j++) out[at++] = toHalf(inv[j * d + i] / largest);
  return largest;
}

/** A fitted companion's weights, and what 'auto' chose for its position-blind share. */
export interface GaussianFit {
  params: Map<string, Tensor>;
  positionBlind?: Omit<PositionBlindRecord, 'companion'>;
}

/**
 * One set of per-position Gaussians: the cached samples it is fitted on, and the held-out good ones
 * that choose an 'auto' position-blind share. A tiled model fits one group per tile.
 */
export interface FitGroup {
  indices: number[];
  heldOut?: number[];
}

/**
 * Fits the companion on the cached taps of `layout`, one set of per-position Gaussians per group (every
 * sample in one group unless told otherwise): the seeded reduction, each position's mean and the
 * whitening of its covariance (its covariance block's, pooled over the block's cells) with ε = ridge ·
 * mean diagonal variance added (raised tenfold at a position until it factorises), blended with the
 * group's position-blind Gaussian by the settings' share. 'auto' chooses the share under which every
 * group's held-out good samples (in `heldOutCache`) are most likely together. The weights stack the
 * groups on their first axis.
 */
export async function fitGaussian(
  runtime: Runtime,
  cache: TapCache,
  layout: ScaledTap[],
  settings: GaussianSettings,
  grid: InputShape,
  names: GaussianNames,
  groups: FitGroup[] = [{ indices: Array.from({ length: cache.count }, (_, i) => i) }],
  heldOutCache?: TapCache,
): Promise<GaussianFit> {
  const auto = settings.positionBlind === 'auto';
  for (const g of groups) if (g.indices.length < 2) throw new Error(`fitting the Gaussian companion needs at least 2 images, got ${g.indices.length}`);
  if (auto && (!heldOutCache || groups.some((g) => !g.heldOut?.length))) throw new Error("a position-blind share of 'auto' is chosen on held-out good images; none were given");
  const projection = settings.reduction === 'random-channels' ? undefined : randomProjection(layout, settings);
  const d = settings.dims;
  const positions = grid.height * grid.width;
  const k = settings.covarianceBlock ?? 1;
  const blocks = blockCells(grid, k);
  const session = await openSession(runtime, buildMomentsGraph(layout, settings, projection, grid, names));
  const models: PositionGaussians[] = [];
  // per group, each candidate share's held-out likelihood, weighted by the group's held-out patches (a
  // group's held-out moments are dropped once weighed: a tiled model has several)
  const weighed: { n: number; nll: number[] }[] = [];
  try {
    for (const g of groups) {
      const own = await accumulateMoments(runtime, session, cache, g.indices, d, positions);
      const model = new PositionGaussians(k > 1 ? poolBlockScatters(own, d, blocks) : own, d, positions, settings.ridge);
      models.push(model);
      if (!auto) continue;
      const heldOut = await accumulateMoments(runtime, session, heldOutCache!, g.heldOut!, d, positions);
      weighed.push({ n: heldOut.n, nll: POSITION_BLIND_SHARES.map((share) => heldOutNll(model, heldOut, share, d, positions, blocks)) });
    }
  } finally {
    await session.release();
  }
  let positionBlind: Omit<PositionBlindRecord, 'companion'> | undefined;
  if (auto) {
    const total = weighed.reduce((n, w) => n + w.n, 0);
    const candidates = POSITION_BLIND_SHARES.map((share, k) => ({ share, nll: weighed.reduce((sum, w) => sum + w.n * w.nll[k], 0) / total }));
    positionBlind = { chosen: candidates.reduce((best, c) => (c.nll < best.nll ? c : best)).share, candidates };
  }
  const share = positionBlind?.chosen ?? (settings.positionBlind as number | undefined) ?? 0;

  const triangle = (d * (d + 1)) / 2;
  const perGroup = blocks.length;
  const count = groups.length * perGroup;
  const mean = new Float32Array(d * groups.length * positions);
  const whitening = new Uint16Array(count * triangle);
  const scales = new Float32Array(count);
  const factor = new Float64Array(d * d);
  const work = new Float64Array(d * d);
  const mu = new Float64Array(d);
  models.forEach((model, g) => {
    for (let p = 0; p < positions; p++) {
      model.mean(p, share, mu);
      for (let i = 0; i < d; i++) mean[(g * d + i) * positions + p] = mu[i];
    }
    // a block's cells share its covariance: its first cell's
    blocks.forEach((cells, b) => {
      const at = g * perGroup + b;
      scales[at] = packedWhitening(model.factor(cells[0], share, factor), d, work, whitening, at * triangle);
    });
  });
  const params = new Map<string, Tensor>([
    [names.mean, floatTensor([groups.length, d, grid.height, grid.width], mean)],
    [names.whitening, { dtype: 'float16', dims: [count, triangle], data: whitening }],
    [names.whiteningScale, floatTensor([count, 1, 1], scales)],
  ]);
  if (projection) params.set(names.projection, projection);
  return { params, positionBlind };
}
