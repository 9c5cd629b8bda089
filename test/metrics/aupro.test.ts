import { describe, expect, it } from 'vitest';
import { aupro, labelComponents, type AnomalyMapSample } from '../../src/engine/metrics/aupro';

function sample(width: number, height: number, map: number[], mask: number[]): AnomalyMapSample {
  return { width, height, map: Float32Array.from(map), mask: Uint8Array.from(mask) };
}

// Two 2-pixel regions: A (top row, horizontal) and B (diagonal: one region only with 8-connectivity).
const mask4x4 = [
  1, 1, 0, 0,
  0, 0, 0, 0,
  0, 0, 0, 1,
  0, 0, 1, 0,
];
// A scores 0.9 / 0.5, B 0.8 / 0.8, normals: one 0.7, one 0.6, ten 0.1.
const map4x4 = [
  0.9, 0.5, 0.7, 0.1,
  0.1, 0.1, 0.1, 0.1,
  0.6, 0.1, 0.1, 0.8,
  0.1, 0.1, 0.8, 0.1,
];
// Sweep (FPR over 12 normal pixels, PRO = mean of per-region overlap):
//   t=0.9 (0, 1/4)   t=0.8 (0, 3/4)   t=0.7 (1/12, 3/4)   t=0.6 (2/12, 3/4)   t=0.5 (2/12, 1)   t=0.1 (1, 1)
// Area to 0.3: 3/4 * 1/6 + 1 * (0.3 - 1/6) = 1/8 + 2/15 = 31/120; normalised: 31/120 / 0.3 = 31/36.
// Area to 1: 1/8 + 5/6 = 23/24.

describe('labelComponents', () => {
  it('joins diagonal neighbours with 8-connectivity only', () => {
    const eight = labelComponents(Uint8Array.from(mask4x4), 4, 4);
    expect(eight.count).toBe(2);
    expect(Array.from(eight.sizes)).toEqual([2, 2]);
    expect(Array.from(eight.labels)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 2, 0]);
    expect(labelComponents(Uint8Array.from(mask4x4), 4, 4, 4).count).toBe(3);
  });

  it('labels a large blob without recursion', () => {
    const big = labelComponents(new Uint8Array(1000 * 1000).fill(1), 1000, 1000);
    expect(big.count).toBe(1);
    expect(big.sizes[0]).toBe(1_000_000);
  });
});

describe('aupro', () => {
  it('matches the hand-computed value on two regions', () => {
    const s = sample(4, 4, map4x4, mask4x4);
    expect(aupro([s])).toBeCloseTo(31 / 36, 12);
    expect(aupro([s], { fprLimit: 1 })).toBeCloseTo(23 / 24, 12);
  });

  it('pools regions and normal pixels over images', () => {
    // The same pixels split into two images: region A plus six normals, region B plus six normals.
    const a = sample(4, 2, [0.9, 0.5, 0.7, 0.1, 0.1, 0.1, 0.1, 0.1], [1, 1, 0, 0, 0, 0, 0, 0]);
    const b = sample(4, 2, [0.6, 0.1, 0.1, 0.8, 0.1, 0.1, 0.8, 0.1], [0, 0, 0, 1, 0, 0, 1, 0]);
    expect(aupro([a, b])).toBeCloseTo(31 / 36, 12);
    // An image without defects adds only normal pixels: two more at 0 stretch FPR to 14 normals, so
    // the area to 1 becomes 3/4 * 2/14 + 1 * 12/14 = 27/28.
    const clean = sample(2, 1, [0, 0], [0, 0]);
    expect(aupro([clean, a, b], { fprLimit: 1 })).toBeCloseTo(27 / 28, 12);
  });

  it('interpolates the segment that crosses the FPR limit', () => {
    // One 2-pixel region scored 0.5 / 0.2; normals 0.5, 0.5, 0.1, 0.1. At t=0.5: FPR 2/4, PRO 1/2,
    // so the curve runs straight from (0, 0) to (0.5, 0.5): area to 0.3 is 0.3² / 2, normalised 0.15.
    const s = sample(6, 1, [0.5, 0.2, 0.5, 0.5, 0.1, 0.1], [1, 1, 0, 0, 0, 0]);
    expect(aupro([s])).toBeCloseTo(0.15, 12);
  });

  it('is 1 for a perfect map and 0 for an inverted one', () => {
    const mask = [0, 1, 0, 0, 0, 1];
    expect(aupro([sample(3, 2, [0, 1, 0, 0, 0, 1], mask)])).toBe(1);
    expect(aupro([sample(3, 2, [1, 0, 1, 1, 1, 0], mask)])).toBe(0);
  });

  it('rejects inputs without regions, normal pixels or matching sizes', () => {
    expect(() => aupro([sample(2, 1, [0, 1], [0, 0])])).toThrow(/defect region/);
    expect(() => aupro([sample(2, 1, [0, 1], [1, 1])])).toThrow(/normal/);
    expect(() => aupro([sample(2, 2, [0, 1], [1, 0])])).toThrow(/2x2/);
    expect(() => aupro([sample(2, 1, [0, 1], [1, 0])], { fprLimit: 0 })).toThrow(/fprLimit/);
  });
});
