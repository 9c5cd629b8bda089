/** Where the batch's run stands: n of N with an estimate of the time left; Cancel and Clear. */
import { useBatch } from './batch-store';
import { formatDuration, secondsLeft } from './progress';

export function BatchProgress() {
  const run = useBatch((s) => s.run);
  const cancel = useBatch((s) => s.cancel);
  const clear = useBatch((s) => s.clear);
  if (!run) return null;
  const done = run.endedAt !== null;
  const left = secondsLeft(run, performance.now());
  return (
    <div className="batch-progress" data-testid="progress">
      <progress value={run.finished} max={Math.max(1, run.total)} aria-label="Inspection progress" />
      <span className="batch-progress-count">
        {run.finished} of {run.total}
      </span>
      <span className="batch-progress-time">
        {done ? `done in ${formatDuration((run.endedAt! - run.startedAt) / 1000)}` : left === null ? 'estimating…' : `about ${formatDuration(left)} left`}
      </span>
      <button type="button" onClick={cancel} disabled={done}>
        Cancel
      </button>
      <button type="button" onClick={clear} title="Drops every photo and result of this batch">
        Clear results
      </button>
    </div>
  );
}
