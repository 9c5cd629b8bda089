/**
 * The teaching session on the page: the part's name, its good photos and region of interest, the run
 * (progress, curves, backend), the taught model, the photos it is checked on and the threshold chosen.
 * The work (examining photos, running, scoring, saving) lives in the modules beside this one; this is
 * the state they share and the view reads.
 */
import { create } from 'zustand';
import type { Backend } from '../../../workers/inspector-api';
import type { ScoredPhoto, TaughtPart } from '../../../workers/teacher-api';
import type { PartManifest } from '../../engine/patchflow/manifest';
import type { Region } from '../../engine/patchflow/preprocess';
import type { GoodPhoto } from './good-photos';
import type { RunTracker } from './training-progress';

export type CheckKind = 'held-out' | 'defect' | 'good';

/** A photo the taught model is checked on: a held-out good photo, or a real defect or good photo added for it. */
export interface CheckPhoto {
  id: number;
  name: string;
  file: Blob;
  kind: CheckKind;
  status: 'scoring' | 'done' | 'error';
  result: ScoredPhoto | null;
  error: string | null;
}

export interface RunView {
  runId: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  tracker: RunTracker;
  /** performance.now() when this run (or its resumption) started. */
  startedAt: number;
  /** The latest step's loss. */
  loss: number | null;
  /** Every step's loss of this run, at its fractional epoch. */
  stepLosses: { x: number; y: number }[];
  /** Mean loss per finished epoch (carried over on resuming). */
  lossCurve: number[];
  history: PartManifest['training']['validation'];
  bestEpoch: number | null;
  /** Epochs finished before this run started (a resumed run), else 0. */
  resumedAfter: number;
  backend: Backend | null;
  backendNote: string | null;
  error: string | null;
  /** Why checkpoints are not being kept (storage full): a reload would start over. */
  checkpointProblem: string | null;
}

export interface Notice {
  text: string;
  tone: 'error' | 'note';
}

export interface TeachState {
  part: string;
  photos: GoodPhoto[];
  /** Centre square kept, as a share of the shorter side; null = the whole photo. */
  centerCrop: number | null;
  /** The box of every photo the part model reads (fractions of the photo), cut before the centre square; null = all. */
  region: Region | null;
  /** The part's defects are thin (cracks, scratches): the heat map from every map's mean. */
  thinDefects: boolean;
  run: RunView | null;
  taught: TaughtPart | null;
  checks: CheckPhoto[];
  /** The threshold being tried; null = the calibrated one. */
  threshold: number | null;
  notice: Notice | null;
  setPart(part: string): void;
  setCenterCrop(fraction: number | null): void;
  setRegion(region: Region | null): void;
  setThinDefects(thin: boolean): void;
  setThreshold(threshold: number | null): void;
  removePhotos(ids: readonly number[]): void;
  removeCheck(id: number): void;
  setNotice(notice: Notice | null): void;
}

export const useTeach = create<TeachState>((set) => ({
  part: '',
  photos: [],
  centerCrop: null,
  region: null,
  thinDefects: false,
  run: null,
  taught: null,
  checks: [],
  threshold: null,
  notice: null,
  setPart: (part) => set({ part }),
  setCenterCrop: (centerCrop) => set({ centerCrop }),
  setRegion: (region) => set({ region }),
  setThinDefects: (thinDefects) => set({ thinDefects }),
  setThreshold: (threshold) => set({ threshold }),
  removePhotos: (ids) =>
    set((s) => {
      const gone = new Set(ids);
      for (const p of s.photos) if (gone.has(p.id)) p.thumbnail?.close();
      return { photos: s.photos.filter((p) => !gone.has(p.id)) };
    }),
  removeCheck: (id) => set((s) => ({ checks: s.checks.filter((c) => c.id !== id) })),
  setNotice: (notice) => set({ notice }),
}));

/** Applies a change to the run, if one is shown. */
export function patchRun(change: (run: RunView) => Partial<RunView>): void {
  useTeach.setState((s) => (s.run ? { run: { ...s.run, ...change(s.run) } } : {}));
}

let nextId = 1;
export const newId = () => nextId++;
