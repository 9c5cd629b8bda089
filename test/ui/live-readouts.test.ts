import { describe, expect, it } from 'vitest';
import { appendTiming, nearestRank, NO_READOUTS, READOUT_FRAMES, readoutsOf, type FrameTiming } from '../../src/ui/live/readouts';

describe('nearestRank', () => {
  it('gives a value of the list: the median and the 95th percentile', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(nearestRank(v, 0.5)).toBe(50);
    expect(nearestRank(v, 0.95)).toBe(95);
    expect(nearestRank([7], 0.95)).toBe(7);
  });
});

describe('readoutsOf', () => {
  it('is empty before the first frame', () => {
    expect(readoutsOf([])).toEqual(NO_READOUTS);
  });

  it('gives frames per second, latency percentiles and the worker stages\' medians', () => {
    // a frame every 100 ms, each 250 ms after the camera presented it; one slow frame
    const timings: FrameTiming[] = Array.from({ length: 20 }, (_, i) => ({ grabbedAt: i * 100 - (i === 7 ? 900 : 250), doneAt: i * 100, readMs: 5 + (i % 3), modelMs: i === 7 ? 700 : 80 }));
    const r = readoutsOf(timings);
    expect(r.fps).toBeCloseTo(10, 6);
    expect(r.latencyMedian).toBe(250);
    expect(r.latencyP95).toBe(250);
    expect(r.readMedian).toBe(6);
    expect(r.modelMedian).toBe(80);
    expect(readoutsOf(timings.slice(0, 10)).latencyP95).toBe(900);
  });

  it('has no rate from a single frame', () => {
    expect(readoutsOf([{ grabbedAt: 0, doneAt: 40, readMs: 3, modelMs: 30 }])).toEqual({ fps: 0, latencyMedian: 40, latencyP95: 40, readMedian: 3, modelMedian: 30 });
  });
});

describe('appendTiming', () => {
  it('keeps the last frames only', () => {
    let recent: FrameTiming[] = [];
    for (let i = 0; i < READOUT_FRAMES + 30; i++) recent = appendTiming(recent, { grabbedAt: i, doneAt: i + 1, readMs: 0, modelMs: 1 });
    expect(recent).toHaveLength(READOUT_FRAMES);
    expect(recent[0].grabbedAt).toBe(30);
    expect(recent[READOUT_FRAMES - 1].grabbedAt).toBe(READOUT_FRAMES + 29);
  });
});
