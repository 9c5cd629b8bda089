import { describe, expect, it } from 'vitest';
import { contourSegments } from '../../src/ui/components/contour';

/** A coordinate as the Float32Array holds it. */
const x = (v: number) => Math.fround(v);

/** The segments as sorted point pairs, for comparison regardless of direction. */
function pairs(segments: Float32Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < segments.length; i += 4) {
    const a = `${segments[i]},${segments[i + 1]}`;
    const b = `${segments[i + 2]},${segments[i + 3]}`;
    out.push([a, b].sort().join(' '));
  }
  return out.sort();
}

describe('contour', () => {
  it('draws nothing over a map entirely below or above the level', () => {
    expect(contourSegments(new Float32Array(9), 3, 3, 1)).toHaveLength(0);
    expect(contourSegments(new Float32Array(9).fill(5), 3, 3, 1)).toHaveLength(0);
  });

  it('closes a diamond around a single hot value, halfway by interpolation', () => {
    const map = Float32Array.from([0, 0, 0, 0, 2, 0, 0, 0, 0]);
    // level 1 is halfway from 0 to 2: crossings half a pixel from the hot centre at (1.5, 1.5)
    expect(pairs(contourSegments(map, 3, 3, 1))).toEqual(['1,1.5 1.5,1', '1,1.5 1.5,2', '1.5,1 2,1.5', '1.5,2 2,1.5']);
  });

  it('places a straight edge where the values cross the level', () => {
    const map = Float32Array.from([0, 0, 3, 0, 0, 3]); // 3 wide, 2 high: the right column is hot
    const segments = contourSegments(map, 3, 2, 1);
    // between the values' centres x = 1.5 (0) and 2.5 (3), a third of the way
    expect(pairs(segments)).toEqual([`${x(1.5 + 1 / 3)},0.5 ${x(1.5 + 1 / 3)},1.5`]);
  });

  it('joins the two hot corners of a saddle when the centre is hot', () => {
    const joined = contourSegments(Float32Array.from([5, 0, 0, 5]), 2, 2, 1); // mean 2.5 > 1
    const apart = contourSegments(Float32Array.from([1.5, 0, 0, 1.5]), 2, 2, 1); // mean 0.75 < 1
    expect(joined).toHaveLength(8);
    expect(apart).toHaveLength(8);
    expect(pairs(joined)).not.toEqual(pairs(apart));
    // apart: the top-left corner is cut off on its own, from the top edge to the left edge
    expect(pairs(apart)).toContain(`0.5,${x(0.5 + 1 / 3)} ${x(0.5 + 1 / 3)},0.5`);
  });
});
