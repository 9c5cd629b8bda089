/**
 * Reading and editing a part model's manifest on the page: the summary the library shows, and the
 * threshold edit saved from the app. Pure, and it imports the engine's types only (its values would
 * pull the graph toolkit into the page's bundle).
 */
import type { PartManifest, PositionBlindRecord } from '../../engine/patchflow/manifest';
import { inputShape, type FeatureSettings } from '../../engine/patchflow/aggregation';
import type { Tiling } from '../../engine/patchflow/tiling';
import { mib } from '../../engine/units';

/** Scores and thresholds in good-σ units: four significant digits say all they can. */
export const formatScore = (n: number) => String(Number(n.toPrecision(4)));

/** "2025-03-01T09:12:44.123Z" → "2025-03-01 09:12" (UTC, as the training record writes it). */
export const formatDate = (iso: string) => iso.replace('T', ' ').slice(0, 16);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

type Companion = PartManifest['settings']['head']['gaussians'][number];
const isNeighbourBank = (g: Companion) => g.model === 'nearest-neighbour';

/** The head in a phrase: "position-aware flow (1 step, 128 channels) + 2 Gaussian companions + a nearest-neighbour bank". */
export function describeHead(head: PartManifest['settings']['head']): string {
  const flow = `${head.flow.conditionChannels > 0 ? 'position-aware ' : ''}flow (${plural(head.flow.steps, 'step')}, ${head.adapterChannels} channels)`;
  const gaussians = head.gaussians.filter((g) => !isNeighbourBank(g)).length;
  const banks = head.gaussians.length - gaussians;
  return [flow, gaussians ? plural(gaussians, 'Gaussian companion') : '', banks ? (banks === 1 ? 'a nearest-neighbour bank' : plural(banks, 'nearest-neighbour bank')) : ''].filter(Boolean).join(' + ');
}

/** Which map the heat map (and pixel threshold) comes from when the manifest does not say. */
const heatMapOf = (scoring: PartManifest['settings']['scoring']) => scoring.heatMap ?? (scoring.combine === 'agreement' ? 'flow' : scoring.combine);

export interface SummaryRow {
  label: string;
  value: string;
}

/**
 * A model's input as people read it: "256 px" (square) or "256 × 640 px" (width × height), and the
 * tiles a tiled model reads each photo as: "256 px, 2 × 2 tiles (25 % overlap)".
 */
export function describeInput(features: FeatureSettings, tiles?: Tiling): string {
  const { width, height } = inputShape(features);
  const size = width === height ? `${width} px` : `${width} × ${height} px`;
  return tiles ? `${size}, ${tiles.columns} × ${tiles.rows} tiles (${Math.round(100 * tiles.overlap)} % overlap)` : size;
}

/** The part of each photo a model reads, in words. */
function describeRegion({ region, centerCrop }: PartManifest['settings']): string {
  const percent = (v: number) => `${Math.round(v * 100)} %`;
  const box = region && `the box from ${percent(region.x)}, ${percent(region.y)} of the photo, ${percent(region.width)} wide, ${percent(region.height)} high`;
  const square = centerCrop && `the centred square, ${percent(centerCrop)} of the shorter side`;
  return [box, square].filter(Boolean).join(', then ') || 'the whole photo';
}

/** How much position counts in a Gaussian, and whether training chose it. */
function describePositionBlind(g: Companion, chosen: PositionBlindRecord | undefined): string {
  const share = g.positionBlind;
  if (typeof share !== 'number') return '';
  const how = chosen ? ', chosen by training' : '';
  return share === 0 ? `; per position${how}` : `; ${Math.round(100 * share)} % position-blind${how}`;
}

/** Cells that share one covariance, where more than one does. */
const describeCovarianceBlock = (g: Companion) => ((g.covarianceBlock ?? 1) > 1 ? `; one covariance per ${g.covarianceBlock} × ${g.covarianceBlock} cells` : '');

/** What the library shows of a model: how it was built, how it judges, how it was trained. */
export function summarizeManifest(manifest: PartManifest, headBytes: number): SummaryRow[] {
  const { features, head, scoring } = manifest.settings;
  const rows: SummaryRow[] = [
    { label: 'Part', value: manifest.part },
    { label: 'Model', value: describeHead(head) },
    { label: 'Input size', value: describeInput(features, manifest.settings.tiles) },
    { label: 'Region of interest', value: describeRegion(manifest.settings) },
    { label: 'Scales', value: features.scales.join(', ') },
    { label: 'Flow taps', value: features.taps.join(', ') },
    ...head.gaussians.map((g, i) => ({
      label: isNeighbourBank(g) ? `Nearest-neighbour bank ${i}` : `Gaussian ${i}`,
      value: `${g.dims} dims (${g.reduction ?? 'random-projection'}) on ${(g.taps ?? features.taps).join(', ')} at scales ${(g.scales ?? features.scales).join(', ')}${isNeighbourBank(g) ? `; ${100 * (g.coreset ?? 0.01)} % of the training patches` : ''}${describePositionBlind(g, manifest.training?.positionBlind?.find((r) => r.companion === i))}${describeCovarianceBlock(g)}`,
    })),
    { label: 'Scoring', value: `${scoring.combine}; heat map from ${heatMapOf(scoring)}; smoothing σ ${scoring.mapSmoothingSigma} px` },
    { label: 'Head size', value: mib(headBytes) },
    { label: 'Image threshold', value: formatScore(manifest.thresholds.image) },
    { label: 'Pixel threshold', value: formatScore(manifest.thresholds.pixel) },
    { label: 'Threshold rule', value: manifest.thresholds.rule },
    { label: 'Revision', value: manifest.revision ? String(manifest.revision) : '1 (as trained)' },
  ];
  // older or hand-written manifests may lack a training record
  const training = manifest.training as PartManifest['training'] | undefined;
  if (training) {
    rows.push(
      { label: 'Trained', value: formatDate(training.date) },
      { label: 'Data', value: training.data },
      { label: 'Images', value: `${training.trainImages} for training, ${training.validationImages} held out` },
      { label: 'Epochs', value: String(training.epochs) },
      { label: 'Best epoch', value: String(training.bestEpoch) },
      { label: 'Training time', value: `${Math.round(training.seconds)} s` },
    );
  }
  return rows;
}

/** The manifest with an image threshold set in the app: a new revision that says where it came from. */
export function withImageThreshold(manifest: PartManifest, threshold: number): PartManifest {
  if (!Number.isFinite(threshold)) throw new Error(`a threshold must be a number (got ${threshold})`);
  return {
    ...manifest,
    thresholds: { ...manifest.thresholds, image: threshold, rule: 'set in the app' },
    revision: (manifest.revision ?? 1) + 1,
  };
}
