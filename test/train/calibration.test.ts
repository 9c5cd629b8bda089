/** Threshold calibration on held-out good images and synthetic anomalies. */
import { describe, expect, it } from 'vitest';
import { GOOD_PIXEL_QUANTILE, GOOD_QUANTILE, calibrate, quantile } from '../../src/engine/train/calibration';
import { createRng, gaussian } from '../../src/engine/random';

describe('calibration', () => {
  const rng = createRng(3);
  const map = (loc: number, n = 400) => Float32Array.from({ length: n }, () => loc + gaussian(rng));

  it('puts the image threshold in the gap between separated classes, near the good side, above the good quantile', () => {
    const labels = Uint8Array.of(0, 0, 0, 0, 1, 1, 1);
    const maps = Array.from(labels, () => map(0));
    const near = calibrate(Float32Array.of(1, 2, 3, 4, 5, 6, 7), labels, maps);
    expect(near.thresholds.image).toBe(4.5); // halfway between the best good (4) and F1's threshold (5)
    const far = calibrate(Float32Array.of(1, 2, 3, 4, 50, 60, 70), labels, maps);
    expect(far.goodScores).toMatchObject({ count: 4, min: 1, max: 4, mean: 2.5 });
    expect(far.thresholds.image).toBeCloseTo(4 + far.goodScores.std, 6); // not 27: loud synthetic defects say little
    expect(far.thresholds.image).toBeGreaterThanOrEqual(far.goodScores.quantiles[String(GOOD_QUANTILE)]);
  });

  it('where the classes overlap, keeps the F1-optimal image threshold, raised to the good quantile', () => {
    const labels = Uint8Array.of(0, 0, 0, 0, 0, 1, 1, 1);
    const maps = Array.from(labels, () => map(0));
    // F1 0.857 at 3 (one good above it) beats 0.8 at 8, but 3 would reject more than 1 % of good parts
    expect(calibrate(Float32Array.of(1, 1, 1, 1, 6, 3, 8, 9), labels, maps).thresholds.image).toBeCloseTo(5.8, 6);
    // 199 good at 1 and one at 10: the quantile (1) is below F1's 5, which stands
    const many = Uint8Array.from({ length: 203 }, (_, i) => (i >= 200 ? 1 : 0));
    const scores = Float32Array.from(many, (l, i) => (l ? [5, 11, 12][i - 200] : i === 0 ? 10 : 1));
    expect(calibrate(scores, many, Array.from(many, () => map(0, 4))).thresholds.image).toBe(5);
  });

  it('sets the pixel threshold on good pixels only, however loud the synthetic defects are', () => {
    const labels = Uint8Array.of(0, 0, 0, 1, 1);
    const good = [map(0), map(0), map(0)];
    const scores = Float32Array.of(0, 0, 0, 5, 5);
    const quiet = calibrate(scores, labels, [...good, map(3), map(3)]);
    const loud = calibrate(scores, labels, [...good, map(300), map(300)]);
    const pooled = Float32Array.from(good.flatMap((m) => [...m])).sort();
    expect(quiet.thresholds.pixel).toBeCloseTo(quantile(pooled, GOOD_PIXEL_QUANTILE), 6);
    expect(loud.thresholds.pixel).toBe(quiet.thresholds.pixel);
    expect(quiet.thresholds.rule).toContain(`pixel: the ${GOOD_PIXEL_QUANTILE} quantile of held-out good pixels`);
  });
});
