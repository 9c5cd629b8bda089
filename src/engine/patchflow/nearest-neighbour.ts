/**
 * PatchCore-style nearest-neighbour companion: the training photos' reduced patch features (the same
 * taps, pooling and reduction as a Gaussian companion's), thinned to a memory bank by greedy k-center
 * coreset selection (train/coreset), and each patch of a new photo scored by its distance to the
 * nearest bank entry. It knows no position, so it serves parts that arrive at any rotation.
 */
import { attr, type GraphBuilder } from '../onnx/graph';
import type { InputShape, ScaledTap } from './aggregation';
import { appendGaussianProjection, type GaussianNames, type GaussianSettings } from './gaussian';

/** Weight names of a nearest-neighbour companion (index i among the head's companions). */
export const bankName = (index: number) => `gaussian.${index}.bank`;

/**
 * Nearest-neighbour map [N, 1, Gh, Gw] = 0.5 · min_k ‖x − b_k‖² / D per position, with
 * ‖x − b‖² = ‖x‖² + ‖b‖² − 2x·b by one MatMul against the bank [K, D], then ReduceMin.
 */
export function appendNearestNeighbourMap(b: GraphBuilder, layout: ScaledTap[], taps: Record<string, string>, grid: InputShape, names: GaussianNames, settings: GaussianSettings, bank: string): string {
  const features = appendGaussianProjection(b, layout, taps, grid, names, settings); // [N, D, Gh, Gw]
  const patches = b.op('Transpose', [b.op('Reshape', [features, b.ints([0, 0, -1], 'flatten_grid')])], { perm: attr.ints([0, 2, 1]) }); // [N, P, D]
  const patchNorms = b.op('ReduceSum', [b.op('Mul', [patches, patches]), b.ints([2])], { keepdims: attr.i(1) }); // [N, P, 1]
  const bankNorms = b.op('Transpose', [b.op('ReduceSum', [b.op('Mul', [bank, bank]), b.ints([1])], { keepdims: attr.i(1) })], { perm: attr.ints([1, 0]) }); // [1, K]
  const dot = b.op('MatMul', [patches, b.op('Transpose', [bank], { perm: attr.ints([1, 0]) })]); // [N, P, K]
  const squared = b.op('Sub', [b.op('Add', [patchNorms, bankNorms]), b.op('Mul', [dot, b.scalar(2)])]);
  // rounding can leave a hair below 0 for a patch that equals a bank entry
  const nearest = b.atLeast(b.op('ReduceMin', [squared, b.ints([2])], { keepdims: attr.i(1) }), 0); // [N, P, 1]
  const perImage = b.op('Transpose', [nearest], { perm: attr.ints([0, 2, 1]) }); // [N, 1, P]
  return b.op('Mul', [b.op('Reshape', [perImage, b.ints([0, 1, grid.height, grid.width], 'grid_shape')]), b.scalar(0.5 / settings.dims)]);
}
