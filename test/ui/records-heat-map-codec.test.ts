import { describe, expect, it } from 'vitest';
import { decodeHeatMap, dequantiseMap, encodeHeatMap, quantiseMap } from '../../src/ui/records/heat-map-codec';

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

  it('round-trips through an 8-bit greyscale PNG, far smaller than the floats', () => {
    const width = 256;
    const height = 256;
    // a smooth map with a defect blob, as the model draws them
    const anomalyMap = Float32Array.from({ length: width * height }, (_, i) => {
      const x = i % width;
      const y = Math.floor(i / width);
      return Math.sin(x / 20) + Math.cos(y / 25) + 12 * Math.exp(-((x - 180) ** 2 + (y - 60) ** 2) / 200);
    });
    const { png, range } = encodeHeatMap({ anomalyMap, mapWidth: width, mapHeight: height });
    expect(Array.from(png.subarray(1, 4), (c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(png.byteLength).toBeLessThan(anomalyMap.byteLength / 8);
    const back = decodeHeatMap(png, range);
    expect([back.mapWidth, back.mapHeight]).toEqual([width, height]);
    const tolerance = (range[1] - range[0]) / 510 + 1e-5;
    for (let i = 0; i < anomalyMap.length; i += 97) expect(Math.abs(back.anomalyMap[i] - anomalyMap[i])).toBeLessThanOrEqual(tolerance);
  });
});
