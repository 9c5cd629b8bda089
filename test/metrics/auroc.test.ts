import { describe, expect, it } from 'vitest';
import { auroc, rocCurve, sortFloat32 } from '../../src/engine/metrics/auroc';
import { createRng } from '../../src/engine/random';

describe('auroc', () => {
  it('is 1 for perfect separation, 0 when inverted, 0.5 when all tied', () => {
    const labels = [0, 0, 1, 1];
    expect(auroc([0.1, 0.2, 0.8, 0.9], labels)).toBe(1);
    expect(auroc([0.9, 0.8, 0.2, 0.1], labels)).toBe(0);
    expect(auroc([0.5, 0.5, 0.5, 0.5], labels)).toBe(0.5);
    expect(auroc([0.1, 0.9], [false, true])).toBe(1);
  });

  it('matches sklearn on a worked example with a tie', () => {
    // Anomalous scores {0.35, 0.8, 0.4}, normal {0.1, 0.4, 0.7}. Over the 9 (anomalous, normal) pairs:
    // 0.35 beats 0.1 (1); 0.8 beats all (3); 0.4 beats 0.1 and ties 0.4 (1 + 0.5) -> 5.5 / 9 = 11/18.
    // Trapezoid over ROC points (0,0) (0,1/3) (1/3,1/3) (2/3,2/3) (2/3,1) (1,1) gives the same 11/18,
    // which is sklearn.metrics.roc_auc_score([0,0,1,1,1,0], [0.1,0.4,0.35,0.8,0.4,0.7]) = 0.6111.
    const scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.7];
    const labels = [0, 0, 1, 1, 1, 0];
    expect(auroc(scores, labels)).toBeCloseTo(11 / 18, 15);
    expect(auroc(Float32Array.from(scores), Uint8Array.from(labels))).toBeCloseTo(11 / 18, 15);
    const roc = rocCurve(scores, labels);
    expect(Array.from(roc.thresholds)).toEqual([Infinity, 0.8, 0.7, 0.4, 0.35, 0.1]);
    expect(Array.from(roc.fpr)).toEqual([0, 0, 1 / 3, 2 / 3, 2 / 3, 1]);
    expect(Array.from(roc.tpr)).toEqual([0, 1 / 3, 1 / 3, 2 / 3, 1, 1]);
  });

  it('treats nonzero labels (e.g. mask value 255) as anomalous and -0 as 0', () => {
    expect(auroc([0, -0, 1], Uint8Array.from([0, 255, 255]))).toBe(0.75);
  });

  it('throws when only one class is present, or on NaN', () => {
    expect(() => auroc([0.1, 0.2], [1, 1])).toThrow(/both anomalous and normal/);
    expect(() => auroc([0.1, 0.2], [0, 0])).toThrow(/both anomalous and normal/);
    expect(() => auroc([0.1, NaN], [0, 1])).toThrow(/NaN/);
    expect(() => auroc([0.1], [0, 1])).toThrow(/length/);
  });

  it('is exact on a million heavily tied float32 pixels (checked against a rank count)', () => {
    const n = 1_000_000;
    const rng = createRng(7);
    const scores = new Float32Array(n);
    const labels = new Uint8Array(n);
    const pos = new Float64Array(256);
    const neg = new Float64Array(256);
    for (let i = 0; i < n; i++) {
      labels[i] = rng() < 0.1 ? 1 : 0;
      const level = Math.min(255, Math.floor(rng() * 200 + (labels[i] ? 40 : 0)));
      scores[i] = level / 255 - 0.3; // negative and positive values exercise the float key mapping
      (labels[i] ? pos : neg)[level]++;
    }
    // Mann-Whitney: each anomalous pixel wins against every lower normal one and half-wins ties.
    let wins = 0;
    let below = 0;
    let P = 0;
    for (let v = 0; v < 256; v++) {
      wins += pos[v] * (below + neg[v] / 2);
      below += neg[v];
      P += pos[v];
    }
    expect(auroc(scores, labels)).toBeCloseTo(wins / (P * below), 12);
  });
});

describe('sortFloat32', () => {
  it('sorts like the native sort and carries the payload', () => {
    const rng = createRng(3);
    const values = Float32Array.from({ length: 5000 }, () => (rng() - 0.5) * 1e6);
    values[10] = -Infinity;
    values[11] = Infinity;
    const payload = Uint32Array.from(values.keys());
    const original = values.slice();
    sortFloat32(values, payload);
    expect(Array.from(values)).toEqual(Array.from(original.slice().sort()));
    for (let i = 0; i < values.length; i++) expect(original[payload[i]]).toBe(values[i]);
  });
});
