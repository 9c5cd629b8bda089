/**
 * Pre-processing as an ONNX graph: decoded RGB bytes → resized, normalised NCHW float tensor. Doing the
 * resize inside onnxruntime makes Node and the browser produce the same tensor from the same pixels.
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
export const IMAGE_OUTPUT = 'image';

/**
 * Graph: `pixels` uint8 [H, W, 3] (any size) → `image` float32 [1, 3, S, S]. Bilinear with antialiasing
 * (half-pixel centres), so downscaling a 900 px photo does not alias.
 */
export function buildPreprocessGraph(s: PreprocessSettings): Graph {
  const b = new GraphBuilder('preprocess', 'pre/');
  const pixels = b.input(PIXELS_INPUT, 'uint8', ['height', 'width', 3]);
  const asFloat = b.op('Cast', [pixels], { to: attr.i(1) });
  const chw = b.op('Transpose', [asFloat], { perm: attr.ints([2, 0, 1]) });
  const nchw = b.op('Unsqueeze', [chw, b.ints([0])]);
  const sizes = b.ints([1, 3, s.inputSize, s.inputSize], 'sizes');
  const resized = b.op('Resize', [nchw, '', '', sizes], {
    mode: attr.s('linear'),
    coordinate_transformation_mode: attr.s('half_pixel'),
    antialias: attr.i(1),
  });
  const scale = b.initializer(b.fresh('scale'), floatTensor([1, 3, 1, 1], s.scale));
  const offset = b.initializer(b.fresh('offset'), floatTensor([1, 3, 1, 1], s.offset));
  b.op('Add', [b.op('Mul', [resized, scale]), offset], {}, IMAGE_OUTPUT);
  b.output(IMAGE_OUTPUT, 'float32', [1, 3, s.inputSize, s.inputSize]);
  return b.graph;
}

/** The graph's feed for one decoded image (cropping is plain indexing, done here). */
export function pixelsFeed(image: RgbImage, s: Pick<PreprocessSettings, 'centerCrop'>): HostTensor {
  const img = s.centerCrop ? centerCrop(image, s.centerCrop) : image;
  return { dtype: 'uint8', dims: [img.height, img.width, 3], data: img.data };
}
