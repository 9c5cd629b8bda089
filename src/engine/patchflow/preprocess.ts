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
import { cropImage, type Rect, type RgbImage } from '../image/decode';
import type { HostTensor } from '../runtime';
import { inputShape, type FeatureSettings, type InputShape } from './aggregation';

export interface PreprocessSettings {
  /** Network input in pixels. */
  input: InputShape;
  /** Centre-crop fraction of the shorter side (of the region, if any) before resizing; null keeps it whole. */
  centerCrop: number | null;
  /** The region of interest, cut first: fractions of the photo's width and height (absent = all of it). */
  region?: Region;
  /** Squash the photo onto the whole input, as ImageNet classifiers are fed, instead of letterboxing it. */
  stretch?: boolean;
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
 * Graph: `pixels` uint8 [h, w, 3] (any size) and the resampling taps of `preprocessFeeds` → `image`
 * float32 [1, 3, H, W].
 */
export function buildPreprocessGraph(s: PreprocessSettings): Graph {
  const b = new GraphBuilder('preprocess', 'pre/');
  const { width: W, height: H } = s.input;
  const pixels = b.input(PIXELS_INPUT, 'uint8', ['height', 'width', 3]);
  const rowIndex = b.input(RESAMPLE_INPUTS.rowIndex, 'int64', [H, 'row_taps']);
  const rowWeight = b.input(RESAMPLE_INPUTS.rowWeight, 'float32', [H, 'row_taps', 1, 1]);
  const columnIndex = b.input(RESAMPLE_INPUTS.columnIndex, 'int64', [W, 'column_taps']);
  const columnWeight = b.input(RESAMPLE_INPUTS.columnWeight, 'float32', [W, 'column_taps', 1, 1]);
  // Both passes resample the first axis, [n, K, m, 3] · w → Σ over K → [n, m, 3], so every product and sum
  // runs on contiguous blocks: taps on the middle axis, the column pass took 13 of the model's 112 ms on
  // WASM; now both passes and the transpose between them take 5.
  const resampleFirstAxis = (x: string, index: string, weight: string) =>
    b.op('ReduceSum', [b.op('Mul', [b.op('Gather', [x, index], { axis: attr.i(0) }), weight]), b.ints([1])], { keepdims: attr.i(0) });
  const rows = resampleFirstAxis(b.op('Cast', [pixels], { to: attr.i(1) }), rowIndex, rowWeight); // [H, w, 3]
  const both = resampleFirstAxis(b.op('Transpose', [rows], { perm: attr.ints([1, 0, 2]) }), columnIndex, columnWeight); // [W, H, 3]
  const nchw = b.op('Unsqueeze', [b.op('Transpose', [both], { perm: attr.ints([2, 1, 0]) }), b.ints([0])]);
  const scale = b.initializer(b.fresh('scale'), floatTensor([1, 3, 1, 1], s.scale));
  const offset = b.initializer(b.fresh('offset'), floatTensor([1, 3, 1, 1], s.offset));
  b.op('Add', [b.op('Mul', [nchw, scale]), offset], {}, IMAGE_OUTPUT);
  b.output(IMAGE_OUTPUT, 'float32', [1, 3, H, W]);
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

/**
 * `resampleTaps` from `from` samples onto the span [offset, offset + span) of `to` outputs; the outputs
 * outside it (a letterbox's padding) repeat the edge sample, which disturbs the features near the
 * photo's border less than a flat colour would.
 */
function letterboxTaps(from: number, to: number, offset: number, span: number): { index: BigInt64Array; weight: Float32Array; taps: number } {
  if (offset === 0 && span === to) return resampleTaps(from, to);
  const inner = resampleTaps(from, span);
  const { taps } = inner;
  const index = new BigInt64Array(to * taps);
  const weight = new Float32Array(to * taps);
  for (let o = 0; o < to; o++) {
    if (o < offset || o >= offset + span) {
      index[o * taps] = BigInt(o < offset ? 0 : from - 1);
      weight[o * taps] = 1;
    } else {
      index.set(inner.index.subarray((o - offset) * taps, (o - offset + 1) * taps), o * taps);
      weight.set(inner.weight.subarray((o - offset) * taps, (o - offset + 1) * taps), o * taps);
    }
  }
  return { index, weight, taps };
}

/** A rectangle in fractions of a photo's width and height (0…1). */
export type Region = Rect;

/** True for a region that is a non-empty rectangle inside the photo. */
export function isRegion(r: Partial<Region> | undefined): r is Region {
  if (!r) return false;
  const { x, y, width, height } = r;
  const v = [x, y, width, height];
  return v.every((n) => typeof n === 'number' && Number.isFinite(n)) && x! >= 0 && y! >= 0 && width! > 0 && height! > 0 && x! + width! <= 1 + 1e-9 && y! + height! <= 1 + 1e-9;
}

/** What decides where a photo's pixels go in the input. */
export type Placement = Pick<PreprocessSettings, 'input' | 'centerCrop' | 'region' | 'stretch'>;

/** The preprocessing part of a model's settings. */
export const preprocessSettings = (s: { features: Pick<FeatureSettings, 'inputSize' | 'input'>; centerCrop: number | null; region?: Region }): Placement => ({
  input: inputShape(s.features),
  centerCrop: s.centerCrop,
  ...(s.region && { region: s.region }),
});

/** The pixels of a photo the model reads: the region of interest (whole pixels, at least one), then the centre crop. */
export function cropRect(photo: { width: number; height: number }, s: Pick<PreprocessSettings, 'centerCrop' | 'region'>): Rect {
  let r: Rect = { x: 0, y: 0, width: photo.width, height: photo.height };
  if (s.region) {
    const x = Math.min(photo.width - 1, Math.max(0, Math.round(s.region.x * photo.width)));
    const y = Math.min(photo.height - 1, Math.max(0, Math.round(s.region.y * photo.height)));
    const right = Math.min(photo.width, Math.max(x + 1, Math.round((s.region.x + s.region.width) * photo.width)));
    const bottom = Math.min(photo.height, Math.max(y + 1, Math.round((s.region.y + s.region.height) * photo.height)));
    r = { x, y, width: right - x, height: bottom - y };
  }
  if (s.centerCrop) {
    const side = Math.max(1, Math.round(Math.min(r.width, r.height) * s.centerCrop));
    r = { x: r.x + Math.floor((r.width - side) / 2), y: r.y + Math.floor((r.height - side) / 2), width: side, height: side };
  }
  return r;
}

/**
 * Where a photo of this size lies in the model's input: cropped as the model says, scaled to fit without
 * distortion and centred (letterboxed). A photo of the model's own aspect ratio fills the input.
 */
export function photoPlacement(photo: { width: number; height: number }, s: Placement): Rect {
  if (s.stretch) return { x: 0, y: 0, ...s.input };
  const { width: w, height: h } = cropRect(photo, s);
  const k = Math.min(s.input.width / w, s.input.height / h);
  const width = Math.min(s.input.width, Math.max(1, Math.round(w * k)));
  const height = Math.min(s.input.height, Math.max(1, Math.round(h * k)));
  return { x: Math.floor((s.input.width - width) / 2), y: Math.floor((s.input.height - height) / 2), width, height };
}

/** The graph's feeds for one decoded image: its pixels (centre-cropped if the model says so) and taps. */
export function preprocessFeeds(image: RgbImage, s: Placement): Record<string, HostTensor> {
  const img = cropImage(image, cropRect(image, s));
  const place = photoPlacement(image, s);
  const rows = letterboxTaps(img.height, s.input.height, place.y, place.height);
  const columns = letterboxTaps(img.width, s.input.width, place.x, place.width);
  return {
    [PIXELS_INPUT]: { dtype: 'uint8', dims: [img.height, img.width, 3], data: img.data },
    [RESAMPLE_INPUTS.rowIndex]: { dtype: 'int64', dims: [s.input.height, rows.taps], data: rows.index },
    [RESAMPLE_INPUTS.rowWeight]: { dtype: 'float32', dims: [s.input.height, rows.taps, 1, 1], data: rows.weight },
    [RESAMPLE_INPUTS.columnIndex]: { dtype: 'int64', dims: [s.input.width, columns.taps], data: columns.index },
    [RESAMPLE_INPUTS.columnWeight]: { dtype: 'float32', dims: [s.input.width, columns.taps, 1, 1], data: columns.weight },
  };
}
