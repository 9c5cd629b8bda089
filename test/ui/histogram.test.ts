import { describe, expect, it } from 'vitest';
import { binCountFor, binCounts, histogramDomain } from '../../src/ui/components/histogram';

describe('histogram', () => {
  it('covers values and anchors with 5 % padding', () => {
    expect(histogramDomain([1, 3], [5])).toEqual({ min: 0.8, max: 5.2 });
  });

  it('is never empty', () => {
    expect(histogramDomain([])).toEqual({ min: 0, max: 1 });
    expect(histogramDomain([2, 2])).toEqual({ min: 1, max: 3 });
    expect(histogramDomain([50])).toEqual({ min: 45, max: 55 });
  });

  it('counts values into equal bins, the top edge in the last bin', () => {
    expect(binCounts([0, 0.1, 0.5, 0.99, 1, 2, -1], { min: 0, max: 1 }, 4)).toEqual([2, 0, 1, 2]);
  });

  it('uses about √n bins between 10 and 40', () => {
    expect(binCountFor(3)).toBe(10);
    expect(binCountFor(500)).toBe(23);
    expect(binCountFor(10_000)).toBe(40);
  });
});
