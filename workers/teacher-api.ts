/**
 * What the page and the teaching worker say to each other. The UI imports these types only; the worker
 * (teacher.worker.ts) implements them.
 */
import type { ModelSettings } from '../src/engine/patchflow/manifest';
import type { TrainingCheckpoint } from '../src/engine/train/checkpoint';
import type { TrainProgress } from '../src/engine/train/trainer';
import type { Backend, BackendChoice, PartPackageData, ScoredPhoto } from './inspector-api';

export type { ScoredPhoto, TrainProgress, TrainingCheckpoint };

export interface TeachPhoto {
  name: string;
  photo: Blob;
}

export interface TeachRequest {
  part: string;
  /** How the manifest describes the photos (their number and where they came from). */
  dataLabel: string;
  settings: ModelSettings;
  epochs: number;
  seed: number;
  /** The good photos, in the order the run takes them (the CLI's: sorted by name). */
  photos: TeachPhoto[];
  backend: BackendChoice;
  /** The last checkpoint of this run, to go on from its epoch; null starts afresh. */
  resumeFrom: TrainingCheckpoint | null;
}

/** What the worker reports while it teaches (a comlink proxy the page passes in). */
export interface TeachListener {
  progress(p: TrainProgress): void;
  /** Resolves once the checkpoint is kept: training waits for it. */
  checkpoint(c: TrainingCheckpoint): Promise<void>;
  /** The backend the run is on, and why not WebGPU; said at the start and again on a switch. */
  backend(backend: Backend, note: string | null): void;
}

export interface TaughtPart {
  /** The new part model, as the library stores it (id, manifest with the head's sha256, head). */
  pkg: PartPackageData;
  /** Names of the good photos held out from training. */
  heldOut: string[];
  backend: Backend;
}

/** A good photo checked before training: that it decodes, its size, its content (for duplicates). */
export interface ExaminedPhoto {
  width: number;
  height: number;
  sha256: string;
  thumbnail: ImageBitmap;
}

