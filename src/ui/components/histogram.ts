/** Binning for the score histogram. Pure. */
import { paddedDomain } from './chart-scale';

export interface Domain {
  min: number;
  max: number;
}

/**
 * The range a histogram shows: every value and every anchor (e.g. the model's threshold), padded by 5 %
 * so the extremes do not sit on the frame; never empty. A loop, not Math.min(...values): a history
 * holds more values than a call may take arguments.
 */
export function histogramDomain(values: readonly number[], anchors: readonly number[] = []): Domain {
  let min = Infinity;
  let max = -Infinity;
  for (const list of [values, anchors]) {
    for (const v of list) {
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const [lo, hi] = paddedDomain(min, max);
  return { min: lo, max: hi };
}

/** About √n bins, between 10 and 40: detail for large batches without empty combs for small ones. */
export function binCountFor(n: number): number {
  return Math.min(40, Math.max(10, Math.ceil(Math.sqrt(n))));
}

/** Counts of values in `bins` equal bins over the domain; values outside it are not counted. */
export function binCounts(values: readonly number[], domain: Domain, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (domain.max - domain.min) / bins;
  for (const v of values) {
    if (!(v >= domain.min && v <= domain.max)) continue;
    counts[Math.min(bins - 1, Math.floor((v - domain.min) / width))]++;
  }
  return counts;
}
