/** Threshold calibration on held-out good images and synthetic anomalies. */
import { describe, expect, it } from 'vitest';
import { rateUpperBound } from '../../src/engine/metrics/false-rejects';
import {
  DEFAULT_FALSE_REJECT_RATE,
  GOOD_PIXEL_QUANTILE,
  calibrate,
  fitGumbel,
  gumbelExceedance,
  gumbelQuantile,
  quantile,
  thresholdByFalseRejectRate,
  type Gumbel,
} from '../../src/engine/train/calibration';
import { createRng, gaussian } from '../../src/engine/random';

describe('calibration', () => {
  const rng = createRng(3);
  const map = (loc: number, n = 400) => Float32Array.from({ length: n }, () => loc + gaussian(rng));

  /** n draws from a Gumbel by its inverse distribution function. */
  const gumbelDraws = (n: number, g: Gumbel, r = rng) => Float32Array.from({ length: n }, () => g.location - g.scale * Math.log(-Math.log(r())));

  it('puts the image threshold where the fitted Gumbel tail rejects the stated share of good parts', () => {
    const truth = { location: 5, scale: 1 };
    const good = gumbelDraws(40, truth);
    const labels = Uint8Array.from({ length: 43 }, (_, i) => (i >= 40 ? 1 : 0));
    const scores = Float32Array.from([...good, 6, 30, 50]);
    const { thresholds, goodScores } = calibrate(scores, labels, Array.from(labels, () => map(0, 4)));
    const fit = fitGumbel(good);
    expect(thresholds.image).toBeCloseTo(gumbelQuantile(fit, 1 - DEFAULT_FALSE_REJECT_RATE), 6);
    expect(gumbelExceedance(fit, thresholds.image)).toBeCloseTo(0.01, 9);
    expect(Math.abs(thresholds.image - gumbelQuantile(truth, 0.99))).toBeLessThan(1.5); // 9.60 in truth
    const estimate = thresholds.falseRejects!;
    expect(estimate).toMatchObject({ target: 0.01, estimated: 0.01, heldOutGood: 40, syntheticRecall: 2 / 3 });
    expect(estimate.interval[0]).toBeLessThan(0.01);
    expect(estimate.interval[1]).toBeGreaterThan(0.01);
    expect(estimate.countUpperBound).toBeCloseTo(rateUpperBound(estimate.heldOutRejected, 40), 12);
    expect(thresholds.rule).toMatch(/rejects an estimated 1\.0 % of good parts/);
    expect(goodScores.values).toEqual(Array.from(good));
    // a stricter target moves the threshold up
    expect(calibrate(scores, labels, Array.from(labels, () => map(0, 4)), 0.001).thresholds.image).toBeGreaterThan(thresholds.image);
  });

  it('rejects about the stated share of good parts from 30 of them, and its interval is honest', () => {
    const truth = { location: 2, scale: 0.5 };
    const draws = createRng(11);
    let rejected = 0;
    let covered = 0;
    const runs = 300;
    for (let k = 0; k < runs; k++) {
      const { threshold, estimate } = thresholdByFalseRejectRate(gumbelDraws(30, truth, draws), 0.01, k);
      const real = gumbelExceedance(truth, threshold);
      rejected += real;
      if (real >= estimate.interval[0] && real <= estimate.interval[1]) covered++;
    }
    expect(rejected / runs).toBeGreaterThan(0.005);
    expect(rejected / runs).toBeLessThan(0.02);
    expect(covered / runs).toBeGreaterThan(0.75); // a 90 % interval from 30 scores: about 0.8–0.9 in practice
  });

  it('refuses a rate outside (0, 1) and too few good scores', () => {
    expect(() => thresholdByFalseRejectRate([1, 2, 3, 4], 0)).toThrow(/between 0 and 1/);
    expect(() => thresholdByFalseRejectRate([1, 2, 3], 0.01)).toThrow(/at least 4/);
  });

  it('sets the pixel threshold on good pixels only, however loud the synthetic defects are', () => {
    const labels = Uint8Array.of(0, 0, 0, 0, 1, 1);
    const good = [map(0), map(0), map(0), map(0)];
    const scores = Float32Array.of(0, 1, 0, 1, 5, 5);
    const quiet = calibrate(scores, labels, [...good, map(3), map(3)]);
    const loud = calibrate(scores, labels, [...good, map(300), map(300)]);
    const pooled = Float32Array.from(good.flatMap((m) => [...m])).sort();
    expect(quiet.thresholds.pixel).toBeCloseTo(quantile(pooled, GOOD_PIXEL_QUANTILE), 6);
    expect(loud.thresholds.pixel).toBe(quiet.thresholds.pixel);
    expect(quiet.thresholds.rule).toContain(`pixel: the ${GOOD_PIXEL_QUANTILE} quantile of held-out good pixels`);
  });
});
