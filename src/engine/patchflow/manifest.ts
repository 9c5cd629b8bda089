/**
 * A part model on disk: `manifest.json` (every number that defines the model) + `head.onnx`.
 * The manifest is the single home of input size, scales, taps, head settings and thresholds.
 */
import type { FeatureSettings } from './aggregation';
import { isRegion, type Region } from './preprocess';
import { DEFAULT_TILE_OVERLAP, MAX_TILES_PER_SIDE, isTiling, type Tiling } from './tiling';
import type { HeadSettings } from './head';
import { companionIndex, heatMapRule, type MapStatistics, type ScoringSettings } from './scores';
import { GAUSSIAN_DEFAULTS, MAX_COVARIANCE_BLOCK, isCovarianceBlock } from './gaussian';

/**
 * @2: Gaussian companions became a list, each on its own taps (weights `gaussian.<i>.*`).
 * @3: the input may be W × H (`settings.features.input`); an @2 model reads as before (square).
 * @4: tiled inspection (`settings.tiles`, the head's `tile` input).
 * @5: Gaussians whose covariance is shared by blocks of cells (`covarianceBlock`; whitening per block).
 * Each model is written in the oldest format that reads it, so an earlier version still reads every
 * model that needs nothing newer.
 */
export const PART_FORMAT = 'patchflow-inspect/part@5';
const TILED_FORMAT = 'patchflow-inspect/part@4';
const UNTILED_FORMAT = 'patchflow-inspect/part@3';
/** Formats this version reads: the newest and those it reads the same way. */
const READABLE_FORMATS: readonly string[] = [PART_FORMAT, TILED_FORMAT, UNTILED_FORMAT, 'patchflow-inspect/part@2'];

/** The format a model is written in: the oldest that reads it. */
export const formatFor = (settings: Pick<ModelSettings, 'tiles' | 'head'>): string =>
  settings.head.gaussians.some((g) => (g.covarianceBlock ?? 1) > 1) ? PART_FORMAT : settings.tiles ? TILED_FORMAT : UNTILED_FORMAT;

const formatVersion = (format: string) => Number(format.split('@')[1]);

export interface ModelSettings {
  features: FeatureSettings;
  /** Centre-crop fraction before resizing (null = whole image). */
  centerCrop: number | null;
  /** Region of interest, cut from every photo before all else: fractions of its width and height. */
  region?: Region;
  /** Tiled inspection: the photo (after the region and the crop) read as this grid of input-sized tiles. */
  tiles?: Tiling;
  head: HeadSettings;
  scoring: ScoringSettings;
}

export interface ScoreStatistics {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Quantiles of good validation scores, keyed "0.5", "0.9", "0.95", "0.99". */
  quantiles: Record<string, number>;
  /** The scores themselves (absent in models trained before they were kept): a new false-reject rate needs them. */
  values?: number[];
}

/** How a threshold set by a false-reject rate was estimated, and how far the estimate can be trusted. */
export interface FalseRejectEstimate {
  /** The share of good parts the user accepts to reject. */
  target: number;
  /** The share the threshold rejects under the fitted tail, and its 90 % bootstrap interval. */
  estimated: number;
  interval: [number, number];
  /** Held-out good images the estimate rests on, and how many of them the threshold rejects. */
  heldOutGood: number;
  heldOutRejected: number;
  /** The 95 % upper bound on the rate that the count alone allows (Clopper–Pearson). */
  countUpperBound: number;
  /** Synthetic anomalies caught at the threshold (at training): a check, not a measure of real recall. */
  syntheticRecall?: number;
  method: string;
}

export interface TrainingRecord {
  date: string;
  /** Where the training images came from (a folder name, not the images). */
  data: string;
  trainImages: number;
  validationImages: number;
  epochs: number;
  bestEpoch: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  seed: number;
  /** Mean training loss per epoch. */
  lossCurve: number[];
  /** Validation metrics per epoch on held-out good images + synthetic anomalies. */
  validation: { epoch: number; imageAuroc: number; pixelAuroc: number; goodScoreMean: number }[];
  /** Why each Gaussian companion set to 'auto' got its position-blind share. */
  positionBlind?: PositionBlindRecord[];
  seconds: number;
}

/**
 * Companion `companion`'s position-blind share: each candidate's negative log-likelihood of the held-out
 * good images' patches (per dimension), and the share chosen, the most likely.
 */
export interface PositionBlindRecord {
  companion: number;
  chosen: number;
  candidates: { share: number; nll: number }[];
}

export interface PartManifest {
  format: string;
  part: string;
  backbone: { id: string; sha256: string };
  settings: ModelSettings;
  /** Image verdict: score ≥ image → reject. Pixel threshold colours the heat map. */
  thresholds: { image: number; pixel: number; rule: string; falseRejects?: FalseRejectEstimate };
  /** Pixel statistics of each grid map on held-out good images (the scoring's standardisation). */
  mapStatistics: MapStatistics;
  /** Scores of held-out good images: the scale against which a new score is judged. */
  goodScores: ScoreStatistics;
  training: TrainingRecord;
  /** File of the head, relative to the manifest. */
  head: string;
  /** sha256 of the head file (hex); a package whose head does not match is refused. */
  headSha256?: string;
  /** Edits after training (a threshold saved from the app) count up from 1. */
  revision?: number;
}

/** The flow's feature taps: block outputs at stride 8, 16 and 32 (32, 96 and 320 channels). */
const BLOCK_TAPS = ['s8_block', 's16_block', 's32_block'];
/** Expansion outputs at stride 8 and 16 and the 1280-channel head: finer surface texture. */
const EXPANSION_TAPS = ['s8_expand', 's16_expand', 's32_head'];
/** The stride-8 taps (block output and expansion) at scale 1: the most local features, for heat maps. */
const FINE_TAPS = ['s8_block', 's8_expand'];

/** The paper's model on our backbone: one AllInOneBlock, plain adapter, flow score only. */
export function paperSettings(): ModelSettings {
  return {
    features: { inputSize: 256, scales: [1, 0.5, 0.25], taps: BLOCK_TAPS },
    centerCrop: null,
    head: {
      adapterChannels: 128,
      adapterConstraint: 'none',
      flow: { steps: 1, hidden: 128, clamp: 2, conditionChannels: 0, permutationSeed: 0 },
      gaussians: [],
    },
    scoring: { combine: 'flow', mapSmoothingSigma: 4 },
  };
}

/**
 * Named presets, each chosen by measurement (README.md and docs/accuracy.md give the figures):
 * - balanced: the default. The position-aware flow on block outputs and two per-position Gaussians
 *   (stride-8 taps at scale 1; expansion outputs at every scale, random channels) vote on the verdict,
 *   which needs the three maps to agree on a peak; the scale-1 Gaussian, the most local, draws the heat map.
 *   Training chooses how much position counts in the Gaussians, by the held-out good photos' likelihood.
 *   Each 2 × 2 block of cells shares one covariance (each cell keeps its mean): a head under half the size
 *   for ≤ 0.001 pixel AUROC.
 * - fast: the position-aware flow alone: the smallest head and the fastest inference.
 * - fine-detail: balanced at 384 px: the finest heat maps, ~2× slower.
 * - tiled: balanced on 2 × 2 overlapping tiles of every photo, each tile with its own per-position
 *   Gaussians: for photos larger than the input and small defects, ~4× the time.
 * - live: balanced at 192 px, for camera streams: ~0.56× the backbone's work per frame. Fewer scales
 *   would save little more (the ¼ scale is 1/16 of the work) and cost the impellers most of their accuracy;
 *   128 px gives 1.5× the frames but misses more defects (docs/live-speed.md).
 * - paper: PatchFlow as published (plain flow, flow score), for reference.
 */
export const PRESETS = {
  paper: paperSettings,
  fast: (): ModelSettings => {
    const s = paperSettings();
    s.head.flow.conditionChannels = 32;
    return s;
  },
  balanced: (): ModelSettings => {
    const s = PRESETS.fast();
    s.head.gaussians = [
      { ...GAUSSIAN_DEFAULTS, dims: 64, reduction: 'random-channels', taps: FINE_TAPS, scales: [1], positionBlind: 'auto', covarianceBlock: 2 },
      { ...GAUSSIAN_DEFAULTS, dims: 32, reduction: 'random-channels', taps: EXPANSION_TAPS, positionBlind: 'auto', covarianceBlock: 2 },
    ];
    s.scoring = { ...s.scoring, combine: 'agreement', heatMap: 'gaussian.0' };
    return s;
  },
  'fine-detail': (): ModelSettings => {
    const s = PRESETS.balanced();
    s.features.inputSize = 384;
    return s;
  },
  tiled: (): ModelSettings => ({ ...PRESETS.balanced(), tiles: { columns: 2, rows: 2, overlap: DEFAULT_TILE_OVERLAP } }),
  live: (): ModelSettings => {
    const s = PRESETS.balanced();
    s.features.inputSize = 192;
    return s;
  },
} satisfies Record<string, () => ModelSettings>;

export type PresetName = keyof typeof PRESETS;
export const DEFAULT_PRESET: PresetName = 'balanced';

/** Preset `name`'s settings, for a part whose defects are thin when `thinDefects` (see forThinDefects). */
export function presetSettings(name: string, thinDefects = false): ModelSettings {
  const make = PRESETS[name as PresetName];
  if (!make) throw new Error(`unknown preset '${name}' (presets: ${Object.keys(PRESETS).join(', ')})`);
  return thinDefects ? forThinDefects(make()) : make();
}

/**
 * The settings for a part whose defects are thin (cracks, scratches): the heat map from every map's mean,
 * which covers a thin crack best (KolektorSDD AUPRO 0.689 → 0.766, pixel AUROC 0.935 → 0.957; on blob-like
 * defects it is worse, bottle AUPRO 0.948 → 0.681), and the Gaussian that drew the heat map reads twice
 * the channels, which tells a faint crack from fine texture (KolektorSDD image AUROC +0.009 to +0.012 over
 * three seeds, for about twice the head). A model without companions keeps its flow's map.
 */
export function forThinDefects(s: ModelSettings): ModelSettings {
  if (!s.head.gaussians.length) return s;
  const local = companionIndex(heatMapRule(s.scoring));
  const gaussians = s.head.gaussians.map((g, i) => (i === local && g.model !== 'nearest-neighbour' ? { ...g, dims: 2 * g.dims } : g));
  return { ...s, head: { ...s.head, gaussians }, scoring: { ...s.scoring, heatMap: 'mean' } };
}

/**
 * True when trained `settings` are what `requested` asked for, each 'auto' in the request standing for
 * whatever training chose there (a demo model is current when it was trained from today's preset).
 */
export function trainedAsRequested(settings: unknown, requested: unknown): boolean {
  if (requested === 'auto') return true;
  if (typeof requested !== 'object' || requested === null || typeof settings !== 'object' || settings === null) return settings === requested;
  if (Array.isArray(requested) !== Array.isArray(settings)) return false;
  const [a, b] = [settings as Record<string, unknown>, requested as Record<string, unknown>];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => trainedAsRequested(a[k], b[k]));
}

export class ManifestError extends Error {}

/** Checks a parsed manifest enough to fail early with a message a line engineer can act on. */
export function validateManifest(m: unknown, where: string): PartManifest {
  const pm = m as Partial<PartManifest>;
  if (pm && typeof pm === 'object' && typeof pm.format === 'string' && pm.format.startsWith('patchflow-inspect/part@') && !READABLE_FORMATS.includes(pm.format)) {
    if (formatVersion(pm.format) > formatVersion(PART_FORMAT)) {
      throw new ManifestError(`${where}: part model format '${pm.format}' was written by a newer version of PatchFlow Inspect; update this one (it reads up to '${PART_FORMAT}')`);
    }
    throw new ManifestError(`${where}: part model format '${pm.format}' was written by an earlier version; retrain the part with npm run train (this version reads '${PART_FORMAT}')`);
  }
  if (!pm || typeof pm !== 'object' || !READABLE_FORMATS.includes(pm.format ?? '')) {
    throw new ManifestError(`${where}: not a PatchFlow Inspect part model (format should be '${PART_FORMAT}')`);
  }
  for (const key of ['part', 'backbone', 'settings', 'thresholds', 'mapStatistics', 'goodScores', 'head'] as const) {
    if (pm[key] === undefined) throw new ManifestError(`${where}: manifest lacks '${key}'`);
  }
  const region = pm.settings?.region;
  if (region !== undefined && !isRegion(region)) throw new ManifestError(`${where}: settings.region must be a rectangle inside the photo, in fractions of its width and height`);
  const tiles = pm.settings?.tiles;
  if (tiles !== undefined && !isTiling(tiles)) throw new ManifestError(`${where}: settings.tiles must give 1 to ${MAX_TILES_PER_SIDE} columns and rows and an overlap from 0 to under 0.5`);
  for (const [i, g] of (pm.settings?.head?.gaussians ?? []).entries()) {
    if (g.covarianceBlock !== undefined && !isCovarianceBlock(g.covarianceBlock)) throw new ManifestError(`${where}: settings.head.gaussians[${i}].covarianceBlock must be a whole number of cells from 1 to ${MAX_COVARIANCE_BLOCK}`);
  }
  return pm as PartManifest;
}
