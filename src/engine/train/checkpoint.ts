/**
 * Resumable training: after every epoch the trainer hands out a checkpoint holding everything the loop
 * carries (parameters, Adam moments and step, running statistics, the best epoch so far, the curves).
 * Fed back as `resumeFrom`, the run goes on from the next epoch exactly as if it had never stopped:
 * the split, the tap caches and the synthetic anomalies are rebuilt from the same seed, and each epoch's
 * shuffle depends on the seed and the epoch alone. Plain data (typed arrays), so it can be kept in
 * IndexedDB or passed between threads as it is.
 */
import type { ModelSettings, PartManifest } from '../patchflow/manifest';
import { createRng, permutation } from '../random';

export const CHECKPOINT_FORMAT = 'patchflow-inspect/training-checkpoint@1';

export interface StateTensor {
  dims: number[];
  data: Float32Array;
}

/** Named float32 values: parameters, Adam moments, running statistics. */
export type TrainingState = Record<string, StateTensor>;

export interface TrainingCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  /** The run it belongs to (`runKey`): a checkpoint only resumes the same images and options. */
  run: string;
  /** The last finished epoch (1-based). */
  epoch: number;
  /** Adam steps taken so far (its bias correction depends on it). */
  step: number;
  state: TrainingState;
  /** The epoch that separated held-out good images from synthetic anomalies best, and its state. */
  best: { epoch: number; selection: number; state: TrainingState };
  lossCurve: number[];
  history: PartManifest['training']['validation'];
  /** Seconds spent training before this checkpoint (a resumed run adds its own). */
  seconds: number;
}

/** What makes two runs the same run: every option that changes a number, and the images (names and sizes). */
export interface RunIdentity {
  settings: ModelSettings;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  seed: number;
  /** Share of good images held out for model selection and calibration. */
  validationFraction: number;
  /** Synthetic anomalies made from each held-out good image. */
  syntheticPerImage: number;
  images: { name: string; bytes: Uint8Array }[];
}

/** The run's key. The epoch count is left out: a finished run may be resumed to train longer. */
export function runKey(r: RunIdentity): string {
  const { settings, batchSize, learningRate, weightDecay, seed, validationFraction, syntheticPerImage, images } = r;
  return JSON.stringify({ settings, batchSize, learningRate, weightDecay, seed, validationFraction, syntheticPerImage, images: images.map((i) => [i.name, i.bytes.byteLength]) });
}

/** Refuses a checkpoint of another run (other images, settings or seed) with a message that says so. */
export function checkResumable(checkpoint: TrainingCheckpoint, key: string): void {
  if (checkpoint.format !== CHECKPOINT_FORMAT) throw new Error(`not a training checkpoint of this version (format '${checkpoint.format}', expected '${CHECKPOINT_FORMAT}')`);
  if (checkpoint.run !== key) throw new Error('the checkpoint belongs to another training run (other photos, settings or seed); start this one afresh');
}

/** The order of the training images in `epoch`: a function of the seed and the epoch alone, so a resumed run shuffles as the uninterrupted one. */
export function epochOrder(count: number, seed: number, epoch: number): number[] {
  return permutation(count, createRng(Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + epoch));
}
