/**
 * F1 at a threshold and the F1-optimal threshold. Convention throughout: score >= threshold is
 * predicted anomalous; labels truthy = anomalous.
 */
import { splitByClass, sweepThresholds } from './auroc';

export interface F1Max {
  f1: number;
  /** The score value at which F1 peaks; on equal F1 the highest such threshold (fewest false alarms). */
  threshold: number;
  precision: number;
  recall: number;
}

export interface PrecisionRecall {
  /** 0 when nothing is predicted anomalous (sklearn's zero_division=0). */
  precision: number;
  /** 0 when there are no anomalous samples. */
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Best F1 over every distinct score used as threshold (exact, O(n log n)). */
export function f1Max(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): F1Max {
  const split = splitByClass(scores, labels);
  const P = split.positive.length;
  if (P === 0) throw new Error('F1 needs at least one anomalous sample');
  let best: F1Max = { f1: -1, threshold: Infinity, precision: 0, recall: 0 };
  sweepThresholds(split, (threshold, tp, fp) => {
    // 2PR / (P + R) simplified: 2tp / (predicted + actual)
    const f1 = (2 * tp) / (tp + fp + P);
    if (f1 > best.f1) best = { f1, threshold, precision: tp / (tp + fp), recall: tp / P };
  });
  return best;
}

export function precisionRecallAt(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
  threshold: number,
): PrecisionRecall {
  const n = scores.length;
  if (labels.length !== n) throw new Error(`scores (${n}) and labels (${labels.length}) differ in length`);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < n; i++) {
    const predicted = scores[i] >= threshold;
    if (labels[i]) {
      if (predicted) tp++;
      else fn++;
    } else if (predicted) fp++;
    else tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = tp > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0;
  return { precision, recall, f1, tp, fp, fn, tn };
}
