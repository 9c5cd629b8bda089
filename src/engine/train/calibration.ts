/**
 * Threshold calibration without real defects. The image threshold is set by the share of good parts the
 * user accepts to reject (default 1 %), from the held-out good images' scores. A few dozen of them cannot
 * show a 1 % tail, so the tail is estimated: an image score is the extreme of a map, and extremes follow
 * a Gumbel distribution, fitted by its moments; a bootstrap over the held-out scores says how far the
 * estimate can be trusted. Synthetic anomalies made from the held-out images pick the epoch and check
 * the threshold (their recall is reported), but no longer place it: pasted textures are far louder than
 * real defects, and thresholds placed by them sat far above what the good parts needed.
 * The pixel threshold (where the heat map starts to colour) is what good pixels almost never reach.
 */
import { concatPixels } from '../metrics/auroc';
import { formatShare, rateUpperBound, rejectedShare, thresholdForFalseRejects } from '../metrics/false-rejects';
import type { FalseRejectEstimate, PartManifest, ScoreStatistics } from '../patchflow/manifest';
import { createRng } from '../random';

/** The share of good parts a part model rejects unless the user states another. */
export const DEFAULT_FALSE_REJECT_RATE = 0.01;
/** Pixels of held-out good images coloured at most this often (about 7 of a 256² map). */
export const GOOD_PIXEL_QUANTILE = 0.9999;
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

/** A Gumbel distribution (the law of maxima): P(X ≤ x) = exp(−exp(−(x − location) / scale)). */
export interface Gumbel {
  location: number;
  scale: number;
}

const EULER_GAMMA = 0.5772156649015329;

/** The Gumbel with the scores' mean and standard deviation. */
export function fitGumbel(scores: ArrayLike<number>): Gumbel {
  const { mean, std } = scoreStatistics(scores);
  const scale = Math.max((std * Math.sqrt(6)) / Math.PI, 1e-9 * Math.max(1, Math.abs(mean)));
  return { location: mean - EULER_GAMMA * scale, scale };
}

/** The score below which a share `p` of the distribution lies. */
export const gumbelQuantile = (g: Gumbel, p: number) => g.location - g.scale * Math.log(-Math.log(p));

/** The share of the distribution at or above `x`. */
export const gumbelExceedance = (g: Gumbel, x: number) => -Math.expm1(-Math.exp(-(x - g.location) / g.scale));

const BOOTSTRAP_DRAWS = 1000;

/**
 * The threshold that rejects `rate` of good parts by the Gumbel tail fitted to `goodScores`, with the
 * 90 % bootstrap interval of the share it would really reject, and what the held-out scores themselves
 * say (how many it rejects, and the 95 % upper bound that count allows).
 */
export function thresholdByFalseRejectRate(goodScores: ArrayLike<number>, rate: number, seed = 0): { threshold: number; estimate: FalseRejectEstimate } {
  if (!(rate > 0 && rate < 1)) throw new Error(`a false-reject rate must lie between 0 and 1 (got ${rate})`);
  const n = goodScores.length;
  if (n < 4) throw new Error(`a false-reject rate needs at least 4 held-out good scores (got ${n})`);
  const threshold = gumbelQuantile(fitGumbel(goodScores), 1 - rate);
  const rng = createRng(seed);
  const draws = new Float64Array(BOOTSTRAP_DRAWS);
  const sample = new Float64Array(n);
  for (let b = 0; b < BOOTSTRAP_DRAWS; b++) {
    for (let i = 0; i < n; i++) sample[i] = goodScores[Math.floor(rng() * n)];
    draws[b] = gumbelExceedance(fitGumbel(sample), threshold);
  }
  draws.sort();
  const heldOutRejected = Math.round(rejectedShare(goodScores, threshold) * n);
  return {
    threshold,
    estimate: {
      target: rate,
      estimated: rate,
      interval: [quantile(draws, 0.05), quantile(draws, 0.95)],
      heldOutGood: n,
      heldOutRejected,
      countUpperBound: rateUpperBound(heldOutRejected, n),
      method: `Gumbel tail fitted by moments to ${n} held-out good scores; 90 % interval from ${BOOTSTRAP_DRAWS} bootstrap refits`,
    },
  };
}

export function calibrate(scores: Float32Array, labels: Uint8Array, maps: Float32Array[], falseRejectRate = DEFAULT_FALSE_REJECT_RATE): Pick<PartManifest, 'thresholds' | 'goodScores'> {
  const good = scores.filter((_, i) => labels[i] === 0);
  const synthetic = scores.filter((_, i) => labels[i] !== 0);
  const { threshold: image, estimate } = thresholdByFalseRejectRate(good, falseRejectRate);
  const syntheticRecall = rejectedShare(synthetic, image);

  // Not F1-optimal on the synthetic defects' pixels: pasted textures are far louder than real defects,
  // and that threshold left real ones uncoloured (bottle, default preset: pixel recall 0.07).
  const goodPixels = concatPixels(maps.filter((_, i) => labels[i] === 0), (n) => new Float32Array(n));
  const pixel = quantile(goodPixels.sort(), GOOD_PIXEL_QUANTILE);
  const falseRejects = { ...estimate, syntheticRecall };
  return {
    thresholds: { image, pixel, rule: `${imageRule(falseRejects)}; ${PIXEL_RULE}`, falseRejects },
    goodScores: { ...scoreStatistics(good), values: Array.from(good) },
  };
}

const PIXEL_RULE = `pixel: the ${GOOD_PIXEL_QUANTILE} quantile of held-out good pixels`;

function imageRule(e: FalseRejectEstimate): string {
  const synthetic = e.syntheticRecall === undefined ? '' : `, catches ${formatShare(e.syntheticRecall)} of synthetic anomalies`;
  return `image: rejects an estimated ${formatShare(e.estimated)} of good parts (90 % interval ${formatShare(e.interval[0])}–${formatShare(e.interval[1])}; ${e.heldOutRejected} of ${e.heldOutGood} held-out good rejected)${synthetic}`;
}

/** The manifest with its image threshold set anew for another false-reject rate, from the held-out scores it keeps. */
export function withFalseRejectRate(manifest: PartManifest, rate: number): PartManifest {
  const good = manifest.goodScores.values;
  if (!good) throw new Error(`the part model '${manifest.part}' keeps no held-out good scores (trained before they were kept): train it again to set a false-reject rate`);
  const { threshold, estimate } = thresholdByFalseRejectRate(good, rate);
  return { ...manifest, thresholds: { ...manifest.thresholds, image: threshold, rule: `${imageRule(estimate)}; ${PIXEL_RULE}`, falseRejects: estimate } };
}

/**
 * The manifest with its image threshold set on real photos set aside (never trained on): the lowest one
 * that rejects at most `rate` of the good ones, with the defects it catches. The interval is the exact
 * 90 % (Clopper–Pearson) one for a count.
 */
export function withValidatedThreshold(manifest: PartManifest, good: readonly number[], defects: readonly number[], rate: number, source: string): PartManifest {
  const threshold = thresholdForFalseRejects(good, rate);
  const n = good.length;
  const rejected = Math.round(rejectedShare(good, threshold) * n);
  const recall = rejectedShare(defects, threshold);
  const caught = defects.length ? `, catches ${Math.round(recall * defects.length)} of ${defects.length} defect photos (${formatShare(recall)})` : '';
  const falseRejects: FalseRejectEstimate = {
    target: rate,
    estimated: rejected / n,
    interval: [rejected ? 1 - rateUpperBound(n - rejected, n) : 0, rateUpperBound(rejected, n)],
    heldOutGood: n,
    heldOutRejected: rejected,
    countUpperBound: rateUpperBound(rejected, n),
    method: `counted on ${n} good photos set aside in ${source}`,
  };
  const rule = `image: set on photos set aside in ${source} for at most ${formatShare(rate)} false rejects: rejects ${rejected} of ${n} good${caught}; ${PIXEL_RULE}`;
  return { ...manifest, thresholds: { ...manifest.thresholds, image: threshold, rule, falseRejects } };
}
