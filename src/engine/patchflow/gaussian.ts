/**
 * PaDiM-style companion scorer: the aggregated feature, reduced to a few random channels, is
 * modelled by one Gaussian per grid position, and its Mahalanobis distance is a second anomaly map
 * beside the flow's. Fitted in closed form (train/gaussian-fit), evaluated in the same ONNX graph.
 */
import { attr, floatTensor, type GraphBuilder, type Tensor } from '../onnx/graph';
import { createRng, gaussian, permutation } from '../random';
import type { HostTensor } from '../runtime';
import { aggregateAndAdapt, avgPool3x3, featureChannels, resizeBilinear, type InputShape, type ScaledTap } from './aggregation';

export interface GaussianSettings {
  /** Reduced dimensions D (1…128). */
  dims: number;
  /** Relative ridge: ε = ridge · mean diagonal variance is added to every covariance. */
  ridge: number;
  /** Seed of the channel choice or projection. */
  seed: number;
  /**
   * How the aggregated feature is reduced to D dims: PaDiM's random choice of channels, or a dense
   * Gaussian random projection (absent in older models: projection). A projection mixes every channel
   * in and is dominated by the loud ones; chosen channels keep the quiet ones where small defects show
   * (casting image AUROC 0.954 → 0.966, block taps, 64 dims).
   */
  reduction?: 'random-channels' | 'random-projection';
  /** Backbone taps the Gaussian reads (absent = the flow's taps). */
  taps?: string[];
  /**
   * Image scales it reads them at, a subset of the feature settings' scales (absent = all of them).
   * Scale 1 alone keeps the map local: the ½ and ¼ scales see a defect from cells away.
   */
  scales?: number[];
  /**
   * What models the reduced feature: one Gaussian per grid position (absent), or a position-blind
   * memory bank of training patches scored by the nearest one (patchflow/nearest-neighbour).
   */
  model?: 'nearest-neighbour';
  /** nearest-neighbour: the share of training patches the greedy coreset keeps in the bank. */
  coreset?: number;
  /**
   * How little position counts: the share of one position-blind Gaussian (every position's patches
   * pooled) mixed into each position's mean and covariance. 0 (absent) is PaDiM's per-position model,
   * 1 ignores position. 'auto': training picks the share under which the held-out good images are most
   * likely (the manifest's training record says which, and why).
   */
  positionBlind?: number | 'auto';
  /**
   * The side of the square of grid cells that share one covariance (absent = 1: every position its own);
   * each cell keeps its own mean. Neighbouring cells see nearly the same patch statistics, so a 2 × 2
   * block costs little accuracy and stores a quarter of the whitening matrices, which are most of a head.
   */
  covarianceBlock?: number;
}

/** Covariance blocks up to this side: every input is a multiple of the coarsest stride, 4 stride-8 cells. */
export const MAX_COVARIANCE_BLOCK = 4;

/** True for a covariance block side the engine fits and runs. */
export const isCovarianceBlock = (k: unknown): k is number => Number.isInteger(k) && (k as number) >= 1 && (k as number) <= MAX_COVARIANCE_BLOCK;

/** The grid's covariance blocks (k × k cells each), row by row; throws where they do not tile the grid. */
export function covarianceBlocks(grid: InputShape, k: number): { rows: number; columns: number } {
  if (grid.height % k || grid.width % k) throw new Error(`covariance blocks of ${k} × ${k} cells do not tile the ${grid.width} × ${grid.height} grid; choose an input whose sides are multiples of ${8 * k} px`);
  return { rows: grid.height / k, columns: grid.width / k };
}

export const MAX_GAUSSIAN_DIMS = 128;

/** Ridge and seed every companion uses unless a preset says otherwise. */
export const GAUSSIAN_DEFAULTS: Pick<GaussianSettings, 'ridge' | 'seed'> = { ridge: 0.01, seed: 0 };

/** Weight names of one companion (a head may carry several, numbered in settings order). */
export interface GaussianNames {
  /** [D, ΣC, 1, 1]: the random projection (random-projection only; chosen channels are a Gather). */
  projection: string;
  /** [1, D, G, G]: per-position mean of the reduced feature. */
  mean: string;
  /**
   * [B, D(D+1)/2] float16: per covariance block (one per position unless blocks are shared, b = y·columns
   * + x), the upper triangle (row by row) of the whitening matrix W = L⁻ᵀ, where L Lᵀ is the
   * ridge-regularised covariance, divided by its largest entry. Half the entries and half the bytes of
   * the float32 precision W Wᵀ that heads used to store (the default head: 22 → 7 MiB, 3.6 with 2 × 2
   * blocks); onnxruntime unpacks it once, when the session is made.
   */
  whitening: string;
  /** [B, 1, 1] float32: the largest |entry| of each block's W. */
  whiteningScale: string;
}

export const gaussianNames = (index: number): GaussianNames => ({
  projection: `gaussian.${index}.projection`,
  mean: `gaussian.${index}.mean`,
  whitening: `gaussian.${index}.whitening`,
  whiteningScale: `gaussian.${index}.whitening_scale`,
});

/** Where each entry of a D×D matrix (row-major) sits in its packed upper triangle (0 below the diagonal, masked). */
export function upperTriangleIndex(d: number): { index: number[]; mask: number[] } {
  const index: number[] = [];
  const mask: number[] = [];
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      index.push(j >= i ? i * d - (i * (i - 1)) / 2 + (j - i) : 0);
      mask.push(j >= i ? 1 : 0);
    }
  return { index, mask };
}

function checkDims(layout: ScaledTap[], settings: GaussianSettings): number {
  const cin = featureChannels(layout);
  const d = settings.dims;
  if (!Number.isInteger(d) || d < 1 || d > Math.min(MAX_GAUSSIAN_DIMS, cin)) throw new Error(`gaussian dims must be 1…${Math.min(MAX_GAUSSIAN_DIMS, cin)}, got ${d}`);
  return cin;
}

/** random-channels: D distinct channels of the aggregated feature, drawn by the seed, in concatenation order. */
export function chosenChannels(layout: ScaledTap[], settings: GaussianSettings): number[] {
  const cin = checkDims(layout, settings);
  return permutation(cin, createRng(settings.seed)).slice(0, settings.dims).sort((a, b) => a - b);
}

/** random-projection: a [D, ΣC, 1, 1] Gaussian matrix scaled by 1/√D, so projected features keep the aggregated scale. */
export function randomProjection(layout: ScaledTap[], settings: GaussianSettings): Tensor {
  const cin = checkDims(layout, settings);
  const rng = createRng(settings.seed);
  const scale = 1 / Math.sqrt(settings.dims);
  return floatTensor([settings.dims, cin, 1, 1], Array.from({ length: settings.dims * cin }, () => gaussian(rng) * scale));
}

/**
 * The reduced aggregated feature [N, D, Gh, Gw]: chosen channels gathered from each tap (then pooled and
 * resized like the flow's features), or the projection read by name.
 */
export function appendGaussianProjection(b: GraphBuilder, layout: ScaledTap[], taps: Record<string, string>, grid: InputShape, names: GaussianNames, settings: GaussianSettings): string {
  if (settings.reduction !== 'random-channels') {
    // A [1] zero broadcasts over any D after aggregateAndAdapt's reshape to [1, -1, 1, 1].
    return aggregateAndAdapt(b, layout, taps, names.projection, b.constant([1], [0], 'gaussian_bias'), grid);
  }
  const chosen = chosenChannels(layout, settings);
  const parts = layout.flatMap((t) => {
    const local = chosen.filter((c) => c >= t.channelOffset && c < t.channelOffset + t.tap.channels).map((c) => c - t.channelOffset);
    if (!local.length) return [];
    const picked = b.op('Gather', [taps[t.name], b.ints(local, 'channels')], { axis: attr.i(1) });
    return [resizeBilinear(b, avgPool3x3(b, picked), [t.height, t.width], [grid.height, grid.width])];
  });
  return parts.length === 1 ? parts[0] : b.op('Concat', parts, { axis: attr.i(1) });
}

/**
 * A fitting graph's start: the taps as float32 inputs (dynamic batch n), the projection (if any) as a
 * weight, and the reduced feature of every patch [n, D, Gh·Gw].
 */
export function appendFittingInputs(b: GraphBuilder, layout: ScaledTap[], grid: InputShape, names: GaussianNames, settings: GaussianSettings, projection: Tensor | undefined): string {
  if (projection) b.initializer(names.projection, projection);
  const taps: Record<string, string> = {};
  for (const t of layout) taps[t.name] = b.input(t.name, 'float32', ['batch', t.tap.channels, t.height, t.width]);
  return b.op('Reshape', [appendGaussianProjection(b, layout, taps, grid, names, settings), b.ints([0, 0, -1], 'flatten_grid')]);
}

/**
 * The input that says which tile of a photo a tiled model's head is reading ([1] int64): its per-position
 * Gaussians are the tile's own.
 */
export const TILE_INPUT = 'tile';

/** The feed that tells a tiled model's head it reads tile `t`. */
export const tileFeed = (t: number): Record<string, HostTensor> => ({ [TILE_INPUT]: { dtype: 'int64', dims: [1], data: BigInt64Array.of(BigInt(t)) } });

/**
 * Mahalanobis map [N, 1, Gh, Gw] = 0.5 · d² / D with d² = (x−μ)ᵀ Σ⁻¹ (x−μ) = ‖(x−μ)ᵀ W‖² per position: about
 * 0.5 on good parts (E[d²] = D), like the flow's u. Reads the companion's weights by name; N stays dynamic.
 * With `tiles` > 1 the weights hold one set of Gaussians per tile, and TILE_INPUT picks one.
 */
export function appendGaussianMap(b: GraphBuilder, layout: ScaledTap[], taps: Record<string, string>, grid: InputShape, names: GaussianNames, settings: GaussianSettings, tiles = 1): string {
  const d = settings.dims;
  const tile = tiles > 1 ? tileInput(b) : undefined;
  const pick = (weights: string) => (tile ? b.op('Gather', [weights, tile], { axis: attr.i(0) }) : weights);
  const diff = b.op('Sub', [appendGaussianProjection(b, layout, taps, grid, names, settings), pick(names.mean)]); // [N, D, H, W]
  // W unpacked from its float16 upper triangle: weights only, so onnxruntime folds it into a constant
  const { index, mask } = upperTriangleIndex(d);
  const packed = b.op('Cast', [names.whitening], { to: attr.i(1) });
  const entries = b.op('Mul', [b.op('Gather', [packed, b.ints(index, 'triangle_index')], { axis: attr.i(1) }), b.constant([d * d], mask, 'triangle_mask')]);
  const unpacked = b.op('Mul', [b.op('Reshape', [entries, b.ints([-1, d, d], 'square')]), names.whiteningScale]); // [T·B, D, D]
  const whitening = tile ? b.op('Reshape', [pick(b.op('Reshape', [unpacked, b.ints([tiles, -1, d, d], 'by_tile')])), b.ints([-1, d, d], 'square')]) : unpacked; // [B, D, D]
  // d²/D = mean over D of ((x − μ)ᵀW)², every cell by its block's W: one MatMul per block
  const squaredDistance = (cells: string) => {
    const whitened = b.op('MatMul', [cells, whitening]);
    return b.op('ReduceMean', [b.op('Mul', [whitened, whitened]), b.ints([2])], { keepdims: attr.i(1) });
  };
  const k = settings.covarianceBlock ?? 1;
  let map: string;
  if (k === 1) {
    const byPosition = b.op('Transpose', [b.op('Reshape', [diff, b.ints([0, 0, -1], 'flatten_grid')])], { perm: attr.ints([2, 0, 1]) }); // [P, N, D]
    map = b.op('Transpose', [squaredDistance(byPosition)], { perm: attr.ints([1, 2, 0]) }); // [N, 1, P]
  } else {
    const { rows, columns } = covarianceBlocks(grid, k);
    const cells = b.op('Reshape', [diff, b.ints([0, 0, rows, k, columns, k], 'cells_in_blocks')]); // [N, D, rows, k, columns, k]
    const byBlock = b.op('Reshape', [b.op('Transpose', [cells], { perm: attr.ints([2, 4, 0, 3, 5, 1]) }), b.ints([rows * columns, -1, d], 'by_block')]); // [B, N·k·k, D]
    const blocks = b.op('Reshape', [squaredDistance(byBlock), b.ints([rows, columns, -1, k, k], 'blocks_of_cells')]); // [rows, columns, N, k, k]
    map = b.op('Transpose', [blocks], { perm: attr.ints([2, 0, 3, 1, 4]) }); // [N, rows, k, columns, k]
  }
  return b.op('Mul', [b.op('Reshape', [map, b.ints([-1, 1, grid.height, grid.width], 'grid_shape')]), b.scalar(0.5)]);
}

/** TILE_INPUT, declared once however many companions read it. */
function tileInput(b: GraphBuilder): string {
  if (!b.graph.inputs.some((i) => i.name === TILE_INPUT)) b.input(TILE_INPUT, 'int64', [1]);
  return TILE_INPUT;
}
