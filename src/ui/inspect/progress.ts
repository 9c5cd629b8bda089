/** Progress of a batch run and its time estimate. Pure. */

/** One run of the queue: from the first photo added while it was idle to the last one finished. */
export interface RunProgress {
  /** performance.now() at the start. */
  startedAt: number;
  total: number;
  finished: number;
  /** performance.now() when the last photo finished, null while photos remain. */
  endedAt: number | null;
}

/** The run after `finished` more photos finished and `total` changed by `added` (negative: cancelled). */
export function advance(run: RunProgress, finished: number, added: number, now: number): RunProgress {
  const next = { ...run, finished: run.finished + finished, total: run.total + added };
  return { ...next, endedAt: next.finished >= next.total ? (run.endedAt ?? now) : null };
}

/** Seconds until the run is done at the pace so far, or null before the first photo has finished. */
export function secondsLeft(run: RunProgress, now: number): number | null {
  if (run.finished === 0) return null;
  const perPhoto = (now - run.startedAt) / 1000 / run.finished;
  return Math.max(0, (run.total - run.finished) * perPhoto);
}

/** "45 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)} min ${two(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${two(Math.floor((s % 3600) / 60))} min`;
}
