/**
 * One image's way through a part model: decoded pixels → preprocess → backbone at every scale → head,
 * composed into a single ONNX graph (one session per part model), plus the verdict.
 */
import { GraphBuilder, inlineGraph, extractSubgraph, type Graph } from '../onnx/graph';
import { openSession } from '../onnx/session';
import { parseModel } from '../onnx/serialize';
import type { LoadedBackbone } from '../backbone/manifest';
import { runSession, type HostTensor, type InferenceSession, type Runtime } from '../runtime';
import { buildFeatureExtractor, inputShape, type ScaledTap } from './aggregation';
import { headInputs, headLayout, type HeadLayout } from './head';
import { CONTENT_MASK_INPUTS, CONTENT_MASK_OFF, SCORE_OUTPUTS, buildScoredHead, contentMaskInputs } from './scores';
import type { ModelSettings, PartManifest } from './manifest';
import { checkBackbone } from './part-package';
import { IMAGE_OUTPUT, buildPreprocessGraph, cropRect, photoPlacement, preprocessFeeds, preprocessSettings } from './preprocess';
import type { Rect, RgbImage } from '../image/decode';
import { TILE_INPUT, tileFeed } from './gaussian';
import { stitchTiles, tiledPlacement, tilePlacement, tilesOf, type TileMap } from './tiling';

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
    ...preprocessSettings(settings),
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

/**
 * The whole inference graph: pixels and where the photo lies in the input (the content masks) → score,
 * anomaly map and the head's grid maps.
 */
export function buildInferenceGraph(backbone: LoadedBackbone, manifest: Pick<PartManifest, 'settings' | 'mapStatistics'>, head: Graph): Graph {
  const { settings } = manifest;
  const { graph: tapGraph, taps: scaledTaps } = buildTapGraph(backbone, settings);
  const input = inputShape(settings.features);
  const scored = buildScoredHead(head, settings.scoring, manifest.mapStatistics, input, true);
  const b = new GraphBuilder('patchflow', 'pf/');
  const taps = inlineGraph(b, tapGraph, passInputs(b, tapGraph), '');
  const masks = contentMaskInputs(b, input);
  const maskInputs = { [CONTENT_MASK_INPUTS.rows]: masks.rows, [CONTENT_MASK_INPUTS.columns]: masks.columns };
  // a tiled model's head is told which tile it reads
  const tileInput: Record<string, string> = scored.inputs.some((i) => i.name === TILE_INPUT) ? { [TILE_INPUT]: b.input(TILE_INPUT, 'int64', [1]) } : {};
  const out = inlineGraph(b, scored, { ...maskInputs, ...tileInput, ...Object.fromEntries(scaledTaps.map((t) => [t.name, taps[tapOutputName(t)]])) }, 'head/');
  for (const o of scored.outputs) b.outputAs(out[o.name], o.name, 'float32', o.shape?.map((d) => (d === 'batch' ? 1 : d)));
  return b.graph;
}

export interface Inspection {
  /** Image anomaly score: max of the smoothed, standardised log-space anomaly map. */
  score: number;
  /** Score in units of the good images' spread: (score − good mean) / good std. */
  normalizedScore: number;
  verdict: 'pass' | 'fail';
  /**
   * Anomaly map over the whole photo in good-σ units, row-major [mapHeight × mapWidth]: the letterbox's
   * padding cut off, and what the model's crop left out filled with the map's lowest value.
   */
  anomalyMap: Float32Array;
  mapWidth: number;
  mapHeight: number;
  /** The share of the model's input the photo fills: below 1 when its shape is not the model's (letterboxed). */
  filled: number;
  milliseconds: number;
}

/** The outputs an inspection reads: the rest of the head's maps stay inside the session (on the GPU). */
const INSPECTION_OUTPUTS = [SCORE_OUTPUTS.score, SCORE_OUTPUTS.anomalyMap];

/** The content masks of a photo placed at `place` in the input. */
function contentMaskFeeds(place: Rect, input: { width: number; height: number }): Record<string, HostTensor> {
  const mask = (length: number, from: number, span: number) => Float32Array.from({ length }, (_, i) => (i >= from && i < from + span ? 0 : CONTENT_MASK_OFF));
  return {
    [CONTENT_MASK_INPUTS.rows]: { dtype: 'float32', dims: [1, 1, input.height, 1], data: mask(input.height, place.y, place.height) },
    [CONTENT_MASK_INPUTS.columns]: { dtype: 'float32', dims: [1, 1, 1, input.width], data: mask(input.width, place.x, place.width) },
  };
}

/** The rectangle `r` of a row-major map `width` cells wide. */
function cut(map: Float32Array, width: number, r: Rect): Float32Array {
  if (r.x === 0 && r.y === 0 && r.width === width && r.width * r.height === map.length) return map;
  const out = new Float32Array(r.width * r.height);
  for (let y = 0; y < r.height; y++) out.set(map.subarray((r.y + y) * width + r.x, (r.y + y) * width + r.x + r.width), y * r.width);
  return out;
}

/** A map this many cells on a side covers any photo finely enough to draw and to judge pixels. */
const MAX_MAP_SIDE = 1024;

/**
 * The map of the cropped photo (covering `crop` of the photo) brought onto the whole photo at the same
 * density (at most MAX_MAP_SIDE), by nearest cells; outside the crop, its lowest value.
 */
function onPhoto(m: { map: Float32Array; width: number; height: number }, crop: Rect, photo: { width: number; height: number }): Pick<Inspection, 'anomalyMap' | 'mapWidth' | 'mapHeight'> {
  const { map } = m;
  if (crop.width === photo.width && crop.height === photo.height) return { anomalyMap: map, mapWidth: m.width, mapHeight: m.height };
  const k = Math.min(m.width / crop.width, MAX_MAP_SIDE / Math.max(photo.width, photo.height)); // cells per photo pixel
  const width = Math.max(1, Math.round(photo.width * k));
  const height = Math.max(1, Math.round(photo.height * k));
  const low = map.reduce((lowest, v) => Math.min(lowest, v), Infinity);
  const out = new Float32Array(width * height).fill(low);
  for (let y = 0; y < height; y++) {
    const row = Math.floor((((y + 0.5) / k - crop.y) * m.height) / crop.height);
    if (row < 0 || row >= m.height) continue;
    for (let x = 0; x < width; x++) {
      const column = Math.floor((((x + 0.5) / k - crop.x) * m.width) / crop.width);
      if (column >= 0 && column < m.width) out[y * width + x] = map[row * m.width + column];
    }
  }
  return { anomalyMap: out, mapWidth: width, mapHeight: height };
}

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
    const session = await openSession(runtime, buildInferenceGraph(backbone, manifest, head));
    return new PartModel(manifest, headBytes, runtime, session);
  }

  /**
   * Scores one image, tile by tile for a tiled model (its score is the highest tile's); calls made while
   * another runs wait their turn (their time excludes the wait).
   */
  async inspect(image: RgbImage): Promise<Inspection> {
    const settings = this.manifest.settings;
    const pre = tiledPlacement(settings);
    const tiles = tilesOf(image, pre).map(({ rect, image: tile }, t) => ({ rect, ...this.tileFeeds(tile, t) }));
    const { outs, milliseconds } = await this.inTurn(async () => {
      const t0 = performance.now();
      const outs = [];
      for (const t of tiles) outs.push(await runSession(this.runtime, this.session, t.feeds, INSPECTION_OUTPUTS));
      return { outs, milliseconds: performance.now() - t0 };
    });
    const score = Math.max(...outs.map((out) => (out[SCORE_OUTPUTS.score].data as Float32Array)[0]));
    const maps = outs.map((out, i): TileMap => {
      const { rect, place } = tiles[i];
      const map = out[SCORE_OUTPUTS.anomalyMap];
      return { rect, map: cut(map.data as Float32Array, map.dims[3], place), width: place.width, height: place.height };
    });
    const area = cropRect(image, pre);
    const good = this.manifest.goodScores;
    return {
      score,
      normalizedScore: (score - good.mean) / (good.std || 1),
      verdict: score >= this.manifest.thresholds.image ? 'fail' : 'pass',
      ...onPhoto(stitchTiles(maps, settings.tiles?.columns ?? 1, area), area, image),
      filled: tiles.reduce((sum, t) => sum + t.place.width * t.place.height, 0) / (tiles.length * pre.input.width * pre.input.height),
      milliseconds,
    };
  }

  /** Runs `work` once the inferences asked for before it are done. */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.running.then(work);
    this.running = turn.catch(() => undefined);
    return turn;
  }

  /** The session's feeds for tile `t` of a photo (the whole photo, untiled), cut already, and where it lies in the input. */
  private tileFeeds(tile: RgbImage, t: number): { place: Rect; feeds: Record<string, HostTensor> } {
    const placement = tilePlacement(preprocessSettings(this.manifest.settings));
    const place = photoPlacement(tile, placement);
    const tileIndex = this.session.inputNames.includes(TILE_INPUT) ? tileFeed(t) : {};
    return { place, feeds: { ...preprocessFeeds(tile, placement), ...contentMaskFeeds(place, placement.input), ...tileIndex } };
  }

  /**
   * One inference (one tile) on a synthetic photo: compiles every kernel (shaders on WebGPU) before the
   * first real photo, and proves the backend computes finite scores. Throws when it does not.
   */
  async warmUp(): Promise<void> {
    const { width, height } = inputShape(this.manifest.settings.features);
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 251; // texture, so no map is flat
    const feeds = this.tileFeeds({ width, height, data }, 0).feeds;
    const out = await this.inTurn(() => runSession(this.runtime, this.session, feeds, INSPECTION_OUTPUTS));
    const score = (out[SCORE_OUTPUTS.score].data as Float32Array)[0];
    if (!Number.isFinite(score) || !(out[SCORE_OUTPUTS.anomalyMap].data as Float32Array).every(Number.isFinite)) throw new Error(`the warm-up inference gave a non-finite score (${score})`);
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
