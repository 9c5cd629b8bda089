/**
 * The MobileNetV2 backbone, made from the public TFLite file: bytes in, ONNX bytes and manifest out. Pure
 * (no fs, no fetch) so it runs in a worker as well; src/cli/provision-backbone.ts does the files.
 */
import { parseModel, serializeModel } from '../onnx/serialize';
import type { Graph } from '../onnx/graph';
import type { BackboneManifest, BackboneTap, LoadedBackbone } from './manifest';
import { BuiltinOp, readTflite } from './tflite';
import { findTensor, importTflite, type TfliteArithmetic } from './tflite-import';

export const MOBILENET_V2 = {
  file: 'tf2_mobilenet_v2_1.0_224_ptq.tflite',
  sha256: '5d3137241276e79c86d14a74fe43581398ae0e815191d3dba45495b810840e8c',
  url: 'https://raw.githubusercontent.com/google-coral/test_data/104342d2d3480b3e66203073dac24f4e2dbb4c41/tf2_mobilenet_v2_1.0_224_ptq.tflite',
  license: 'Apache-2.0',
  description: 'MobileNetV2 1.0 224 (TF-Hub imagenet/mobilenet_v2_100_224), full-integer post-training quantised TFLite from google-coral/test_data',
  nativeSize: 224,
} as const;

/**
 * The backbones made from that file. 'float' is the app's: weights dequantised, float32 activations.
 * 'int8' keeps the file's integer arithmetic as QDQ (tflite-import.ts); a separate id, because part
 * models trained on one do not fit the other. docs/backbone-quantization.md measures the two.
 */
export const MOBILENET_V2_VARIANTS = {
  float: { id: 'mobilenet_v2_1.0_224_tf2_ptq', arithmetic: 'float', conversion: 'dequantised to float32 ONNX' },
  int8: {
    id: 'mobilenet_v2_1.0_224_tf2_ptq_int8',
    arithmetic: 'qdq',
    conversion: 'kept integer as ONNX QuantizeLinear/DequantizeLinear (uint8 activations, per-channel int8 weights)',
  },
} as const satisfies Record<string, { id: string; arithmetic: TfliteArithmetic; conversion: string }>;

export type BackboneVariant = keyof typeof MOBILENET_V2_VARIANTS;

export function backboneVariant(name: string): BackboneVariant {
  if (!(name in MOBILENET_V2_VARIANTS)) throw new Error(`unknown backbone '${name}' (backbones: ${Object.keys(MOBILENET_V2_VARIANTS).join(', ')})`);
  return name as BackboneVariant;
}

/** Bumped whenever the importer's output changes, so provisioned files are rebuilt. */
export const CONVERTER = 'patchflow-inspect/tflite-import@1';

export const BACKBONE_ONNX = 'backbone.onnx';
export const BACKBONE_MANIFEST = 'manifest.json';
export const CLASSIFIER_OUTPUT = 'logits';

/**
 * The candidate taps. The TFLite file keeps TF-slim scope names, whose expanded_conv_N is Keras block N-1
 * (slim counts the first, expansion-free block as expanded_conv_1 here). Shapes are checked on import.
 */
const TAPS: (Omit<BackboneTap, 'output'> & { tensor: string })[] = [
  { name: 's8_block', stride: 8, channels: 32, tensor: 'MobileNetV2/expanded_conv_6/add/add', description: 'block 5 output, after the residual add' },
  { name: 's8_expand', stride: 8, channels: 192, tensor: 'MobileNetV2/expanded_conv_7/expand/relu6/Relu6', description: 'block 6 expansion 1×1 conv + ReLU6 (before its stride-2 depthwise)' },
  { name: 's16_block', stride: 16, channels: 96, tensor: 'MobileNetV2/expanded_conv_13/add/add', description: 'block 12 output, after the residual add' },
  { name: 's16_expand', stride: 16, channels: 576, tensor: 'MobileNetV2/expanded_conv_14/expand/relu6/Relu6', description: 'block 13 expansion 1×1 conv + ReLU6 (before its stride-2 depthwise)' },
  { name: 's32_block', stride: 32, channels: 320, tensor: 'MobileNetV2/expanded_conv_17/project/batch_norm/FusedBatchNormV3', description: 'block 16 linear projection' },
  { name: 's32_head', stride: 32, channels: 1280, tensor: 'MobileNetV2/Conv2d_18_1/relu6/Relu6', description: 'final 1×1 conv (1280) + ReLU6' },
];

export interface BuiltBackbone {
  graph: Graph;
  onnxBytes: Uint8Array;
  manifest: BackboneManifest;
}

/** sha256 (hex) through WebCrypto, which Node and browser workers both have. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Imports the MobileNetV2 TFLite file as `variant`: taps + ImageNet logits, dynamic batch/height/width. */
export async function buildMobileNetV2Backbone(tflite: Uint8Array, variant: BackboneVariant = 'float'): Promise<BuiltBackbone> {
  const { id, arithmetic, conversion } = MOBILENET_V2_VARIANTS[variant];
  const model = readTflite(tflite);
  const sg = model.subgraphs[0];
  const native = MOBILENET_V2.nativeSize;
  for (const tap of TAPS) {
    const t = findTensor(sg, tap.tensor);
    const side = native / tap.stride;
    if (t.shape.join() !== [1, side, side, tap.channels].join()) {
      throw new Error(`tap ${tap.name}: TFLite tensor '${tap.tensor}' is [${t.shape}], expected [1,${side},${side},${tap.channels}]`);
    }
  }
  // the logits are what the final SOFTMAX reads
  const softmax = sg.operators.find((op) => op.builtinCode === BuiltinOp.SOFTMAX);
  if (!softmax) throw new Error('the TFLite model has no SOFTMAX to find the classifier logits by');
  const logits = sg.tensors[softmax.inputs[0]];

  const imported = importTflite(model, {
    graphName: id,
    arithmetic,
    outputs: { ...Object.fromEntries(TAPS.map((t) => [t.name, t.tensor])), [CLASSIFIER_OUTPUT]: logits.index },
  });
  const { scale, offset } = imported.input;
  const onnxBytes = serializeModel(imported.graph, { backbone: id, converter: CONVERTER });
  const manifest: BackboneManifest = {
    format: 'patchflow-inspect/backbone@1',
    id,
    file: BACKBONE_ONNX,
    sha256: await sha256Hex(onnxBytes),
    input: { name: imported.input.name, colorOrder: 'RGB', scale: [scale, scale, scale], offset: [offset, offset, offset], nativeSize: native },
    taps: TAPS.map(({ tensor, description, ...tap }) => ({ ...tap, output: tap.name, description: `${description}; TFLite tensor '${tensor}'` })),
    classifier: { output: CLASSIFIER_OUTPUT, classes: logits.shape[logits.shape.length - 1] },
    source: {
      description: `${MOBILENET_V2.description}, ${conversion} by patchflow-inspect`,
      file: MOBILENET_V2.file,
      sha256: await sha256Hex(tflite),
      url: MOBILENET_V2.url,
      license: MOBILENET_V2.license,
    },
    converter: CONVERTER,
  };
  return { graph: imported.graph, onnxBytes, manifest };
}

/**
 * Checks backbone files (format, sha256 of the ONNX bytes against the manifest) and parses the graph.
 * `where` names the files in errors. Used by the CLI (files on disk) and the browser worker (fetched).
 */
export async function openBackbone(manifest: BackboneManifest, onnx: Uint8Array, where: string): Promise<LoadedBackbone> {
  if (manifest?.format !== 'patchflow-inspect/backbone@1') throw new Error(`${where}: not a backbone manifest (format ${JSON.stringify(manifest?.format)})`);
  const actual = await sha256Hex(onnx);
  if (actual !== manifest.sha256) throw new Error(`${where}: ${manifest.file} has sha256 ${actual}, but its manifest says ${manifest.sha256}; provision it again (npm run setup)`);
  return { manifest, graph: parseModel(onnx).graph };
}
