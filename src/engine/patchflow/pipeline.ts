/**
 * One image's way through a part model: decoded pixels → preprocess → backbone at every scale → head,
 * composed into a single ONNX graph (one session per part model), plus the verdict.
 */
import { GraphBuilder, inlineGraph, extractSubgraph, withExplicitConvAttributes, type Graph } from '../onnx/graph';
import { parseModel, serializeModel } from '../onnx/serialize';
import type { LoadedBackbone } from '../backbone/manifest';
import type { RgbImage } from '../image/decode';
import { runSession, type InferenceSession, type Runtime } from '../runtime';
import { buildFeatureExtractor, type ScaledTap } from './aggregation';
import { headInputs, headLayout, type HeadLayout } from './head';
import { SCORE_OUTPUTS, buildScoredHead } from './scores';
import type { ModelSettings, PartManifest } from './manifest';
import { checkBackbone } from './part-package';
import { IMAGE_OUTPUT, buildPreprocessGraph, preprocessFeeds, preprocessSettings } from './preprocess';

/**
 * pixels [H, W, 3] uint8 → every scaled tap the head reads (float32); also returns the head's
 * layout and that list of taps.
 */
export function buildTapGraph(backbone: LoadedBackbone, settings: ModelSettings): { graph: Graph; layout: HeadLayout; taps: ScaledTap[] } {
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
  const pre = inlineGraph(b, preprocess, passInputs(b, preprocess), '');
  const values = inlineGraph(b, features, { image: pre[IMAGE_OUTPUT] }, '');
  for (const t of taps) b.outputAs(values[t.name], tapOutputName(t), 'float32', [1, t.tap.channels, t.height, t.width]);
  return { graph: b.graph, layout, taps };
}

/** Declares `sub`'s inputs as the builder's own and maps them through, for inlining `sub` whole. */
function passInputs(b: GraphBuilder, sub: Graph): Record<string, string> {
  return Object.fromEntries(sub.inputs.map((i) => [i.name, b.input(i.name, i.dtype, i.shape)]));
}

/** Output name of a tap in the graph of `buildTapGraph`. */
export const tapOutputName = (t: ScaledTap) => `${t.name}:out`;

/** The whole inference graph: pixels → score, anomaly map and the head's grid maps. */
export function buildInferenceGraph(backbone: LoadedBackbone, manifest: Pick<PartManifest, 'settings' | 'mapStatistics'>, head: Graph): Graph {
  const { settings } = manifest;
  const { graph: tapGraph, taps: scaledTaps } = buildTapGraph(backbone, settings);
  const scored = buildScoredHead(head, settings.scoring, manifest.mapStatistics, settings.features.inputSize);
  const b = new GraphBuilder('patchflow', 'pf/');
  const taps = inlineGraph(b, tapGraph, passInputs(b, tapGraph), '');
  const out = inlineGraph(b, scored, Object.fromEntries(scaledTaps.map((t) => [t.name, taps[tapOutputName(t)]])), 'head/');
  for (const o of scored.outputs) b.outputAs(out[o.name], o.name, 'float32', o.shape?.map((d) => (d === 'batch' ? 1 : d)));
  return withExplicitConvAttributes(b.graph);
}

export interface Inspection {
  /** Image anomaly score: max of the smoothed, standardised log-space anomaly map. */
  score: number;
  /** Score in units of the good images' spread: (score − good mean) / good std. */
  normalizedScore: number;
  verdict: 'pass' | 'fail';
  /** Anomaly map at input resolution in good-σ units, row-major [mapHeight × mapWidth]. */
  anomalyMap: Float32Array;
  mapWidth: number;
  mapHeight: number;
  milliseconds: number;
}

/** The outputs an inspection reads: the rest of the head's maps stay inside the session (on the GPU). */
const INSPECTION_OUTPUTS = [SCORE_OUTPUTS.score, SCORE_OUTPUTS.anomalyMap];

/** A loaded part model: one onnxruntime session over the composed graph. */
export class PartModel {
  /** The last inference asked for: photos take turns, so each one's time is its own inference alone. */
  private running: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly manifest: PartManifest,
    /** The head's bytes, to build the model again on another runtime (a lost GPU). */
    readonly head: Uint8Array,
    private readonly runtime: Runtime,
    private readonly session: InferenceSession,
  ) {}

  static async load(runtime: Runtime, backbone: LoadedBackbone, manifest: PartManifest, headBytes: Uint8Array): Promise<PartModel> {
    checkBackbone(manifest, backbone.manifest);
    const head = parseModel(headBytes).graph;
    const session = await runtime.createSession(serializeModel(buildInferenceGraph(backbone, manifest, head)));
    return new PartModel(manifest, headBytes, runtime, session);
  }

  /** Scores one image; calls made while another runs wait their turn (their time excludes the wait). */
  async inspect(image: RgbImage): Promise<Inspection> {
    const feeds = preprocessFeeds(image, preprocessSettings(this.manifest.settings));
    const turn = this.running.then(async () => {
      const t0 = performance.now();
      return { out: await runSession(this.runtime, this.session, feeds, INSPECTION_OUTPUTS), milliseconds: performance.now() - t0 };
    });
    this.running = turn.catch(() => undefined);
    const { out, milliseconds } = await turn;
    const score = (out[SCORE_OUTPUTS.score].data as Float32Array)[0];
    const map = out[SCORE_OUTPUTS.anomalyMap];
    const good = this.manifest.goodScores;
    return {
      score,
      normalizedScore: (score - good.mean) / (good.std || 1),
      verdict: score >= this.manifest.thresholds.image ? 'fail' : 'pass',
      anomalyMap: map.data as Float32Array,
      mapWidth: map.dims[3],
      mapHeight: map.dims[2],
      milliseconds,
    };
  }

  /**
   * One inference on a synthetic photo: compiles every kernel (shaders on WebGPU) before the first real
   * photo, and proves the backend computes finite scores. Throws when it does not.
   */
  async warmUp(): Promise<void> {
    const side = this.manifest.settings.features.inputSize;
    const data = new Uint8Array(side * side * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 251; // texture, so no map is flat
    const { score, anomalyMap } = await this.inspect({ width: side, height: side, data });
    if (!Number.isFinite(score) || !anomalyMap.every(Number.isFinite)) throw new Error(`the warm-up inference gave a non-finite score (${score})`);
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
