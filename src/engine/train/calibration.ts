/**
 * Threshold calibration without real defects: held-out good images and synthetic anomalies made from
 * them. The image threshold is the F1-optimal one on that set, kept above a high quantile of good
 * scores so a good part is rarely rejected; where the two classes separate perfectly it sits halfway
 * across the gap rather than on its upper edge.
 */
import { poolPixels } from '../metrics/auroc';
import { f1Max } from '../metrics/f1';
import type { PartManifest, ScoreStatistics } from '../patchflow/manifest';

/** Good parts rejected at most this often on the held-out set. */
export const GOOD_QUANTILE = 0.99;
const QUANTILES = [0.5, 0.9, 0.95, 0.99];

export function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function scoreStatistics(scores: ArrayLike<number>): ScoreStatistics {
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  return {
    count: n,
    mean,
    std,
    min: sorted[0],
    max: sorted[n - 1],
    quantiles: Object.fromEntries(QUANTILES.map((q) => [String(q), quantile(sorted, q)])),
  };
}

export function calibrate(
  scores: Float32Array,
  labels: Uint8Array,
  maps: Float32Array[],
  masks: Uint8Array[],
): Pick<PartManifest, 'thresholds' | 'goodScores'> {
  const good = scores.filter((_, i) => labels[i] === 0);
  const goodScores = scoreStatistics(good);
  const best = f1Max(scores, labels);
  let image = best.threshold;
  if (image > goodScores.max) image = (goodScores.max + image) / 2;
  image = Math.max(image, goodScores.quantiles[String(GOOD_QUANTILE)]);

  // Pixel threshold for colouring heat maps: F1-optimal over the synthetic defects' pixels.
  const anomalous = maps.map((_, i) => i).filter((i) => labels[i] === 1);
  const pixels = poolPixels(anomalous.map((i) => maps[i]), anomalous.map((i) => masks[i]));
  const pixel = f1Max(pixels.scores, pixels.labels).threshold;
  return {
    thresholds: { image, pixel, rule: `F1-optimal on held-out good + synthetic anomalies, at least the ${GOOD_QUANTILE} quantile of good scores` },
    goodScores,
  };
}
