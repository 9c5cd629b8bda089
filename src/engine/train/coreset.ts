/**
 * The nearest-neighbour companion's memory bank (patchflow/nearest-neighbour): every training patch's
 * reduced feature, thinned by greedy k-center coreset selection (PatchCore): each step adds the patch
 * farthest from the bank so far, so the bank covers the training patches with the smallest radius a
 * greedy choice can give (at most twice the best). Distances run in onnxruntime, one step per call,
 * the patches held by the session: fast in Node, and possible in a browser worker.
 */
import { GraphBuilder, attr, floatTensor, type Graph, type Tensor } from '../onnx/graph';
import { appendFittingInputs, randomProjection, type GaussianNames, type GaussianSettings } from '../patchflow/gaussian';
import { bankName } from '../patchflow/nearest-neighbour';
import type { InputShape, ScaledTap } from '../patchflow/aggregation';
import { createRng, gaussian } from '../random';
import { runSession, type Runtime } from '../runtime';
import type { TapCache } from './tap-cache';
import { openSession } from '../onnx/session';

const FEATURE_BATCH = 16;
const FEATURES = 'features';

/** Taps [n, C, h, w] → reduced patch features [n, D, P]. */
function buildFeatureGraph(layout: ScaledTap[], settings: GaussianSettings, projection: Tensor | undefined, grid: InputShape, names: GaussianNames): Graph {
  const b = new GraphBuilder('patch_features', 'features/');
  b.outputAs(appendFittingInputs(b, layout, grid, names, settings, projection), FEATURES, 'float32', ['batch', settings.dims, grid.height * grid.width]);
  return b.graph;
}

const CENTRE = 'centre';
const NEAREST = 'nearest';
const UPDATED = 'updated';
const FARTHEST = 'farthest';

/**
 * One greedy step: given the newest bank entry and each patch's squared distance to the bank so far,
 * the updated distances and the patch farthest from the bank now. The patches [M, D] and their squared
 * norms are the session's weights.
 */
function buildStepGraph(patches: Tensor, norms: Tensor): Graph {
  const b = new GraphBuilder('coreset_step', 'coreset/');
  const [m, d] = patches.dims;
  const rows = b.initializer('patches', patches);
  const rowNorms = b.initializer('norms', norms);
  const centre = b.input(CENTRE, 'float32', [d, 1]);
  const nearest = b.input(NEAREST, 'float32', [m]);
  const dot = b.op('Reshape', [b.op('MatMul', [rows, centre]), b.ints([-1], 'flat')]); // [M]
  const centreNorm = b.op('ReduceSum', [b.op('Mul', [centre, centre])], { keepdims: attr.i(0) });
  const distance = b.op('Sub', [b.op('Add', [rowNorms, centreNorm]), b.op('Mul', [dot, b.scalar(2)])]);
  const updated = b.op('Min', [nearest, distance], {}, UPDATED);
  b.op('ArgMax', [updated], { axis: attr.i(0), keepdims: attr.i(0) }, FARTHEST);
  b.output(UPDATED, 'float32', [m]);
  b.output(FARTHEST, 'int64', []);
  return b.graph;
}

/**
 * Greedy k-center: `count` rows of `patches` ([M, D] row-major), the first drawn by the seed; returns
 * their indices in the order chosen and the covering radius (the largest distance of any patch to its
 * nearest chosen one).
 */
export async function greedyCoreset(runtime: Runtime, patches: Float32Array, dims: number, count: number, seed: number): Promise<{ indices: number[]; radius: number }> {
  const m = patches.length / dims;
  if (!Number.isInteger(m) || count < 1 || count > m) throw new Error(`a coreset of ${count} from ${m} patches is not possible`);
  const norms = new Float32Array(m);
  for (let i = 0; i < m; i++) for (let k = 0; k < dims; k++) norms[i] += patches[i * dims + k] ** 2;
  const session = await openSession(runtime, buildStepGraph(floatTensor([m, dims], patches), floatTensor([m], norms)));
  const indices = [Math.floor(createRng(seed)() * m)];
  let nearest: Float32Array = new Float32Array(m).fill(Infinity);
  try {
    for (;;) {
      const chosen = indices[indices.length - 1];
      const out = await runSession(runtime, session, {
        [CENTRE]: { dtype: 'float32', dims: [dims, 1], data: patches.slice(chosen * dims, (chosen + 1) * dims) },
        [NEAREST]: { dtype: 'float32', dims: [m], data: nearest },
      });
      nearest = out[UPDATED].data as Float32Array;
      if (indices.length === count) break;
      indices.push(Number((out[FARTHEST].data as BigInt64Array)[0]));
    }
  } finally {
    await session.release();
  }
  return { indices, radius: Math.sqrt(Math.max(0, nearest.reduce((a, b) => Math.max(a, b), 0))) };
}

/**
 * Fits a nearest-neighbour companion on the cached taps: the seeded reduction, every training patch's
 * reduced feature, and the coreset of them as the bank [K, D].
 */
export async function fitNearestNeighbour(runtime: Runtime, cache: TapCache, layout: ScaledTap[], settings: GaussianSettings, grid: InputShape, names: GaussianNames, index: number): Promise<Map<string, Tensor>> {
  const projection = settings.reduction === 'random-channels' ? undefined : randomProjection(layout, settings);
  const d = settings.dims;
  const positions = grid.height * grid.width;
  const patches = new Float32Array(cache.count * positions * d);
  const session = await openSession(runtime, buildFeatureGraph(layout, settings, projection, grid, names));
  try {
    for (let start = 0; start < cache.count; start += FEATURE_BATCH) {
      const batch = Array.from({ length: Math.min(FEATURE_BATCH, cache.count - start) }, (_, k) => start + k);
      const features = (await runSession(runtime, session, cache.batch(batch, session.inputNames), [FEATURES]))[FEATURES].data as Float32Array; // [n, D, P]
      for (let n = 0; n < batch.length; n++)
        for (let p = 0; p < positions; p++) {
          const row = ((start + n) * positions + p) * d;
          for (let k = 0; k < d; k++) patches[row + k] = features[(n * d + k) * positions + p];
        }
    }
  } finally {
    await session.release();
  }
  const count = Math.max(1, Math.round((settings.coreset ?? DEFAULT_CORESET) * cache.count * positions));
  // chosen on a random projection to fewer dims (distances about kept): each step reads every patch
  const selection = d > SELECTION_DIMS ? project(patches, d, SELECTION_DIMS, settings.seed) : patches;
  const { indices } = await greedyCoreset(runtime, selection, Math.min(d, SELECTION_DIMS), count, settings.seed);
  const bank = new Float32Array(count * d);
  indices.forEach((row, k) => bank.set(patches.subarray(row * d, (row + 1) * d), k * d));
  const params = new Map<string, Tensor>([[bankName(index), floatTensor([count, d], bank)]]);
  if (projection) params.set(names.projection, projection);
  return params;
}

/** The share of training patches a bank keeps unless the settings say otherwise (PatchCore's 1 %). */
export const DEFAULT_CORESET = 0.01;

/** Dims the coreset is chosen in: casting's 348 000 patches at 128 dims took 160 s to choose from, at 32 dims 4× less. */
const SELECTION_DIMS = 32;

/** Rows [M, D] times a seeded Gaussian matrix [D, E] / √E (Johnson–Lindenstrauss: distances about kept). */
function project(rows: Float32Array, d: number, e: number, seed: number): Float32Array {
  const rng = createRng(seed + 1);
  const matrix = Float32Array.from({ length: d * e }, () => gaussian(rng) / Math.sqrt(e));
  const m = rows.length / d;
  const out = new Float32Array(m * e);
  for (let i = 0; i < m; i++)
    for (let k = 0; k < d; k++) {
      const v = rows[i * d + k];
      for (let j = 0; j < e; j++) out[i * e + j] += v * matrix[k * e + j];
    }
  return out;
}
