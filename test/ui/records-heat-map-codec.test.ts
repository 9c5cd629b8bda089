import { describe, expect, it } from 'vitest';
import { dequantiseMap, greyPixels, greysOf, quantiseMap } from '../../src/ui/records/heat-map-codec';

describe('heat map codec', () => {
  it('quantises over the map\'s own range: each value back within (high − low) / 510', () => {
    const map = Float32Array.from({ length: 1000 }, (_, i) => -2 + (i / 999) * 30 + Math.sin(i) * 0.01);
    const { grey, range } = quantiseMap(map);
    expect(range[0]).toBeCloseTo(Math.min(...map), 5);
    expect(range[1]).toBeCloseTo(Math.max(...map), 5);
    const back = dequantiseMap(grey, range);
    const tolerance = (range[1] - range[0]) / 510 + 1e-5;
    for (let i = 0; i < map.length; i++) expect(Math.abs(back[i] - map[i])).toBeLessThanOrEqual(tolerance);
  });

  it('keeps a flat map flat and reads non-finite values as the lowest', () => {
    expect(dequantiseMap(quantiseMap([4, 4, 4]).grey, quantiseMap([4, 4, 4]).range)).toEqual(Float32Array.from([4, 4, 4]));
    const { grey } = quantiseMap([NaN, 1, Infinity, 3]);
    expect(Array.from(grey)).toEqual([0, 0, 0, 255]);
  });

  it('packs greys into opaque RGBA pixels and reads them back', () => {
    const grey = Uint8Array.from([0, 17, 128, 255]);
    const rgba = greyPixels(grey);
    expect(Array.from(rgba.subarray(4, 8))).toEqual([17, 17, 17, 255]);
    expect(greysOf(rgba)).toEqual(grey);
  });
});
