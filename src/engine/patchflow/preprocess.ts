/**
 * Pre-processing as an ONNX graph: decoded RGB bytes → resized, normalised NCHW float tensor. Doing the
 * resize inside onnxruntime makes Node and the browser produce the same tensor from the same pixels.
 *
 * The resize is antialiased bilinear (a triangle filter widened by the downscale factor, half-pixel
 * centres, as Resize with antialias=1 and PIL compute it), written as two separable gathers with
 * per-image weights: onnxruntime-web's WebGPU provider has no antialiased Resize, and this form runs
 * the same on every provider.
 */
import { GraphBuilder, attr, floatTensor, type Graph } from '../onnx/graph';
import { centerCrop, type RgbImage } from '../image/decode';
import type { HostTensor } from '../runtime';

export interface PreprocessSettings {
  /** Square network input side in pixels. */
  inputSize: number;
  /** Centre-crop fraction of the shorter side before resizing; null resizes the whole image. */
  centerCrop: number | null;
  /** Network input = pixel * scale + offset (from the backbone manifest). */
  scale: [number, number, number];
  offset: [number, number, number];
}

export const PIXELS_INPUT = 'pixels';
/** Per-image resampling taps: for each output row (column), the source rows (columns) and their weights. */
export const RESAMPLE_INPUTS = { rowIndex: 'row_index', rowWeight: 'row_weight', columnIndex: 'column_index', columnWeight: 'column_weight' } as const;
export const PREPROCESS_INPUTS = [PIXELS_INPUT, ...Object.values(RESAMPLE_INPUTS)];
export const IMAGE_OUTPUT = 'image';

/**
 * Graph: `pixels` uint8 [H, W, 3] (any size) and the resampling taps of `resampleTaps` → `image` float32
 * [1, 3, S, S].
 */
export function buildPreprocessGraph(s: PreprocessSettings): Graph {
  const b = new GraphBuilder('preprocess', 'pre/');
  const pixels = b.input(PIXELS_INPUT, 'uint8', ['height', 'width', 3]);
  const rowIndex = b.input(RESAMPLE_INPUTS.rowIndex, 'int64', [s.inputSize, 'row_taps']);
  const rowWeight = b.input(RESAMPLE_INPUTS.rowWeight, 'float32', [s.inputSize, 'row_taps', 1, 1]);
  const columnIndex = b.input(RESAMPLE_INPUTS.columnIndex, 'int64', [s.inputSize, 'column_taps']);
  const columnWeight = b.input(RESAMPLE_INPUTS.columnWeight, 'float32', [s.inputSize, 'column_taps', 1]);
  const asFloat = b.op('Cast', [pixels], { to: attr.i(1) });
  // rows: [S, Kr, W, 3] · w → Σ over Kr → [S, W, 3]; columns: [S, S, Kc, 3] · w → Σ over Kc → [S, S, 3]
  const rows = b.op('ReduceSum', [b.op('Mul', [b.op('Gather', [asFloat, rowIndex], { axis: attr.i(0) }), rowWeight]), b.ints([1])], { keepdims: attr.i(0) });
  const both = b.op('ReduceSum', [b.op('Mul', [b.op('Gather', [rows, columnIndex], { axis: attr.i(1) }), columnWeight]), b.ints([2])], { keepdims: attr.i(0) });
  const nchw = b.op('Unsqueeze', [b.op('Transpose', [both], { perm: attr.ints([2, 0, 1]) }), b.ints([0])]);
  const scale = b.initializer(b.fresh('scale'), floatTensor([1, 3, 1, 1], s.scale));
  const offset = b.initializer(b.fresh('offset'), floatTensor([1, 3, 1, 1], s.offset));
  b.op('Add', [b.op('Mul', [nchw, scale]), offset], {}, IMAGE_OUTPUT);
  b.output(IMAGE_OUTPUT, 'float32', [1, 3, s.inputSize, s.inputSize]);
  return b.graph;
}

/**
 * Source indices and weights that resample `from` samples to `to` with an antialiased triangle filter,
 * as onnxruntime's Resize(antialias=1, exclude_outside=0) computes them: output o is centred at
 * (o + ½)·from/to; when shrinking, the filter widens by from/to so every source sample contributes;
 * taps that fall outside the image read its edge sample. Rows are padded to a common tap count with zero
 * weights.
 */
export function resampleTaps(from: number, to: number): { index: BigInt64Array; weight: Float32Array; taps: number } {
  const scale = from / to;
  const support = Math.max(scale, 1);
  const rows: { first: number; weights: number[] }[] = [];
  for (let o = 0; o < to; o++) {
    const centre = (o + 0.5) * scale;
    const first = Math.floor(centre - support + 0.5);
    const end = Math.floor(centre + support + 0.5);
    const weights: number[] = [];
    for (let i = first; i < end; i++) weights.push(Math.max(0, 1 - Math.abs((i + 0.5 - centre) / support)));
    const total = weights.reduce((a, w) => a + w, 0);
    rows.push({ first, weights: weights.map((w) => w / total) });
  }
  const taps = Math.max(...rows.map((r) => r.weights.length));
  const index = new BigInt64Array(to * taps);
  const weight = new Float32Array(to * taps);
  rows.forEach(({ first, weights }, o) => {
    for (let k = 0; k < taps; k++) {
      index[o * taps + k] = BigInt(Math.min(Math.max(first + k, 0), from - 1));
      weight[o * taps + k] = weights[k] ?? 0;
    }
  });
  return { index, weight, taps };
}

/** The preprocessing part of a model's settings. */
export const preprocessSettings = (s: { features: { inputSize: number }; centerCrop: number | null }): Pick<PreprocessSettings, 'centerCrop' | 'inputSize'> => ({
  inputSize: s.features.inputSize,
  centerCrop: s.centerCrop,
});

/** The graph's feeds for one decoded image: its pixels (centre-cropped if the model says so) and taps. */
export function preprocessFeeds(image: RgbImage, s: Pick<PreprocessSettings, 'centerCrop' | 'inputSize'>): Record<string, HostTensor> {
  const img = s.centerCrop ? centerCrop(image, s.centerCrop) : image;
  const rows = resampleTaps(img.height, s.inputSize);
  const columns = resampleTaps(img.width, s.inputSize);
  return {
    [PIXELS_INPUT]: { dtype: 'uint8', dims: [img.height, img.width, 3], data: img.data },
    [RESAMPLE_INPUTS.rowIndex]: { dtype: 'int64', dims: [s.inputSize, rows.taps], data: rows.index },
    [RESAMPLE_INPUTS.rowWeight]: { dtype: 'float32', dims: [s.inputSize, rows.taps, 1, 1], data: rows.weight },
    [RESAMPLE_INPUTS.columnIndex]: { dtype: 'int64', dims: [s.inputSize, columns.taps], data: columns.index },
    [RESAMPLE_INPUTS.columnWeight]: { dtype: 'float32', dims: [s.inputSize, columns.taps, 1], data: columns.weight },
  };
}
