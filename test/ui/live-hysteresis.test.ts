import { describe, expect, it } from 'vitest';
import { becameFail, nextVerdict, UNDECIDED, type Hysteresis, type VerdictState } from '../../src/ui/live/hysteresis';

const THRESHOLD = 10;
/** The calls after each score, from undecided. */
function calls(scores: number[], h: Hysteresis): (string | null)[] {
  let state: VerdictState = UNDECIDED;
  return scores.map((s) => (state = nextVerdict(state, s, THRESHOLD, h)).verdict);
}

describe('nextVerdict', () => {
  const h = { failAfter: 3, passAfter: 2 };

  it('decides nothing until a run is long enough, then PASS after M below', () => {
    expect(calls([1, 2], h)).toEqual([null, 'pass']);
    expect(calls([1, 12, 1], h)).toEqual([null, null, null]);
  });

  it('turns FAIL only after N consecutive frames at or above the threshold', () => {
    expect(calls([1, 1, 12, 10, 1, 12, 12, 12], h)).toEqual([null, 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail']);
  });

  it('goes back to PASS only after M consecutive frames below', () => {
    expect(calls([12, 12, 12, 1, 12, 1, 1], h)).toEqual([null, null, 'fail', 'fail', 'fail', 'fail', 'pass']);
  });

  it('with N = M = 1 follows every frame', () => {
    expect(calls([1, 12, 1], { failAfter: 1, passAfter: 1 })).toEqual(['pass', 'fail', 'pass']);
  });

  it('counts a score that is not a number as a reject', () => {
    expect(calls([NaN], { failAfter: 1, passAfter: 1 })).toEqual(['fail']);
  });
});

describe('becameFail', () => {
  it('is one event per FAIL, however many frames it lasts', () => {
    let state: VerdictState = UNDECIDED;
    const events = [12, 12, 12, 12, 1, 12].map((s) => {
      const next = nextVerdict(state, s, THRESHOLD, { failAfter: 2, passAfter: 1 });
      const event = becameFail(state, next);
      state = next;
      return event;
    });
    expect(events).toEqual([false, true, false, false, false, false]);
  });
});
