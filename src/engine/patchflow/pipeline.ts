/**
 * One image's way through a part model: decoded pixels → preprocess → backbone at every scale → head,
 * composed into a single ONNX graph (one session per part model), plus the verdict.
 */
import { GraphBuilder, attr, inlineGraph, extractSubgraph, type DType, type Graph } from '../onnx/graph';
import { parseModel, serializeModel } from '../onnx/serialize';
import type { LoadedBackbone } from '../backbone/manifest';
import type { RgbImage } from '../image/decode';
import { runSession, type InferenceSession, type Runtime } from '../runtime';
import { buildFeatureExtractor, type ScaledTap } from './aggregation';
import { HEAD_OUTPUTS, headInputs, headLayout, type HeadLayout } from './head';
import { SCORE_OUTPUTS, buildScoredHead } from './scores';
import { ManifestError, type ModelSettings, type PartManifest } from './manifest';
import { IMAGE_OUTPUT, PIXELS_INPUT, buildPreprocessGraph, pixelsFeed } from './preprocess';

/**
 * pixels [H, W, 3] uint8 → every scaled tap the head reads (as `dtype`); also returns the head's
 * layout and that list of taps.
 */
export function buildTapGraph(backbone: LoadedBackbone, settings: ModelSettings, dtype: DType = 'float32'): { graph: Graph; layout: HeadLayout; taps: ScaledTap[] } {
  const layout = headLayout(settings.features, settings.head, backbone.manifest);
  const taps = headInputs(layout);
  const outputs = [...new Set(taps.map((t) => t.tap.output))];
  const trunk = extractSubgraph(backbone.graph, outputs, 'backbone');
  const features = buildFeatureExtractor(trunk, backbone.manifest, settings.features, taps);
  const preprocess = buildPreprocessGraph({
    inputSize: settings.features.inputSize,
    centerCrop: settings.centerCrop,
    scale: backbone.manifest.input.scale,
    offset: backbone.manifest.input.offset,
  });
  const b = new GraphBuilder('taps', 'taps/');
  b.input(PIXELS_INPUT, 'uint8', ['height', 'width', 3]);
  const pre = inlineGraph(b, preprocess, { [PIXELS_INPUT]: PIXELS_INPUT }, '');
  const values = inlineGraph(b, features, { image: pre[IMAGE_OUTPUT] }, '');
  for (const t of taps) {
    const v = dtype === 'float32' ? values[t.name] : b.op('Cast', [values[t.name]], { to: attr.i(dtype === 'float16' ? 10 : 1) });
    b.outputAs(v, tapOutputName(t), dtype, [1, t.tap.channels, t.height, t.width]);
  }
  return { graph: b.graph, layout, taps };
}

/** Output name of a tap in the graph of `buildTapGraph`. */
export const tapOutputName = (t: ScaledTap) => `${t.name}:out`;

/** The whole inference graph: pixels → score, anomaly map and the head's grid maps. */
export function buildInferenceGraph(backbone: LoadedBackbone, manifest: Pick<PartManifest, 'settings' | 'mapStatistics'>, head: Graph): Graph {
  const { settings } = manifest;
  const { graph: tapGraph, taps: scaledTaps } = buildTapGraph(backbone, settings);
  const scored = buildScoredHead(head, settings.scoring, manifest.mapStatistics, settings.features.inputSize);
  const b = new GraphBuilder('patchflow', 'pf/');
  b.input(PIXELS_INPUT, 'uint8', ['height', 'width', 3]);
  const taps = inlineGraph(b, tapGraph, { [PIXELS_INPUT]: PIXELS_INPUT }, '');
  const out = inlineGraph(b, scored, Object.fromEntries(scaledTaps.map((t) => [t.name, taps[tapOutputName(t)]])), 'head/');
  for (const o of scored.outputs) b.outputAs(out[o.name], o.name, 'float32', o.shape?.map((d) => (d === 'batch' ? 1 : d)));
  return b.graph;
}

export interface Inspection {
  /** Image anomaly score: max of the smoothed, standardised log-space anomaly map. */
  score: number;
  /** Score in units of the good images' spread: (score − good mean) / good std. */
  normalizedScore: number;
  verdict: 'pass' | 'fail';
  /** Anomaly map at input resolution in good-σ units, row-major [size × size]. */
  anomalyMap: Float32Array;
  mapSize: number;
  /** Per-cell log-likelihood on the stride-8 grid, row-major [grid × grid]. */
  logLikelihood: Float32Array;
  gridSize: number;
  milliseconds: number;
}

/** A loaded part model: one onnxruntime session over the composed graph. */
export class PartModel {
  private constructor(
    readonly manifest: PartManifest,
    private readonly runtime: Runtime,
    private readonly session: InferenceSession,
  ) {}

  static async load(runtime: Runtime, backbone: LoadedBackbone, manifest: PartManifest, headBytes: Uint8Array): Promise<PartModel> {
    if (manifest.backbone.id !== backbone.manifest.id || manifest.backbone.sha256 !== backbone.manifest.sha256) {
      throw new ManifestError(
        `part model '${manifest.part}' was trained on backbone '${manifest.backbone.id}' (sha256 ${manifest.backbone.sha256.slice(0, 12)}…), ` +
          `but the loaded backbone is '${backbone.manifest.id}' (sha256 ${backbone.manifest.sha256.slice(0, 12)}…); retrain the part or load its backbone`,
      );
    }
    const head = parseModel(headBytes).graph;
    const session = await runtime.createSession(serializeModel(buildInferenceGraph(backbone, manifest, head)));
    return new PartModel(manifest, runtime, session);
  }

  async inspect(image: RgbImage): Promise<Inspection> {
    const t0 = performance.now();
    const out = await runSession(this.runtime, this.session, { [PIXELS_INPUT]: pixelsFeed(image, this.manifest.settings) });
    const score = (out[SCORE_OUTPUTS.score].data as Float32Array)[0];
    const map = out[SCORE_OUTPUTS.anomalyMap];
    const ll = out[HEAD_OUTPUTS.logLikelihood];
    const good = this.manifest.goodScores;
    return {
      score,
      normalizedScore: (score - good.mean) / (good.std || 1),
      verdict: score >= this.manifest.thresholds.image ? 'fail' : 'pass',
      anomalyMap: map.data as Float32Array,
      mapSize: map.dims[3],
      logLikelihood: ll.data as Float32Array,
      gridSize: ll.dims[3],
      milliseconds: performance.now() - t0,
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
