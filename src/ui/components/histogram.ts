/** Binning for the score histogram. Pure. */

export interface Domain {
  min: number;
  max: number;
}

/**
 * The range a histogram shows: every value and every anchor (e.g. the model's threshold), padded by 5 %
 * so the extremes do not sit on the frame; never empty.
 */
export function histogramDomain(values: readonly number[], anchors: readonly number[] = []): Domain {
  const all = [...values, ...anchors].filter(Number.isFinite);
  if (all.length === 0) return { min: 0, max: 1 };
  const min = Math.min(...all);
  const max = Math.max(...all);
  const pad = max > min ? (max - min) * 0.05 : Math.max(Math.abs(min) * 0.1, 1);
  return { min: min - pad, max: max + pad };
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
