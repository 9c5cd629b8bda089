import { describe, expect, it } from 'vitest';
import { MIN_ROI_SIDE, nudgeRoi, pointOnPicture, regionInFrame, rescaleRegion, roiFromCorners } from '../../src/ui/live/roi';

describe('pointOnPicture', () => {
  const box = { left: 100, top: 50, width: 400, height: 200 };
  it('gives fractions of the picture, clamped to it', () => {
    expect(pointOnPicture(300, 150, box)).toEqual({ x: 0.5, y: 0.5 });
    expect(pointOnPicture(0, 300, box)).toEqual({ x: 0, y: 1 });
  });
});

describe('roiFromCorners', () => {
  it('spans two corners dragged in any direction', () => {
    const a = { x: 0.75, y: 0.5 };
    const b = { x: 0.25, y: 0.125 };
    expect(roiFromCorners(a, b)).toEqual({ x: 0.25, y: 0.125, width: 0.5, height: 0.375 });
    expect(roiFromCorners(b, a)).toEqual(roiFromCorners(a, b));
  });

  it('takes a box too small to be meant as no region', () => {
    expect(roiFromCorners({ x: 0.5, y: 0.5 }, { x: 0.5 + MIN_ROI_SIDE / 2, y: 0.9 })).toBeNull();
  });
});

describe('regionInFrame', () => {
  it('places the box on a frame of any size, and none is the whole frame', () => {
    const roi = { x: 0.25, y: 0.5, width: 0.5, height: 0.25 };
    expect(regionInFrame(roi, 640, 480)).toEqual({ x: 160, y: 240, width: 320, height: 120 });
    expect(regionInFrame(roi, 3840, 2160)).toEqual({ x: 960, y: 1080, width: 1920, height: 540 });
    expect(regionInFrame(null, 640, 480)).toBeNull();
  });
});

describe('rescaleRegion', () => {
  it('moves a frame region onto the same picture drawn at another size', () => {
    expect(rescaleRegion({ x: 960, y: 1080, width: 1920, height: 540 }, { width: 3840, height: 2160 }, { width: 1280, height: 720 })).toEqual({ x: 320, y: 360, width: 640, height: 180 });
  });
});

describe('nudgeRoi (the arrow keys)', () => {
  const box = { x: 0.1, y: 0.2, width: 0.5, height: 0.4 };
  it('moves the box and keeps it on the picture', () => {
    const moved = nudgeRoi(box, 0.02, 0, false);
    expect(moved.x).toBeCloseTo(0.12);
    expect({ ...moved, x: 0.1 }).toEqual(box);
    const far = nudgeRoi(box, -0.5, 0.9, false);
    expect(far.x).toBe(0);
    expect(far.y).toBeCloseTo(0.6);
    expect([far.width, far.height]).toEqual([box.width, box.height]);
  });
  it('resizes from the far corner, no smaller than a meant box and not past the picture', () => {
    expect(nudgeRoi(box, 0, -0.02, true).height).toBeCloseTo(0.38);
    expect(nudgeRoi(box, -1, -1, true)).toEqual({ ...box, width: MIN_ROI_SIDE, height: MIN_ROI_SIDE });
    expect(nudgeRoi(box, 1, 1, true)).toEqual({ ...box, width: 0.9, height: 0.8 });
  });
});
