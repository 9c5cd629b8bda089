/**
 * Where a training run stands and how long it has left, from the trainer's progress events. The run has
 * three kinds of work: caching a photo's backbone taps, a training step, an epoch's validation; each is
 * timed as it happens, and the kinds not yet seen are guessed from the ones that were (ratios measured on
 * WASM: a step of 16 photos costs about 3.5 cached photos, validating one sample about 0.2). Pure.
 */
import type { TrainProgress } from '../../../workers/teacher-api';

const STEP_PER_CACHED = 3.5;
const VALIDATION_SAMPLE_PER_CACHED = 0.2;
/** The final phase fits the Gaussians over the training taps and scores the validation set twice. */
const COMPLETE_PER_TRAIN_PHOTO = 0.15;

export interface RunPlan {
  /** Photos and synthetic anomalies to cache (training + held-out × (1 + synthetic)). */
  cacheTotal: number;
  trainPhotos: number;
  batchSize: number;
  /** Samples validated per epoch (held-out good photos and their synthetic anomalies). */
  validationSamples: number;
  epochs: number;
  /** The last epoch finished before this run started (a resumed run), else 0. */
  resumedAfter: number;
}

export interface RunTracker {
  plan: RunPlan;
  phase: 'starting' | TrainProgress['phase'];
  cacheDone: number;
  /** The epoch being trained or validated (epochs before `resumedAfter` are done). */
  epoch: number;
  step: number;
  steps: number;
  /** When the current unit of work started (ms, the caller's clock). */
  unitStartedAt: number | null;
  /** Mean seconds per unit so far, null until one was timed. */
  cacheSeconds: number | null;
  stepSeconds: number | null;
  validationSeconds: number | null;
  /** How many of each were timed (for the running means). */
  timed: { cache: number; step: number; validation: number };
}

export function startTracking(plan: RunPlan): RunTracker {
  return {
    plan,
    phase: 'starting',
    cacheDone: 0,
    epoch: plan.resumedAfter + 1,
    step: 0,
    steps: Math.max(1, Math.floor(plan.trainPhotos / plan.batchSize)),
    unitStartedAt: null,
    cacheSeconds: null,
    stepSeconds: null,
    validationSeconds: null,
    timed: { cache: 0, step: 0, validation: 0 },
  };
}

const mean = (previous: number | null, count: number, sample: number) => (previous === null ? sample : previous + (sample - previous) / (count + 1));

/** The tracker after one event at time `now` (ms). */
export function track(t: RunTracker, p: TrainProgress, now: number): RunTracker {
  const took = t.unitStartedAt === null ? null : (now - t.unitStartedAt) / 1000;
  const next: RunTracker = { ...t, phase: p.phase, unitStartedAt: now, timed: { ...t.timed } };
  if (p.phase === 'cache') {
    // the first photo also pays for building the session: only later ones are timed
    if (took !== null && t.phase === 'cache') {
      next.cacheSeconds = mean(t.cacheSeconds, t.timed.cache, took);
      next.timed.cache++;
    }
    next.cacheDone = p.done;
  } else if (p.phase === 'train') {
    // steps after the first of the run (which builds the step's graph and session)
    if (took !== null && t.phase === 'train') {
      next.stepSeconds = mean(t.stepSeconds, t.timed.step, took);
      next.timed.step++;
    }
    Object.assign(next, { epoch: p.epoch, step: p.step, steps: p.steps });
  } else if (p.phase === 'validate') {
    if (took !== null) {
      next.validationSeconds = mean(t.validationSeconds, t.timed.validation, took);
      next.timed.validation++;
    }
    Object.assign(next, { epoch: p.epoch, step: t.steps });
  }
  return next;
}

/** Seconds left at the pace so far, or null before the first photo has been cached. */
export function secondsLeft(t: RunTracker, now: number): number | null {
  const cache = t.cacheSeconds;
  if (cache === null) return null;
  const { plan } = t;
  const step = t.stepSeconds ?? cache * STEP_PER_CACHED * (plan.batchSize / 16);
  const validation = t.validationSeconds ?? cache * VALIDATION_SAMPLE_PER_CACHED * plan.validationSamples;
  const complete = cache * COMPLETE_PER_TRAIN_PHOTO * plan.trainPhotos + 2 * validation;
  const sinceUnit = t.unitStartedAt === null ? 0 : (now - t.unitStartedAt) / 1000;
  if (t.phase === 'complete') return Math.max(0, complete - sinceUnit);
  const cacheLeft = plan.cacheTotal - t.cacheDone;
  const caching = t.phase === 'starting' || t.phase === 'cache';
  // epochs not validated yet, counting the current one unless its validation is done
  const epochsLeft = plan.epochs - t.epoch + (t.phase === 'validate' ? 0 : 1);
  const stepsLeft = caching ? (plan.epochs - plan.resumedAfter) * t.steps : Math.max(0, epochsLeft - 1) * t.steps + (t.phase === 'validate' ? 0 : t.steps - t.step);
  const current = caching ? cache : t.phase === 'train' && t.step === t.steps ? validation : step;
  const total = cacheLeft * cache + stepsLeft * step + Math.max(0, epochsLeft) * validation + complete;
  return Math.max(0, total - Math.min(sinceUnit, current));
}

/** Share of the run done (0…1), by time: elapsed over elapsed plus what is left. */
export function fractionDone(elapsedSeconds: number, left: number | null): number {
  if (left === null || elapsedSeconds <= 0) return 0;
  return Math.min(1, elapsedSeconds / (elapsedSeconds + Math.max(0, left)));
}
