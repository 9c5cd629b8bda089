/**
 * Teaching a part from good images only: cache backbone taps once, run the ONNX training step in a
 * loop, pick the epoch that best separates held-out good images from synthetic anomalies, calibrate
 * the threshold on them, and export `head.onnx` + manifest.
 */
import type { Graph, Tensor } from '../onnx/graph';
import { serializeModel } from '../onnx/serialize';
import { probeShapes } from '../onnx/autodiff';
import { maskToMap, type DecodeImage, type Mask, type RgbImage } from '../image/decode';
import { HEAD_OUTPUTS, buildHeadGraph, gaussianMapOutput, buildTrainingForward, headBufferShapes, headParameterShapes, initHead, type HeadLayout } from '../patchflow/head';
import { IDENTITY_STANDARDISATION, SCORE_OUTPUTS, buildScoredHead, type MapStatistics, type Standardisation } from '../patchflow/scores';
import { gridOf, inputForAspect, inputShape } from '../patchflow/aggregation';
import { fitGaussian } from './gaussian-fit';
import { TILE_INPUT, gaussianNames, tileFeed, type GaussianSettings } from '../patchflow/gaussian';
import { formatFor, type ModelSettings, type PartManifest, type PositionBlindRecord } from '../patchflow/manifest';
import { buildTapGraph } from '../patchflow/pipeline';
import type { LoadedBackbone } from '../backbone/manifest';
import { createRng, permutation } from '../random';
import { ortFeeds, readTensor, runSession, type Feed, type HostTensor, type InferenceSession, type OrtTensor, type Runtime } from '../runtime';
import { auroc, concatPixels, pixelAuroc } from '../metrics/auroc';
import { calibrate } from './calibration';
import { fitNearestNeighbour } from './coreset';
import { BIAS_CORRECTION, LEARNING_RATE, STEP_LOSS, adamDefaults, buildTrainingStep, firstMoment, nextValue, secondMoment } from './step';
import { foregroundMask, pasteAnomaly } from './synthetic';
import { TapCache, cacheImage } from './tap-cache';
import { graphFor, openSession } from '../onnx/session';
import { cropRect, photoPlacement, type Placement } from '../patchflow/preprocess';
import { decodeSide, tileCount, tiledPlacement, tilePlacement, tileRects, tilesOf } from '../patchflow/tiling';
import { heldOutCount, minimumImages } from './defaults';
import { CHECKPOINT_FORMAT, checkResumable, epochOrder, runKey, type RunIdentity, type TrainingCheckpoint, type TrainingState } from './checkpoint';

export { minimumImages, trainDefaults } from './defaults';

export interface TrainingImage {
  name: string;
  bytes: Uint8Array;
}

export interface TrainOptions extends Omit<RunIdentity, 'images'> {
  part: string;
  /** Describes the training data in the manifest (e.g. the folder name). */
  dataLabel: string;
  epochs: number;
  /** The share of good parts the image threshold may reject (default 1 %). */
  falseRejectRate?: number;
  /** The platform's image decoder (sharp in Node, createImageBitmap in a worker). */
  decode: DecodeImage;
  onProgress?: (p: TrainProgress) => void;
  /** Goes on from this checkpoint's epoch (one `onCheckpoint` gave for the same images and options). */
  resumeFrom?: TrainingCheckpoint;
  /** Receives a checkpoint after every epoch; training waits until it returns (while it is stored). */
  onCheckpoint?: (checkpoint: TrainingCheckpoint) => Promise<void> | void;
}

export type TrainProgress =
  | { phase: 'cache'; done: number; total: number }
  | { phase: 'train'; epoch: number; epochs: number; step: number; steps: number; loss: number }
  | { phase: 'validate'; epoch: number; imageAuroc: number; pixelAuroc: number; goodScoreMean: number; loss: number; best: boolean }
  /** The flow is trained: fitting the Gaussian companions and calibrating the thresholds. */
  | { phase: 'complete' };

export interface TrainedModel {
  manifest: PartManifest;
  head: Uint8Array;
  /** Names of the good images held out from training (validation and calibration). */
  heldOut: string[];
}

interface ValidationSet {
  cache: TapCache;
  /** 1 = synthetic anomaly. */
  labels: Uint8Array;
  /** Defect masks on the model's map (all zero for good images). */
  masks: Uint8Array[];
  /** The held-out photo each sample comes from, and which of its tiles it is. */
  photos: Int32Array;
  tiles: Int32Array;
}

/** Every tap the head reads, cached once: the training images and the validation set. */
interface CachedTaps {
  layout: HeadLayout;
  train: TapCache;
  validation: ValidationSet;
}

/** The flow's parameters and buffers at its best epoch, and how training went. */
interface TrainedFlow {
  params: Map<string, Tensor>;
  bestEpoch: number;
  lossCurve: number[];
  history: PartManifest['training']['validation'];
}

export async function trainPartModel(runtime: Runtime, backbone: LoadedBackbone, images: TrainingImage[], options: TrainOptions): Promise<TrainedModel> {
  const started = performance.now();
  const key = runKey({ ...options, images });
  const o = { ...options, settings: await fitInputToPhotos(options.settings, images, options.decode, backbone) };
  if (o.resumeFrom) checkResumable(o.resumeFrom, key);
  const rng = createRng(o.seed);
  const validationCount = heldOutCount(images.length, o.validationFraction);
  if (images.length < minimumImages(o)) {
    throw new Error(`${images.length} good images are too few: training needs at least ${minimumImages(o)} (batch ${o.batchSize} + ${validationCount} held out)`);
  }
  const order = permutation(images.length, rng).map((i) => images[i]);
  const [validationImages, trainImages] = [order.slice(0, validationCount), order.slice(validationCount)];

  const taps = await cacheTaps(runtime, backbone, trainImages, validationImages, o, rng);
  const flow = await trainFlow(runtime, taps, o, key, started);
  o.onProgress?.({ phase: 'complete' });
  const { settings, head, mapStatistics, calibration, positionBlind } = await completeHead(runtime, taps, flow.params, o);
  const manifest: PartManifest = {
    format: formatFor(settings),
    part: o.part,
    backbone: { id: backbone.manifest.id, sha256: backbone.manifest.sha256 },
    settings,
    thresholds: calibration.thresholds,
    mapStatistics,
    goodScores: calibration.goodScores,
    training: {
      date: new Date().toISOString(),
      data: o.dataLabel,
      trainImages: trainImages.length,
      validationImages: validationCount,
      epochs: o.epochs,
      bestEpoch: flow.bestEpoch,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      weightDecay: o.weightDecay,
      seed: o.seed,
      lossCurve: flow.lossCurve,
      validation: flow.history,
      ...(positionBlind.length ? { positionBlind } : {}),
      seconds: (o.resumeFrom?.seconds ?? 0) + (performance.now() - started) / 1000,
    },
    head: 'head.onnx',
  };
  return { manifest, head, heldOut: validationImages.map((i) => i.name) };
}

/** Photos measured for the input's aspect ratio: a station's photos share one, so a few tell it. */
const ASPECT_SAMPLE = 16;

/**
 * The settings with the network input fitted to the photos (unless they fix it): the preset's side on
 * the shorter edge, the longer one following the photos' median aspect ratio (after the region and the
 * crop; a tile's, for a tiled model), so a tall part is not squashed.
 */
async function fitInputToPhotos(settings: ModelSettings, images: TrainingImage[], decode: DecodeImage, backbone: LoadedBackbone): Promise<ModelSettings> {
  if (settings.features.input) return settings;
  const side = settings.features.inputSize;
  const aspects: number[] = [];
  for (const img of images.slice(0, ASPECT_SAMPLE)) {
    const [tile] = tileRects(cropRect(await decode(img.bytes, img.name, side), settings), settings.tiles);
    aspects.push(tile.width / tile.height);
  }
  aspects.sort((a, b) => a - b);
  const stride = Math.max(...backbone.manifest.taps.map((t) => t.stride));
  const input = inputForAspect(side, aspects[Math.floor(aspects.length / 2)], stride);
  // a square input stays implied, so square parts' manifests read as before
  return input.width === input.height ? settings : { ...settings, features: { ...settings.features, input } };
}

/** A photo's defect mask on the model's input, letterboxed as the photo is (zero on the padding). */
function maskOnInput(mask: Mask, s: Placement): Uint8Array {
  const place = photoPlacement(mask, s);
  const inner = maskToMap(mask, place, cropRect(mask, s));
  const out = new Uint8Array(s.input.width * s.input.height);
  for (let y = 0; y < place.height; y++) out.set(inner.subarray(y * place.width, (y + 1) * place.width), (place.y + y) * s.input.width + place.x);
  return out;
}

/** 1. Tap caches: training images, held-out good images and synthetic anomalies made from them. */
async function cacheTaps(runtime: Runtime, backbone: LoadedBackbone, trainImages: TrainingImage[], validationImages: TrainingImage[], o: TrainOptions, rng: () => number): Promise<CachedTaps> {
  const { graph: tapGraph, layout, taps } = buildTapGraph(backbone, o.settings);
  const tapSession = await openSession(runtime, tapGraph);
  const total = trainImages.length + validationImages.length * (1 + o.syntheticPerImage);
  let done = 0;
  const tick = () => o.onProgress?.({ phase: 'cache', done: ++done, total });
  const pre = tiledPlacement(o.settings);
  const tiles = tileCount(o.settings.tiles);
  const train = new TapCache(taps, trainImages.length * tiles);
  const decodedTrain: RgbImage[] = [];
  for (const img of trainImages) {
    const decoded = await o.decode(img.bytes, img.name, decodeSide(o.settings));
    if (decodedTrain.length < 32) decodedTrain.push(decoded); // texture sources for synthetic anomalies
    for (const tile of tilesOf(decoded, pre)) await cacheImage(runtime, tapSession, train, tile.image, tilePlacement(pre));
    tick();
  }
  const validationCache = new TapCache(taps, validationImages.length * (tiles + o.syntheticPerImage));
  const validation = await buildValidationSet(runtime, tapSession, validationCache, validationImages, decodedTrain, o, rng, tick);
  await tapSession.release();
  return { layout, train, validation };
}

/**
 * 2. The flow, trained by the ONNX training step (one session for the run), each epoch scored on the
 * validation set by a flow-only head (the Gaussians do not change with epochs); the best epoch is kept.
 * The step's carried state stays on the device between steps (GPU memory on WebGPU) and comes to the
 * host once per epoch, for the checkpoint.
 */
async function trainFlow(runtime: Runtime, { layout, train, validation }: CachedTaps, o: TrainOptions, run: string, started: number): Promise<TrainedFlow> {
  const { settings } = o;
  const input = inputShape(settings.features);
  const resume = o.resumeFrom;
  const initial = initHead(layout.flow, settings.head, o.seed);
  const permutations = new Map<string, Tensor>([...initial].filter(([name]) => name.endsWith('w_perm')));
  const forward = buildTrainingForward(layout.flow, settings.head, input, o.batchSize, permutations);
  const host = resume ? hostState(resume.state) : initialState(initial, permutations, forward.parameters);
  const flowInputs = layout.flow.map((t) => t.name);
  const firstBatch = train.batch(Array.from({ length: o.batchSize }, (_, i) => i), flowInputs);
  const stateFeeds = Object.fromEntries(forward.graph.inputs.filter((i) => host.has(i.name)).map((i) => [i.name, host.get(i.name)!]));
  const shapes = await probeShapes(runtime, graphFor(runtime, forward.graph), { ...firstBatch, ...stateFeeds });
  const adam = adamDefaults(o.learningRate, o.weightDecay);
  const stepGraph = buildTrainingStep(forward, shapes, adam);
  const carriedOutputs = stepGraph.outputs.map((x) => x.name).filter((n) => n !== STEP_LOSS);
  const stepSession = await openSession(runtime, stepGraph, { outputsOnDevice: carriedOutputs });
  const stateInputs = stepGraph.inputs.map((i) => i.name).filter((n) => host.has(n));
  const validationGraph = buildScoredHead(
    buildHeadGraph({ flow: layout.flow, gaussians: [] }, { ...settings.head, gaussians: [] }, { input, params: permutations }),
    { ...settings.scoring, combine: 'flow', heatMap: 'flow' },
    IDENTITY_STANDARDISATION,
    input,
  );
  const validationHead = await openSession(runtime, validationGraph);
  const state = new CarriedState(runtime, host);

  const stepsPerEpoch = Math.floor(train.count / o.batchSize);
  const lossCurve = [...(resume?.lossCurve ?? [])];
  const history: TrainedFlow['history'] = [...(resume?.history ?? [])];
  let best = resume ? { ...resume.best, state: hostState(resume.best.state) } : { epoch: -1, selection: -Infinity, state: host };
  let t = resume?.step ?? 0;
  const scalar = (v: number): HostTensor => ({ dtype: 'float32', dims: [], data: Float32Array.of(v) });
  try {
    for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= o.epochs; epoch++) {
      const shuffled = epochOrder(train.count, o.seed, epoch);
      let lossSum = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        t++;
        const feeds: Record<string, Feed> = {
          ...train.batch(shuffled.slice(s * o.batchSize, (s + 1) * o.batchSize), flowInputs),
          ...state.feeds(stateInputs),
          [LEARNING_RATE]: scalar(adam.learningRate),
          [BIAS_CORRECTION[0]]: scalar(1 / (1 - adam.beta1 ** t)),
          [BIAS_CORRECTION[1]]: scalar(1 / (1 - adam.beta2 ** t)),
        };
        const out = await stepSession.run(ortFeeds(runtime, feeds));
        const loss = ((await out[STEP_LOSS].getData()) as Float32Array)[0];
        if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${epoch}, step ${s + 1} (loss ${loss}); try a lower learning rate`);
        for (const name of carriedOutputs) state.replace(name.slice(nextValue('').length), out[name]);
        lossSum += loss;
        o.onProgress?.({ phase: 'train', epoch, epochs: o.epochs, step: s + 1, steps: stepsPerEpoch, loss });
      }
      lossCurve.push(lossSum / stepsPerEpoch);
      const scored = await scoreSamples(runtime, validationHead, validation.cache, state.feeds(validationHead.inputNames.filter((n) => host.has(n))));
      const goodScores = scored.scores.filter((_, i) => validation.labels[i] === 0);
      const metrics = {
        epoch,
        imageAuroc: auroc(scored.scores, validation.labels),
        pixelAuroc: pixelAuroc(scored.maps, validation.masks),
        // the raw flow score's scale: it drifts down epoch after epoch when the adapter collapses
        goodScoreMean: goodScores.reduce((a, b) => a + b, 0) / goodScores.length,
      };
      history.push(metrics);
      // image AUROC first (to 0.001, about one pair's worth on this set), pixel AUROC breaks ties: summing
      // the two let early-peaking synthetic pixel AUROC pick under-trained epochs
      const selection = Math.round(metrics.imageAuroc * 1000) + metrics.pixelAuroc;
      const isBest = selection > best.selection;
      const now = await state.read();
      if (isBest) best = { epoch, selection, state: now };
      o.onProgress?.({ phase: 'validate', ...metrics, loss: lossCurve[epoch - 1], best: isBest });
      await o.onCheckpoint?.({
        format: CHECKPOINT_FORMAT,
        run,
        epoch,
        step: t,
        state: checkpointState(now),
        best: { epoch: best.epoch, selection: best.selection, state: checkpointState(best.state) },
        lossCurve: [...lossCurve],
        history: [...history],
        seconds: (resume?.seconds ?? 0) + (performance.now() - started) / 1000,
      });
    }
  } finally {
    state.dispose();
    await stepSession.release();
    await validationHead.release();
  }

  const params = new Map<string, Tensor>(permutations);
  for (const name of [...headParameterShapes(layout.flow, settings.head).keys(), ...headBufferShapes(settings.head).keys()]) {
    const v = best.state.get(name);
    if (v) params.set(name, { dtype: 'float32', dims: v.dims, data: v.data });
  }
  return { params, bestEpoch: best.epoch, lossCurve, history };
}

/** A fresh run's state: the initial parameters and buffers (the fixed permutations aside) and zero Adam moments. */
function initialState(initial: Map<string, Tensor>, permutations: Map<string, Tensor>, parameters: string[]): Map<string, HostTensor> {
  const state = new Map<string, HostTensor>();
  for (const [name, t] of initial) if (!permutations.has(name)) state.set(name, { dtype: 'float32', dims: t.dims, data: t.data });
  for (const p of parameters) {
    const { dims, data } = state.get(p)!;
    for (const moment of [firstMoment(p), secondMoment(p)]) state.set(moment, { dtype: 'float32', dims, data: new Float32Array(data.length) });
  }
  return state;
}

const hostState = (s: TrainingState) => new Map(Object.entries(s).map(([name, t]): [string, HostTensor] => [name, { dtype: 'float32', ...t }]));
const checkpointState = (s: Map<string, HostTensor>): TrainingState =>
  Object.fromEntries([...s].map(([name, t]) => [name, { dims: t.dims, data: t.data as Float32Array }]));

/**
 * The step's carried values as the runtime's tensors, each replaced by the step's output for it. On
 * WebGPU they are GPU buffers, freed as soon as their successor exists.
 */
class CarriedState {
  private readonly tensors = new Map<string, OrtTensor>();

  constructor(runtime: Runtime, initial: Map<string, HostTensor>) {
    for (const [name, t] of initial) this.tensors.set(name, runtime.tensor(t.dtype, t.data, t.dims));
  }

  feeds(names: readonly string[]): Record<string, OrtTensor> {
    return Object.fromEntries(names.map((n) => [n, this.tensors.get(n)!]));
  }

  replace(name: string, next: OrtTensor): void {
    this.tensors.get(name)?.dispose();
    this.tensors.set(name, next);
  }

  /** Every value on the host (a download from the GPU; the values stay where they are too). */
  async read(): Promise<Map<string, HostTensor>> {
    const names = [...this.tensors.keys()];
    const values = await Promise.all(names.map((n) => readTensor(this.tensors.get(n)!)));
    return new Map(names.map((n, i) => [n, values[i]]));
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
  }
}

/**
 * 3. The whole head: the trained flow, each Gaussian fitted in closed form on the training taps, the
 * maps' statistics on held-out good images, then calibration of the scored model's thresholds.
 */
async function completeHead(runtime: Runtime, { layout, train, validation }: CachedTaps, flowParams: Map<string, Tensor>, o: TrainOptions) {
  const input = inputShape(o.settings.features);
  const grid = gridOf(input);
  const params = new Map(flowParams);
  // one set of per-position Gaussians per tile: training samples are cached photo by photo, tile by tile
  const tiles = tileCount(o.settings.tiles);
  const groups = Array.from({ length: tiles }, (_, t) => ({
    indices: Array.from({ length: train.count }, (_, i) => i).filter((i) => i % tiles === t),
    heldOut: [...validation.labels.keys()].filter((i) => validation.labels[i] === 0 && validation.tiles[i] === t),
  }));
  const positionBlind: PositionBlindRecord[] = [];
  const gaussians: GaussianSettings[] = [];
  for (const [i, g] of o.settings.head.gaussians.entries()) {
    if (g.model === 'nearest-neighbour') {
      for (const [name, t] of await fitNearestNeighbour(runtime, train, layout.gaussians[i], g, grid, gaussianNames(i), i)) params.set(name, t);
      gaussians.push(g);
      continue;
    }
    const fit = await fitGaussian(runtime, train, layout.gaussians[i], g, grid, gaussianNames(i), groups, validation.cache);
    for (const [name, t] of fit.params) params.set(name, t);
    if (fit.positionBlind) positionBlind.push({ companion: i, ...fit.positionBlind });
    gaussians.push(fit.positionBlind ? { ...g, positionBlind: fit.positionBlind.chosen } : g);
  }
  const headGraph = buildHeadGraph(layout, o.settings.head, { input, params });
  const mapStatistics = await goodMapStatistics(runtime, headGraph, gaussians.length, validation);
  const finalSession = await openSession(runtime, buildScoredHead(headGraph, o.settings.scoring, mapStatistics, input));
  const scored = await scoreSamples(runtime, finalSession, validation.cache, {}, validation.tiles);
  await finalSession.release();
  const photos = photoScores(scored, validation);
  const calibration = calibrate(photos.scores, photos.labels, photos.maps, o.falseRejectRate);
  // the manifest holds the share training chose, so its settings say what the head holds
  const settings: ModelSettings = { ...o.settings, head: { ...o.settings.head, gaussians } };
  const head = serializeModel(headGraph, { part: o.part });
  return { settings, head, mapStatistics, calibration, positionBlind };
}

/**
 * Held-out good photos, tile by tile, and synthetic anomalies, each pasted into one tile of one of them
 * (a random tile, for a tiled model).
 */
async function buildValidationSet(
  runtime: Runtime,
  tapSession: InferenceSession,
  cache: TapCache,
  images: TrainingImage[],
  textures: RgbImage[],
  o: TrainOptions,
  rng: () => number,
  tick: () => void,
): Promise<ValidationSet> {
  const pre = tiledPlacement(o.settings);
  const input = tilePlacement(pre);
  const labels: number[] = [];
  const masks: Uint8Array[] = [];
  const photos: number[] = [];
  const tileOf: number[] = [];
  const add = async (image: RgbImage, label: number, mask: Uint8Array, photo: number, tile: number) => {
    await cacheImage(runtime, tapSession, cache, image, input);
    labels.push(label);
    masks.push(mask);
    photos.push(photo);
    tileOf.push(tile);
  };
  for (const [photo, img] of images.entries()) {
    const tiles = tilesOf(await o.decode(img.bytes, img.name, decodeSide(o.settings)), pre).map((t) => t.image);
    for (const [t, tile] of tiles.entries()) await add(tile, 0, new Uint8Array(input.input.width * input.input.height), photo, t);
    tick();
    const foregrounds = new Map<number, Uint8Array>();
    for (let k = 0; k < o.syntheticPerImage; k++) {
      const t = tiles.length === 1 ? 0 : Math.floor(rng() * tiles.length);
      const good = tiles[t];
      if (!foregrounds.has(t)) foregrounds.set(t, foregroundMask(good));
      const source = textures[Math.floor(rng() * textures.length)];
      const anomaly = pasteAnomaly(good, source, rng, { foreground: foregrounds.get(t) });
      await add(anomaly.image, 1, maskOnInput({ width: good.width, height: good.height, data: anomaly.mask }, input), photo, t);
      tick();
    }
  }
  return { cache, labels: Uint8Array.from(labels), masks, photos: Int32Array.from(photos), tiles: Int32Array.from(tileOf) };
}

/**
 * Scores and maps per held-out photo, from its tiles': a good photo's score is its highest tile's; a
 * synthetic anomaly's is the highest of its own tile and the photo's other (good) tiles. A good photo's
 * map is its tiles' maps end to end (only their pixels' distribution counts).
 */
function photoScores(scored: { scores: Float32Array; maps: Float32Array[] }, v: ValidationSet): { scores: Float32Array; labels: Uint8Array; maps: Float32Array[] } {
  const goodByPhoto = new Map<number, number[]>();
  for (const i of v.labels.keys()) {
    if (v.labels[i] !== 0) continue;
    const ofPhoto = goodByPhoto.get(v.photos[i]);
    if (ofPhoto) ofPhoto.push(i);
    else goodByPhoto.set(v.photos[i], [i]);
  }
  const goodOf = (photo: number, except = -1) => (goodByPhoto.get(photo) ?? []).filter((i) => v.tiles[i] !== except);
  const highest = (indices: number[]) => indices.reduce((m, i) => Math.max(m, scored.scores[i]), -Infinity);
  const photoIds = [...goodByPhoto.keys()];
  const synthetic = [...v.labels.keys()].filter((i) => v.labels[i] !== 0);
  const concat = (maps: Float32Array[]) => concatPixels(maps, (n) => new Float32Array(n));
  return {
    scores: Float32Array.from([...photoIds.map((p) => highest(goodOf(p))), ...synthetic.map((i) => Math.max(scored.scores[i], highest(goodOf(v.photos[i], v.tiles[i]))))]),
    labels: Uint8Array.from([...photoIds.map(() => 0), ...synthetic.map(() => 1)]),
    maps: [...photoIds.map((p) => concat(goodOf(p).map((i) => scored.maps[i]))), ...synthetic.map(() => new Float32Array(0))],
  };
}

/** Runs a scored head over every cached sample; returns image scores and full-resolution maps. */
async function scoreSamples(runtime: Runtime, session: InferenceSession, cache: TapCache, extra: Record<string, Feed>, tiles?: Int32Array) {
  const out = await runOverCache(runtime, session, cache, extra, [SCORE_OUTPUTS.score, SCORE_OUTPUTS.anomalyMap], tiles);
  return { scores: Float32Array.from(out[SCORE_OUTPUTS.score].map((s) => s[0])), maps: out[SCORE_OUTPUTS.anomalyMap] };
}

/**
 * Runs a session over the cache in chunks; returns each output split per sample. A head that reads
 * TILE_INPUT runs tile by tile (`tiles`: each sample's tile).
 */
async function runOverCache(runtime: Runtime, session: InferenceSession, cache: TapCache, extra: Record<string, Feed>, outputs: string[], tiles?: Int32Array) {
  const result: Record<string, Float32Array[]> = Object.fromEntries(outputs.map((o) => [o, new Array<Float32Array>(cache.count)]));
  const all = Array.from({ length: cache.count }, (_, i) => i);
  const byTile = session.inputNames.includes(TILE_INPUT)
    ? [...new Set(tiles)].map((t) => ({ feeds: tileFeed(t), indices: all.filter((i) => tiles![i] === t) }))
    : [{ feeds: {}, indices: all }];
  const chunk = 16;
  for (const group of byTile) {
    for (let start = 0; start < group.indices.length; start += chunk) {
      const idx = group.indices.slice(start, start + chunk);
      const out = await runSession(runtime, session, { ...cache.batch(idx, session.inputNames), ...group.feeds, ...extra }, outputs);
      for (const name of outputs) {
        const data = out[name].data as Float32Array;
        const n = data.length / idx.length;
        idx.forEach((sample, i) => (result[name][sample] = data.slice(i * n, (i + 1) * n)));
      }
    }
  }
  return result;
}

/** Mean and standard deviation of every grid map's cells over the held-out good images. */
async function goodMapStatistics(runtime: Runtime, head: Graph, companions: number, v: ValidationSet): Promise<MapStatistics> {
  const session = await openSession(runtime, head);
  const gaussians = Array.from({ length: companions }, (_, i) => gaussianMapOutput(i));
  const names = [HEAD_OUTPUTS.flowMap, ...gaussians];
  const out = await runOverCache(runtime, session, v.cache, {}, names, v.tiles);
  await session.release();
  const stats = (maps: Float32Array[]): Standardisation => {
    const good = maps.filter((_, i) => v.labels[i] === 0);
    const n = good.reduce((s, m) => s + m.length, 0);
    const mean = good.reduce((s, m) => s + m.reduce((a, b) => a + b, 0), 0) / n;
    const variance = good.reduce((s, m) => s + m.reduce((a, b) => a + (b - mean) ** 2, 0), 0) / (n - 1);
    return { mean, std: Math.sqrt(variance) };
  };
  return {
    flow: stats(out[HEAD_OUTPUTS.flowMap]),
    gaussians: gaussians.map((name) => stats(out[name])),
  };
}
