import { describe, expect, it } from 'vitest';
import { fractionDone, secondsLeft, startTracking, track, type RunPlan, type RunTracker } from '../../src/ui/teach/training-progress';
import type { TrainProgress } from '../../workers/teacher-api';

// 8 photos trained in batches of 4 (2 steps an epoch), 2 held out with 2 synthetic defects each
const plan: RunPlan = { cacheTotal: 14, trainPhotos: 8, batchSize: 4, validationSamples: 6, epochs: 3, resumedAfter: 0 };

/** Feeds events one second apart (from t = 5 s: the first one also builds the sessions). */
function run(events: TrainProgress[], from = startTracking(plan)): { tracker: RunTracker; now: number } {
  let tracker = from;
  let now = 5000;
  for (const e of events) tracker = track(tracker, e, (now += 1000));
  return { tracker, now };
}

const cache = (n: number): TrainProgress[] => Array.from({ length: n }, (_, i) => ({ phase: 'cache', done: i + 1, total: 14 }));
const epoch = (e: number): TrainProgress[] => [
  { phase: 'train', epoch: e, epochs: 3, step: 1, steps: 2, loss: 1 },
  { phase: 'train', epoch: e, epochs: 3, step: 2, steps: 2, loss: 0.9 },
  { phase: 'validate', epoch: e, imageAuroc: 0.9, pixelAuroc: 0.8, goodScoreMean: 1, loss: 0.95, best: true },
];

describe('training progress', () => {
  it('has no estimate before a photo has been timed', () => {
    const { tracker, now } = run(cache(1));
    expect(secondsLeft(startTracking(plan), 0)).toBeNull();
    expect(secondsLeft(tracker, now)).toBeNull();
    expect(fractionDone(3, null)).toBe(0);
  });

  it('estimates steps and validation from the caching pace until they are timed', () => {
    const { tracker, now } = run(cache(7));
    expect(tracker.cacheSeconds).toBe(1);
    // 7 photos left; 6 steps at 3.5 × 4/16 s; 3 validations of 6 samples at 0.2 s; the last phase 0.15 × 8 + 2 × 1.2 s
    expect(secondsLeft(tracker, now)).toBeCloseTo(7 + 6 * 0.875 + 3 * 1.2 + (1.2 + 2.4), 6);
  });

  it('counts down with timed steps and validations, and within a unit as time passes', () => {
    const { tracker, now } = run([...cache(14), ...epoch(1), { phase: 'train', epoch: 2, epochs: 3, step: 1, steps: 2, loss: 0.8 }]);
    expect(tracker.stepSeconds).toBe(1);
    expect(tracker.validationSeconds).toBe(1);
    expect([tracker.epoch, tracker.step]).toEqual([2, 1]);
    // 1 step of epoch 2 and 2 of epoch 3, 2 validations, then the last phase (0.15 × 8 + 2 × 1)
    const left = secondsLeft(tracker, now)!;
    expect(left).toBeCloseTo(3 + 2 + 3.2, 6);
    expect(secondsLeft(tracker, now + 500)).toBeCloseTo(left - 0.5, 6);
    expect(secondsLeft(tracker, now + 60_000)).toBeCloseTo(left - 1, 6); // never more than the unit under way
  });

  it('ends with the last phase alone, and at zero', () => {
    const { tracker, now } = run([...cache(14), ...epoch(1), ...epoch(2), ...epoch(3), { phase: 'complete' }]);
    expect(secondsLeft(tracker, now)).toBeCloseTo(3.2, 6);
    expect(secondsLeft(tracker, now + 10_000)).toBe(0);
    expect(fractionDone(30, 10)).toBe(0.75);
  });

  it('counts only the epochs a resumed run has left', () => {
    const resumed = startTracking({ ...plan, resumedAfter: 2 });
    expect(resumed.epoch).toBe(3);
    const { tracker, now } = run(cache(7), resumed);
    expect(secondsLeft(tracker, now)).toBeCloseTo(7 + 2 * 0.875 + 1 * 1.2 + 3.6, 6);
  });
});
