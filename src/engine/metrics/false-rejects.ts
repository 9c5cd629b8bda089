/**
 * Verdicts judged as an inspector judges them: the share of good parts rejected (false-reject rate) and
 * the share of defective parts caught (recall). Convention throughout: score >= threshold is rejected.
 */

/** A share as people read it: "1.0 %", "0.3 %", "12 %". */
export const formatShare = (share: number) => `${(100 * share).toFixed(share < 0.1 ? 1 : 0)} %`;

/** The share of `scores` at or above `threshold`. */
export function rejectedShare(scores: ArrayLike<number>, threshold: number): number {
  let rejected = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] >= threshold) rejected++;
  return scores.length ? rejected / scores.length : 0;
}

/**
 * The lowest threshold that rejects at most `rate` of `goodScores`: just above the good score that must
 * still pass.
 */
export function thresholdForFalseRejects(goodScores: ArrayLike<number>, rate: number): number {
  if (goodScores.length === 0) throw new Error('a false-reject rate needs good photos to count on');
  const descending = Array.from(goodScores).sort((a, b) => b - a);
  const allowed = Math.min(descending.length - 1, Math.floor(rate * descending.length + 1e-9));
  const kept = descending[allowed];
  return kept + Math.max(Math.abs(kept), 1) * 1e-6;
}

/**
 * What the best threshold, chosen with hindsight, catches while rejecting at most `rate` of these good
 * parts: the yardstick a shipped threshold's recall is measured against.
 */
export function hindsightRecall(goodScores: ArrayLike<number>, defectScores: ArrayLike<number>, rate: number): { threshold: number; recall: number } {
  const threshold = thresholdForFalseRejects(goodScores, rate);
  return { threshold, recall: rejectedShare(defectScores, threshold) };
}

/** log of the binomial probability P(X = k) for X ~ Binomial(n, p). */
function logBinomial(k: number, n: number, p: number): number {
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log((n - k + i) / i);
  return logChoose + (k ? k * Math.log(p) : 0) + (n - k ? (n - k) * Math.log(1 - p) : 0);
}

/**
 * The one-sided Clopper–Pearson upper bound on a rate seen `k` times in `n` trials: the highest true
 * rate under which seeing `k` or fewer still had probability 1 − `confidence`. With 30 good photos and
 * none rejected it is 9.5 % at 95 %: what a few dozen photos can and cannot promise.
 */
export function rateUpperBound(k: number, n: number, confidence = 0.95): number {
  if (n <= 0) return 1;
  if (k >= n) return 1;
  const atMostK = (p: number) => {
    let sum = 0;
    for (let i = 0; i <= k; i++) sum += Math.exp(logBinomial(i, n, p));
    return sum;
  };
  let [lo, hi] = [k / n, 1];
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (atMostK(mid) > 1 - confidence) lo = mid;
    else hi = mid;
  }
  return hi;
}
