/**
 * Training as a person follows it: Train and Cancel, a progress bar with the phase and the time left, the
 * backend it runs on, and two charts drawn live: the loss (per step and per epoch) and the validation
 * AUROC on synthetic anomalies per epoch, with the best epoch marked.
 */
import { useEffect, useState } from 'react';
import { LineChart, type ChartSeries } from '../components/LineChart';
import { formatDuration } from '../inspect/progress';
import { activeSession, cancelTraining, cannotTrain, resumeTraining, startTraining } from './teach-run';
import { useTeachSettings } from './teach-settings';
import { useTeach, type RunView } from './teach-store';
import { fractionDone, secondsLeft } from './training-progress';

const BACKEND_NAMES = { webgpu: 'WebGPU', wasm: 'WASM' } as const;

/** Re-renders every second while `on`, so the time left counts down between events. */
function useTicking(on: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

function phaseLine(run: RunView): string {
  const t = run.tracker;
  const { cacheTotal, epochs } = t.plan;
  switch (t.phase) {
    case 'starting':
      return 'starting: loading the backbone…';
    case 'cache':
      return `reading photos: ${t.cacheDone} of ${cacheTotal} (good photos and synthetic defects)`;
    case 'train':
      return `epoch ${t.epoch} of ${epochs}, step ${t.step} of ${t.steps}`;
    case 'validate':
      return `epoch ${t.epoch} of ${epochs} done`;
    case 'complete':
      return 'fitting the Gaussian companions and calibrating the threshold…';
  }
}

export function TrainingPanel() {
  const run = useTeach((s) => s.run);
  const taught = useTeach((s) => s.taught);
  const blocked = useTeach(cannotTrain);
  const epochs = useTeachSettings((s) => s.epochs);
  const running = run?.status === 'running';
  const now = useTicking(running);
  return (
    <section className="teach-panel teach-training" aria-labelledby="teach-training-title">
      <h2 id="teach-training-title" className="teach-panel-title">
        3 · Train
      </h2>
      <div className="teach-actions">
        <button type="button" className="primary" onClick={() => void startTraining()} disabled={blocked !== null} title={blocked ?? undefined}>
          Train
        </button>
        <button type="button" onClick={cancelTraining} disabled={!running}>
          Cancel
        </button>
        {run?.status === 'failed' && (
          <button type="button" onClick={() => void resumeTraining()}>
            Resume from the last epoch
          </button>
        )}
        {!run && !taught && <span className="hint">{blocked ?? `Ready to train ${epochs} epochs.`}</span>}
      </div>
      {run && <RunProgress run={run} now={now} />}
      {run && <TrainingCharts run={run} />}
    </section>
  );
}

function RunProgress({ run, now }: { run: RunView; now: number }) {
  const elapsed = (now - run.startedAt) / 1000;
  const left = run.status === 'running' ? secondsLeft(run.tracker, now) : 0;
  const done = run.status === 'done' ? 1 : fractionDone(elapsed, left);
  const session = activeSession();
  const status =
    run.status === 'running'
      ? left === null
        ? 'estimating the time left…'
        : `about ${formatDuration(left)} left`
      : run.status === 'done'
        ? `done in ${formatDuration(elapsed)}`
        : run.status === 'cancelled'
          ? 'cancelled'
          : 'stopped';
  return (
    <div
      className="teach-progress"
      data-testid="teach-progress"
      data-epoch={run.tracker.epoch}
      data-loss={run.loss ?? undefined}
      data-phase={run.tracker.phase}
      data-status={run.status}
      data-resumed-after={run.resumedAfter}
      data-backend={run.backend ?? undefined}
    >
      <progress value={done} max={1} aria-label="Training progress" />
      <span className="teach-progress-phase">{phaseLine(run)}</span>
      <span className="teach-progress-time">{status}</span>
      {run.loss !== null && <span className="teach-progress-loss">loss {run.loss.toFixed(4)}</span>}
      <span className="teach-progress-backend">
        {run.backend ? `on ${BACKEND_NAMES[run.backend]}` : ''}
        {run.backendNote && <span className="backend-note"> · {run.backendNote}</span>}
      </span>
      {session && (
        <span className="hint">
          '{session.part}', {session.photos.length} photos, preset {session.preset}, seed {session.seed}
          {run.resumedAfter > 0 && ` · resumed after epoch ${run.resumedAfter}`}
        </span>
      )}
      {run.error && (
        <p className="teach-error" role="alert">
          Training stopped: {run.error}
        </p>
      )}
      {run.checkpointProblem && (
        <p className="teach-warning" role="status">
          {run.checkpointProblem}
        </p>
      )}
    </div>
  );
}

function TrainingCharts({ run }: { run: RunView }) {
  const epochs = run.tracker.plan.epochs;
  const x = { min: 0, max: epochs };
  const loss: ChartSeries[] = [
    { label: 'loss per step', tone: 'faint', points: run.stepLosses },
    { label: 'mean loss per epoch', tone: 'main', points: run.lossCurve.map((y, i) => ({ x: i + 1, y })) },
  ];
  const auroc: ChartSeries[] = [
    { label: 'image AUROC', tone: 'main', points: run.history.map((h) => ({ x: h.epoch, y: h.imageAuroc })) },
    { label: 'pixel AUROC', tone: 'second', points: run.history.map((h) => ({ x: h.epoch, y: h.pixelAuroc })) },
  ];
  const lowest = Math.min(0.5, ...run.history.flatMap((h) => [h.imageAuroc, h.pixelAuroc]));
  return (
    <div className="teach-charts">
      <LineChart series={loss} x={x} label="Training loss per epoch" xLabel="epoch" formatY={(v) => v.toFixed(2)} testId="teach-loss-chart" />
      <div>
        <LineChart series={auroc} x={x} y={{ min: lowest, max: 1 }} label="Validation AUROC on synthetic defects per epoch" xLabel="epoch" formatY={(v) => v.toFixed(2)} testId="teach-auroc-chart" />
        {run.bestEpoch !== null && <p className="hint">Best so far: epoch {run.bestEpoch} (the model keeps its weights).</p>}
      </div>
    </div>
  );
}
