/**
 * The live verdict with hysteresis: FAIL after N consecutive frames at or above the threshold, PASS
 * again after M consecutive frames below it, so one noisy frame neither stops the line nor clears a
 * reject. Pure.
 */

export type LiveVerdict = 'pass' | 'fail';

export interface Hysteresis {
  /** N: consecutive frames at or above the threshold that make the call FAIL. */
  failAfter: number;
  /** M: consecutive frames below the threshold that make the call PASS. */
  passAfter: number;
}

export interface VerdictState {
  /** The call shown; null until the first run of frames has decided one. */
  verdict: LiveVerdict | null;
  /** Consecutive frames at or above the threshold (reset by one below), and below it (reset by one above). */
  above: number;
  below: number;
}

export const UNDECIDED: VerdictState = { verdict: null, above: 0, below: 0 };

/** The state after one more frame's score. A score that is not a number counts as a reject. */
export function nextVerdict(state: VerdictState, score: number, threshold: number, { failAfter, passAfter }: Hysteresis): VerdictState {
  const rejects = !(score < threshold);
  const above = rejects ? state.above + 1 : 0;
  const below = rejects ? 0 : state.below + 1;
  let verdict = state.verdict;
  if (above >= failAfter) verdict = 'fail';
  else if (below >= passAfter) verdict = 'pass';
  return { verdict, above, below };
}

/** A FAIL event: the call has just become FAIL (one per event, however many frames it lasts). */
export const becameFail = (before: VerdictState, after: VerdictState) => after.verdict === 'fail' && before.verdict !== 'fail';
