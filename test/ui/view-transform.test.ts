import { describe, expect, it } from 'vitest';
import { clampPan, FIT, fitWithin, mapIndexAt, MAX_ZOOM, zoomAt } from '../../src/ui/components/view-transform';

describe('view transform', () => {
  it('zooms about the pointer, keeping the spot under it', () => {
    const t = zoomAt(FIT, 2, 100, 50, 400, 200);
    expect(t).toEqual({ zoom: 2, x: -100, y: -50 });
    // the picture point under (100, 50) is still (100, 50) / zoom-1 scale
    expect((100 - t.x) / t.zoom).toBe(100);
  });

  it('never zooms out past the whole picture nor in past the limit', () => {
    expect(zoomAt(FIT, 0.5, 10, 10, 400, 200)).toEqual(FIT);
    expect(zoomAt(FIT, 1000, 0, 0, 400, 200).zoom).toBe(MAX_ZOOM);
  });

  it('keeps the picture covering the viewport when panning', () => {
    expect(clampPan({ zoom: 2, x: 50, y: -500 }, 400, 200)).toEqual({ zoom: 2, x: 0, y: -200 });
  });

  it('fits large photos and keeps small ones', () => {
    expect(fitWithin(4000, 3000, 2048)).toEqual({ width: 2048, height: 1536 });
    expect(fitWithin(512, 300, 2048)).toEqual({ width: 512, height: 300 });
  });

  it('finds the map cell under a point, edges included', () => {
    expect(mapIndexAt(0, 0, 4, 2)).toBe(0);
    expect(mapIndexAt(0.99, 0.99, 4, 2)).toBe(7);
    expect(mapIndexAt(1, 1, 4, 2)).toBe(7);
    expect(mapIndexAt(0.5, 0.25, 4, 2)).toBe(2);
  });
});
