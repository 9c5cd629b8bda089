/** False-reject rates, hindsight recall and the upper bound a count allows. */
import { describe, expect, it } from 'vitest';
import { hindsightRecall, rateUpperBound, rejectedShare, thresholdForFalseRejects } from '../../src/engine/metrics/false-rejects';

describe('false rejects', () => {
  const good = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('finds the lowest threshold that rejects at most the stated share of good parts', () => {
    expect(rejectedShare(good, thresholdForFalseRejects(good, 0))).toBe(0);
    expect(thresholdForFalseRejects(good, 0)).toBeGreaterThan(10);
    expect(rejectedShare(good, thresholdForFalseRejects(good, 0.1))).toBe(0.1);
    expect(thresholdForFalseRejects(good, 0.1)).toBeGreaterThan(9);
    expect(thresholdForFalseRejects(good, 0.1)).toBeLessThan(9.001);
    expect(rejectedShare(good, thresholdForFalseRejects(good, 0.15))).toBe(0.1); // 1.5 parts cannot be rejected
    expect(() => thresholdForFalseRejects([], 0.1)).toThrow(/good photos/);
  });

  it('measures recall at the best threshold with that false-reject rate', () => {
    const defects = [8.5, 9.5, 11, 20];
    expect(hindsightRecall(good, defects, 0).recall).toBe(0.5); // above 10
    expect(hindsightRecall(good, defects, 0.1).recall).toBe(0.75); // above 9
    expect(hindsightRecall(good, defects, 0.2).recall).toBe(1); // above 8
  });

  it('bounds a rate from its count as Clopper–Pearson does', () => {
    expect(rateUpperBound(0, 30)).toBeCloseTo(1 - 0.05 ** (1 / 30), 9); // 9.5 %
    // at the bound, seeing 1 or fewer of 20 has probability 5 %
    const p = rateUpperBound(1, 20);
    expect((1 - p) ** 20 + 20 * p * (1 - p) ** 19).toBeCloseTo(0.05, 9);
    expect(rateUpperBound(5, 5)).toBe(1);
    expect(rateUpperBound(2, 200, 0.99)).toBeGreaterThan(rateUpperBound(2, 200, 0.95));
  });
});
