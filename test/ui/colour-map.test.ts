import { describe, expect, it } from 'vitest';
import { colourAt, cssGradient, HEAT_STOPS, heatRgba, heatScale } from '../../src/ui/components/colour-map';

describe('colour map', () => {
  it('interpolates between stops and clamps outside 0…1', () => {
    const stops = [
      { at: 0, rgb: [0, 0, 0] as const },
      { at: 1, rgb: [200, 100, 50] as const },
    ];
    expect(colourAt(stops, 0.5)).toEqual([100, 50, 25]);
    expect(colourAt(stops, -1)).toEqual([0, 0, 0]);
    expect(colourAt(stops, 2)).toEqual([200, 100, 50]);
  });

  it('is red-dominant everywhere on the heat ramp', () => {
    for (let t = 0; t <= 1; t += 0.05) {
      const [r, g, b] = colourAt(HEAT_STOPS, t);
      expect(r).toBeGreaterThan(g);
      expect(r).toBeGreaterThan(b);
    }
  });

  it('spans the pixel threshold to four times it, at least 3 σ', () => {
    expect(heatScale(4)).toEqual({ low: 4, high: 16 });
    expect(heatScale(0.2)).toEqual({ low: 0.2, high: 3.2 });
  });

  it('leaves values at or below the threshold transparent and colours values above it', () => {
    const rgba = heatRgba(Float32Array.from([0, 4, 4.001, 8, 100, NaN]), { low: 4, high: 8 });
    const alpha = [3, 7, 11, 15, 19, 23].map((i) => rgba[i]);
    expect(alpha).toEqual([0, 0, 255, 255, 255, 0]);
    expect([...rgba.slice(8, 11)]).toEqual([...colourAt(HEAT_STOPS, 0)]);
    expect([...rgba.slice(12, 15)]).toEqual([...colourAt(HEAT_STOPS, 1)]);
    expect([...rgba.slice(16, 19)]).toEqual([...colourAt(HEAT_STOPS, 1)]);
  });

  it('describes the ramp as a CSS gradient', () => {
    expect(cssGradient()).toBe('linear-gradient(to right, rgb(255 220 0) 0%, rgb(255 140 0) 33%, rgb(235 30 20) 66%, rgb(170 0 30) 100%)');
  });
});
