import type { Graph } from '../onnx/graph';

/**
 * What the engine needs to know about a backbone, whoever made it: our TFLite importer writes one for
 * MobileNetV2, and a user can drop in another ONNX backbone (e.g. an EfficientNet exported from PyTorch)
 * with a manifest of this shape.
 */

/** One feature map the backbone can hand to the head. */
export interface BackboneTap {
  /** Stable name used by part manifests, e.g. "s8_expand". */
  name: string;
  /** Name of the ONNX output that carries it. */
  output: string;
  /** Input pixels per feature cell (8, 16 or 32). */
  stride: number;
  channels: number;
  /** Where the tap sits in the source network, for people reading the manifest. */
  description?: string;
}

export interface BackboneManifest {
  format: 'patchflow-inspect/backbone@1';
  /** Identifies the weights: a part model trained on one backbone refuses to load on another. */
  id: string;
  /** The ONNX file, relative to the manifest. */
  file: string;
  /** sha256 of the ONNX file (hex). */
  sha256: string;
  /** The float32 NCHW input of the ONNX graph (height and width are dynamic). */
  input: {
    name: string;
    colorOrder: 'RGB' | 'BGR';
    /** Network input = pixel (0..255) * scale + offset, per channel. */
    scale: [number, number, number];
    offset: [number, number, number];
    /** The size the network was trained at (informative). */
    nativeSize: number;
  };
  taps: BackboneTap[];
  /** ImageNet logits output, where the backbone keeps its classifier (used to verify an import). */
  classifier?: { output: string; classes: number };
  /** Where the weights came from. */
  source: { description: string; file?: string; sha256?: string; url?: string; license?: string };
  /** The tool (and version) that wrote the ONNX file, so a provisioner can tell stale output from current. */
  converter?: string;
}

/** A backbone ready for composing: its manifest and its parsed graph. */
export interface LoadedBackbone {
  manifest: BackboneManifest;
  graph: Graph;
}
