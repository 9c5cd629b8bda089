/**
 * A training run's default options and how many good images it needs. Free of the graph code, so the
 * page can give advice on photos without loading the trainer.
 */
import type { RunIdentity } from './checkpoint';

export type RunOptions = Omit<RunIdentity, 'images' | 'settings'> & { epochs: number };

export const trainDefaults = (): RunOptions => ({
  epochs: 10,
  batchSize: 16,
  learningRate: 1e-3,
  weightDecay: 1e-4,
  seed: 42,
  validationFraction: 0.15,
  syntheticPerImage: 2,
});

/** Good images held out from training for model selection and calibration (at least 4). */
export const heldOutCount = (images: number, fraction: number) => Math.max(4, Math.round(images * fraction));

/** Good images a run needs: a full batch to train on besides the held-out share. */
export function minimumImages(o: Pick<RunOptions, 'batchSize' | 'validationFraction'>): number {
  let n = o.batchSize;
  while (n - heldOutCount(n, o.validationFraction) < o.batchSize) n++;
  return n;
}
