/**
 * Multi-scale feature aggregation (PatchFlow §3.2): the backbone runs on the image at several scales;
 * every tapped map is average-pooled 3×3 (neighbour-aware patch features), resized bilinearly to the
 * stride-8 grid of scale 1 and concatenated on channels.
 *
 * Resizes are written as two MatMuls with constant interpolation matrices: exactly PyTorch's
 * `F.interpolate(mode='bilinear', align_corners=False)`, identical in every execution provider, and
 * differentiable by the autodiff room (a Resize op has no gradient rule).
 */
import { GraphBuilder, attr, inlineGraph, type Graph } from '../onnx/graph';
import type { BackboneManifest, BackboneTap } from '../backbone/manifest';

/** Row-stochastic [out, in] matrix of 1-D bilinear interpolation with half-pixel centres. */
export function bilinearMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const ratio = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = Math.max((o + 0.5) * ratio - 0.5, 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const w1 = src - i0;
    m[o * inSize + i0] += 1 - w1;
    m[o * inSize + i1] += w1;
  }
  return m;
}

/** Bilinear resize of an [N, C, inH, inW] value to [N, C, outH, outW]. */
export function resizeBilinear(b: GraphBuilder, x: string, [inH, inW]: [number, number], [outH, outW]: [number, number]): string {
  let y = x;
  if (inW !== outW) {
    const rx = bilinearMatrix(inW, outW);
    const rxT = new Float32Array(inW * outW);
    for (let o = 0; o < outW; o++) for (let i = 0; i < inW; i++) rxT[i * outW + o] = rx[o * inW + i];
    y = b.op('MatMul', [y, b.constant([inW, outW], rxT, 'resize_cols')]);
  }
  if (inH !== outH) y = b.op('MatMul', [b.constant([outH, inH], bilinearMatrix(inH, outH), 'resize_rows'), y]);
  return y;
}

/** 3×3 average pool, stride 1, zero padding counted (PyTorch AvgPool2d(3, 1, 1)). */
export function avgPool3x3(b: GraphBuilder, x: string): string {
  return b.op('AveragePool', [x], {
    kernel_shape: attr.ints([3, 3]),
    strides: attr.ints([1, 1]),
    pads: attr.ints([1, 1, 1, 1]),
    count_include_pad: attr.i(1),
  });
}

export interface FeatureSettings {
  /** The preset's input side: the square input, or the shorter side of one fitted to the photos. */
  inputSize: number;
  /**
   * The network input in pixels, width × height, when it is not inputSize square: training sets it from
   * the training photos' aspect ratio (see `inputForAspect`), so a tall part keeps its detail.
   */
  input?: InputShape;
  scales: number[];
  /** Backbone tap names, e.g. ["s8_expand", "s16_expand", "s32_head"]. */
  taps: string[];
}

/** One tapped map at one scale, in the order their channels are concatenated (scale-major). */
export interface ScaledTap {
  /** Graph value name carrying it, e.g. "tap/s8_expand@0.5". */
  name: string;
  tap: BackboneTap;
  scale: number;
  height: number;
  width: number;
  /** First channel of this map in the concatenated feature. */
  channelOffset: number;
}

/** A size in pixels or grid cells. */
export interface InputShape {
  width: number;
  height: number;
}

/** The network input of a model's feature settings. */
export const inputShape = (f: Pick<FeatureSettings, 'inputSize' | 'input'>): InputShape => f.input ?? { width: f.inputSize, height: f.inputSize };
/** The longer side of the input: photos are decoded with this much detail in mind. */
export const inputLongSide = (f: Pick<FeatureSettings, 'inputSize' | 'input'>): number => Math.max(inputShape(f).width, inputShape(f).height);

/** The longest input side training fits to photos: the paper's largest setting. */
export const MAX_INPUT_SIDE = 768;

/**
 * The input for photos of aspect ratio width/height: the shorter side is `side`, the longer one follows
 * the photos, rounded to a multiple of `stride` (the backbone's coarsest tap, so every scale's maps tile
 * the input) and at most MAX_INPUT_SIDE (or `side`, if larger). Nearly square photos get a square input.
 */
export function inputForAspect(side: number, aspect: number, stride: number): InputShape {
  const longer = Math.max(aspect, 1 / aspect);
  const long = Math.min(Math.max(side, MAX_INPUT_SIDE), Math.max(side, Math.round((side * longer) / stride) * stride));
  return aspect >= 1 ? { width: long, height: side } : { width: side, height: long };
}

export const scaledSize = (inputSize: number, scale: number) => Math.floor(inputSize * scale);
/** The stride-8 grid at scale 1: the resolution of the head's maps. */
export const gridOf = (input: InputShape): InputShape => ({ width: Math.ceil(input.width / 8), height: Math.ceil(input.height / 8) });

export function tapLayout(settings: FeatureSettings, backbone: BackboneManifest): ScaledTap[] {
  const taps = settings.taps.map((name) => {
    const tap = backbone.taps.find((t) => t.name === name);
    if (!tap) throw new Error(`backbone '${backbone.id}' has no tap '${name}' (it has: ${backbone.taps.map((t) => t.name).join(', ')})`);
    return tap;
  });
  const layout: ScaledTap[] = [];
  let channelOffset = 0;
  const input = inputShape(settings);
  for (const scale of settings.scales) {
    const width = scaledSize(input.width, scale);
    const height = scaledSize(input.height, scale);
    for (const tap of taps) {
      layout.push({ name: `tap/${tap.name}@${scale}`, tap, scale, height: Math.ceil(height / tap.stride), width: Math.ceil(width / tap.stride), channelOffset });
      channelOffset += tap.channels;
    }
  }
  return layout;
}

export const featureChannels = (layout: ScaledTap[]) => layout.reduce((sum, t) => sum + t.tap.channels, 0);

/**
 * Graph `image` [N, 3, H, W] → every scaled tap of the layout. The backbone is inlined once per scale,
 * sharing one copy of its weights.
 */
export function buildFeatureExtractor(backbone: Graph, manifest: BackboneManifest, settings: FeatureSettings, layout: ScaledTap[]): Graph {
  const b = new GraphBuilder('features', 'feat/');
  const { width: W, height: H } = inputShape(settings);
  const image = b.input('image', 'float32', ['batch', 3, H, W]);
  for (const scale of settings.scales) {
    const scaled = resizeBilinear(b, image, [H, W], [scaledSize(H, scale), scaledSize(W, scale)]);
    const outs = inlineGraph(b, backbone, { [manifest.input.name]: scaled }, `s${scale}/`);
    for (const t of layout.filter((l) => l.scale === scale)) {
      b.outputAs(outs[t.tap.output], t.name, 'float32', ['batch', t.tap.channels, t.height, t.width]);
    }
  }
  return b.graph;
}

/**
 * Adapter (1×1 conv) over the aggregated feature, computed in the cheap order: a 1×1 convolution
 * commutes with the per-channel pool and resize, so each tap is projected to the adapter's channels at
 * its own resolution and then pooled, resized and summed. Equal to adapter(concat(resize(pool(tap))))
 * up to rounding, at a tenth of the cost. `weight` is [out, ΣC, 1, 1] in concatenation order.
 */
export function aggregateAndAdapt(
  b: GraphBuilder,
  layout: ScaledTap[],
  inputs: Record<string, string>,
  weight: string,
  bias: string,
  grid: InputShape,
): string {
  const slices = b.opN('Split', [weight, b.ints(layout.map((t) => t.tap.channels), 'split')], layout.length, { axis: attr.i(1) });
  let sum = '';
  layout.forEach((t, i) => {
    const projected = b.op('Conv', [inputs[t.name], slices[i]]);
    const pooled = avgPool3x3(b, projected);
    const onGrid = resizeBilinear(b, pooled, [t.height, t.width], [grid.height, grid.width]);
    sum = sum ? b.op('Add', [sum, onGrid]) : onGrid;
  });
  return b.op('Add', [sum, b.op('Reshape', [bias, b.ints([1, -1, 1, 1], 'bias_shape')])]);
}
