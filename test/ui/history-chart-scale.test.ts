import { describe, expect, it } from 'vitest';
import { linearScale, niceTicks, paddedDomain } from '../../src/ui/components/chart-scale';

describe('chart scales', () => {
  it('map a domain onto a range, upside down for y', () => {
    const y = linearScale([0, 10], [100, 0]);
    expect([y(0), y(5), y(10)]).toEqual([100, 50, 0]);
    expect(linearScale([3, 3], [0, 10])(3)).toBe(5);
  });

  it('tick at round values', () => {
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(-3.2, 17, 4)).toEqual([0, 10]);
    expect(niceTicks(2, 2, 4)).toEqual([2]);
  });

  it('pad a domain, never empty', () => {
    expect(paddedDomain(0, 10)).toEqual([-0.5, 10.5]);
    expect(paddedDomain(Infinity, -Infinity)).toEqual([0, 1]);
  });
});
