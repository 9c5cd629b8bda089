/** `npm run train -- --data DIR --out DIR`: teach a part from `train/good`. */
import path from 'node:path';
import type { Runtime } from '../engine/runtime';
import { DEFAULT_PRESET, presetSettings, type ModelSettings } from '../engine/patchflow/manifest';
import { MAP_COMBINATIONS, SCORE_RULES, companionIndex, heatMapRule, type CompanionMap } from '../engine/patchflow/scores';
import { GAUSSIAN_DEFAULTS, MAX_COVARIANCE_BLOCK, isCovarianceBlock, type GaussianSettings } from '../engine/patchflow/gaussian';
import type { FeatureSettings } from '../engine/patchflow/aggregation';
import { isRegion, type Region } from '../engine/patchflow/preprocess';
import { DEFAULT_TILE_OVERLAP, MAX_TILES_PER_SIDE, isTiling, type Tiling } from '../engine/patchflow/tiling';
import type { LoadedBackbone } from '../engine/backbone/manifest';
import { trainDefaults, trainPartModel, type TrainOptions, type TrainedModel } from '../engine/train/trainer';
import { readBytes, trainImages } from './dataset';
import { decodeImage } from '../engine/image/decode-node';
import { ProgressBar } from './progress';

export interface TrainArgs {
  data: string;
  part?: string;
  epochs?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  /** 'PX': the input's shorter side, the longer one from the photos' aspect ratio; 'WxH': a fixed input. */
  size?: string;
  taps?: string[];
  scales?: number[];
  steps?: number;
  crop?: number;
  /** 'X,Y,W,H': the region of interest in fractions of the photo, cut before all else. */
  region?: string;
  /** 'CxR' or 'CxR@OVERLAP': tiled inspection, C columns and R rows of input-sized tiles. */
  tiles?: string;
  preset?: string;
  adapterConstraint?: string;
  positionChannels?: number;
  /** 'auto' or a share 0…1 of the position-blind Gaussian in every per-position Gaussian companion. */
  positionBlind?: string;
  /** Side of the square of grid cells that share one covariance in every per-position Gaussian (1 = none shared). */
  covarianceBlock?: number;
  /** 'none', or companions separated by ';', each TAPS:DIMS:REDUCTION with TAPS 'a+b+c' or 'flow'. */
  gaussians?: string;
  combine?: string;
  heatMap?: string;
  /** σ in input pixels of the Gaussian blur on the anomaly map (0: none). */
  smoothing?: number;
  /** The part's defects are thin (cracks, scratches): its heat map from every map's mean. */
  thinDefects?: boolean;
  /** The share of good parts the threshold may reject. */
  falseRejectRate?: number;
  quiet?: boolean;
}

/** `--size`: 'PX' (the shorter side; the photos give the rest) or 'WxH' (fixed), sides multiples of 32 from 64 to 1024. */
export function parseSize(text: string): Pick<FeatureSettings, 'inputSize' | 'input'> {
  const sides = text.split('x').map(Number);
  const ok = sides.length <= 2 && sides.every((v) => Number.isInteger(v) && v >= 64 && v <= 1024 && v % 32 === 0);
  if (!ok) throw new Error(`--size ${text}: give PX (the shorter side) or WxH, each side a multiple of 32 from 64 to 1024, e.g. 256 or 256x640`);
  if (sides.length === 1) return { inputSize: sides[0] };
  const [width, height] = sides;
  return { inputSize: Math.min(width, height), input: { width, height } };
}

/** `--region X,Y,W,H`: fractions of the photo, the rectangle inside it and not empty. */
export function parseRegion(text: string): Region {
  const v = text.split(',').map(Number);
  const [x, y, width, height] = v;
  const region = { x, y, width, height };
  if (v.length !== 4 || !isRegion(region)) throw new Error(`--region ${text}: give X,Y,W,H as fractions of the photo (a rectangle inside it), e.g. 0.1,0,0.8,1`);
  return region;
}

/** `--tiles CxR[@OVERLAP]`: C columns and R rows of tiles, neighbours sharing OVERLAP of a side (default 0.25). */
export function parseTiles(text: string): Tiling {
  const m = /^(\d+)x(\d+)(?:@([\d.]+))?$/.exec(text);
  const tiles = m && { columns: Number(m[1]), rows: Number(m[2]), overlap: m[3] === undefined ? DEFAULT_TILE_OVERLAP : Number(m[3]) };
  if (!tiles || !isTiling(tiles)) throw new Error(`--tiles ${text}: give CxR or CxR@OVERLAP, 1 to ${MAX_TILES_PER_SIDE} columns and rows, an overlap from 0 to under 0.5, e.g. 2x2@0.25`);
  return tiles;
}

export function settingsFrom(args: TrainArgs): ModelSettings {
  // thin defects first, so that the options below override what they set
  const s = presetSettings(args.preset ?? DEFAULT_PRESET, args.thinDefects);
  if (args.size) s.features = { ...s.features, ...parseSize(args.size) };
  if (args.taps) s.features.taps = args.taps;
  if (args.scales) s.features.scales = args.scales;
  if (args.steps) s.head.flow.steps = args.steps;
  if (args.crop) s.centerCrop = args.crop;
  if (args.region) s.region = parseRegion(args.region);
  if (args.tiles) s.tiles = parseTiles(args.tiles);
  if (args.adapterConstraint) s.head.adapterConstraint = oneOf(args.adapterConstraint, ['none', 'fixed-norm', 'frozen', 'unit-variance'] as const, 'adapter-constraint');
  if (args.positionChannels !== undefined) s.head.flow.conditionChannels = args.positionChannels;
  if (args.gaussians) {
    s.head.gaussians = parseGaussians(args.gaussians);
    if (!s.head.gaussians.length) s.scoring = { combine: 'flow', mapSmoothingSigma: s.scoring.mapSmoothingSigma }; // nothing left to combine
  }
  if (args.positionBlind !== undefined) {
    const share = parsePositionBlind(args.positionBlind);
    s.head.gaussians = s.head.gaussians.map((g) => (g.model === 'nearest-neighbour' ? g : { ...g, positionBlind: share }));
  }
  if (args.covarianceBlock !== undefined) {
    const k = args.covarianceBlock;
    if (!isCovarianceBlock(k)) throw new Error(`--covariance-block ${k}: give the side of the square of grid cells that share one covariance, 1 (each cell its own) to ${MAX_COVARIANCE_BLOCK}`);
    s.head.gaussians = s.head.gaussians.map((g) => {
      if (g.model === 'nearest-neighbour') return g;
      const { covarianceBlock: _, ...rest } = g;
      return k === 1 ? rest : { ...rest, covarianceBlock: k };
    });
  }
  if (args.combine) s.scoring.combine = ruleOf(args.combine, SCORE_RULES, 'combine');
  if (args.heatMap) s.scoring.heatMap = ruleOf(args.heatMap, MAP_COMBINATIONS, 'heat-map');
  if (args.smoothing !== undefined) s.scoring.mapSmoothingSigma = smoothingOf(args.smoothing);
  if (!s.head.gaussians.length) {
    for (const [flag, rule] of [['combine', s.scoring.combine], ['heat-map', heatMapRule(s.scoring)]]) {
      if (rule !== 'flow') throw new Error(`--${flag} ${rule} needs a Gaussian companion (--gaussians)`);
    }
  }
  return s;
}

/** `--smoothing σ`: the anomaly map's blur in input pixels, 0 (none) to 16. */
export function smoothingOf(sigma: number): number {
  if (!(sigma >= 0 && sigma <= 16)) throw new Error(`--smoothing ${sigma}: give σ in input pixels, from 0 (no blur) to 16`);
  return sigma;
}

/** `--position-blind auto|SHARE`: how little position counts in the Gaussian companions. */
export function parsePositionBlind(text: string): number | 'auto' {
  if (text === 'auto') return text;
  const share = Number(text);
  if (text === '' || !(share >= 0 && share <= 1)) throw new Error(`--position-blind ${text}: give auto, or a share from 0 (per position) to 1 (position ignored)`);
  return share;
}

/**
 * `--gaussians` → companion settings: TAPS[@SCALES]:DIMS[:REDUCTION[:nn=SHARE]] joined by ';', e.g.
 * 's8_block+s8_expand@1:64:random-channels;flow:64:random-projection' (TAPS 'flow' = the flow's taps,
 * no @SCALES = the flow's scales). `nn=0.01` makes it a nearest-neighbour bank of 1 % of the training patches.
 */
export function parseGaussians(spec: string): GaussianSettings[] {
  if (spec === 'none') return [];
  return spec.split(';').map((one) => {
    const [where, dims, reduction, model, ...rest] = one.split(':');
    const [taps, scales, ...more] = where.split('@');
    const coreset = model === undefined ? undefined : /^nn=([\d.]+)$/.exec(model)?.[1];
    if (!taps || !dims || rest.length || more.length || scales === '' || (model !== undefined && !(Number(coreset) > 0 && Number(coreset) <= 1))) {
      throw new Error(`--gaussians: '${one}' should be TAPS[@SCALES]:DIMS[:REDUCTION[:nn=SHARE]], e.g. s8_block+s8_expand@1:64:random-channels`);
    }
    return {
      ...GAUSSIAN_DEFAULTS,
      dims: Number(dims),
      reduction: oneOf(reduction ?? 'random-projection', ['random-channels', 'random-projection'] as const, 'gaussians reduction'),
      ...(taps === 'flow' ? {} : { taps: taps.split('+') }),
      ...(scales === undefined ? {} : { scales: scales.split('+').map(Number) }),
      ...(coreset === undefined ? {} : { model: 'nearest-neighbour' as const, coreset: Number(coreset) }),
    };
  });
}

export async function trainCommand(runtime: Runtime, backbone: LoadedBackbone, args: TrainArgs): Promise<TrainedModel> {
  const files = trainImages(args.data);
  const images = files.map((f) => ({ name: f.path, bytes: readBytes(f.path) }));
  const defaults = trainDefaults();
  const options: TrainOptions = {
    ...defaults,
    part: args.part ?? path.basename(path.resolve(args.data)),
    dataLabel: `${path.basename(path.resolve(args.data))}/train/good (${files.length} images)`,
    settings: settingsFrom(args),
    epochs: args.epochs ?? defaults.epochs,
    batchSize: args.batch ?? defaults.batchSize,
    learningRate: args.lr ?? defaults.learningRate,
    seed: args.seed ?? defaults.seed,
    falseRejectRate: args.falseRejectRate,
    decode: decodeImage,
  };
  let cacheBar: ProgressBar | undefined;
  let trainBar: ProgressBar | undefined;
  const log = (line: string) => args.quiet || process.stderr.write(`${line}\n`);
  const tiles = options.settings.tiles;
  const tiling = tiles ? `, ${tiles.columns} × ${tiles.rows} tiles of each (overlap ${tiles.overlap})` : '';
  log(`training '${options.part}' on ${files.length} good images${tiling}: ${JSON.stringify(options.settings.features)}, ${options.epochs} epochs, batch ${options.batchSize}`);
  options.onProgress = (p) => {
    if (args.quiet) return;
    if (p.phase === 'cache') (cacheBar ??= new ProgressBar('caching taps', p.total)).update(p.done);
    if (p.phase === 'train') (trainBar ??= new ProgressBar('training   ', p.epochs * p.steps)).update((p.epoch - 1) * p.steps + p.step, `epoch ${p.epoch} loss ${p.loss.toFixed(4)}`);
    if (p.phase === 'validate') log(`  epoch ${p.epoch}: loss ${p.loss.toFixed(4)}, validation image AUROC ${p.imageAuroc.toFixed(4)}, pixel AUROC ${p.pixelAuroc.toFixed(4)}, good score ${p.goodScoreMean.toFixed(4)}${p.best ? '  ← best' : ''}`);
  };
  const trained = await trainPartModel(runtime, backbone, images, options);
  for (const r of trained.manifest.training.positionBlind ?? []) {
    const nll = r.candidates.map((c) => `${c.share}: ${c.nll.toFixed(4)}`).join(', ');
    log(`Gaussian ${r.companion}: position-blind share ${r.chosen}, under which the held-out good photos are most likely (negative log-likelihood per dimension by share: ${nll})`);
  }
  return trained;
}

/** A scoring-rule flag: one of `named`, or 'gaussian.<i>' for companion i's map alone. */
export function ruleOf<T extends string>(value: string, named: readonly T[], flag: string): T | CompanionMap {
  if (companionIndex(value) === undefined && !(named as readonly string[]).includes(value)) {
    throw new Error(`--${flag} must be one of ${named.join(', ')}, or gaussian.<i> for one companion; got '${value}'`);
  }
  return value as T | CompanionMap;
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`--${flag} must be one of ${allowed.join(', ')}; got '${value}'`);
  return value as T;
}
