import { describe, expect, it } from 'vitest';
import { f1Max, precisionRecallAt } from '../../src/engine/metrics/f1';

// Anomalous scores {0.35, 0.8, 0.4}, normal {0.1, 0.4, 0.7}; P = 3, F1 = 2tp / (tp + fp + P):
//   t=0.8: tp 1 fp 0 -> 2/4 = 0.5      t=0.7: tp 1 fp 1 -> 2/5 = 0.4
//   t=0.4: tp 2 fp 2 -> 4/7 = 0.571    t=0.35: tp 3 fp 2 -> 6/8 = 0.75   t=0.1: tp 3 fp 3 -> 6/9
const scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.7];
const labels = [0, 0, 1, 1, 1, 0];

describe('f1', () => {
  it('finds the F1-optimal threshold on a worked example', () => {
    expect(f1Max(scores, labels)).toEqual({ f1: 0.75, threshold: 0.35, precision: 3 / 5, recall: 1 });
    const f32 = f1Max(Float32Array.from(scores), Uint8Array.from(labels));
    expect(f32.f1).toBe(0.75);
    expect(f32.threshold).toBe(Math.fround(0.35));
  });

  it('counts score >= threshold as anomalous', () => {
    // >= 0.4: 0.4 (normal), 0.8, 0.4 (anomalous), 0.7 (normal)
    expect(precisionRecallAt(scores, labels, 0.4)).toEqual({
      precision: 0.5,
      recall: 2 / 3,
      f1: 4 / 7,
      tp: 2,
      fp: 2,
      fn: 1,
      tn: 1,
    });
    const atBest = precisionRecallAt(scores, labels, f1Max(scores, labels).threshold);
    expect(atBest.f1).toBe(0.75);
  });

  it('prefers the highest threshold among equal F1 and handles edge cases', () => {
    // t=0.9: tp 1 fp 0 -> 2/3; t=0.5: tp 2 fp 2 -> 4/6 = 2/3 as well
    expect(f1Max([0.9, 0.5, 0.5, 0.5], [1, 1, 0, 0]).threshold).toBe(0.9);
    expect(f1Max([0.2, 0.3], [1, 1])).toEqual({ f1: 1, threshold: 0.2, precision: 1, recall: 1 });
    expect(() => f1Max([0.2, 0.3], [0, 0])).toThrow(/anomalous/);
    expect(precisionRecallAt([0.1, 0.2], [1, 0], 1)).toEqual({ precision: 0, recall: 0, f1: 0, tp: 0, fp: 0, fn: 1, tn: 1 });
  });
});
