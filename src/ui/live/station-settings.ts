/**
 * How this line station inspects live, kept in the browser (localStorage) across reloads: camera and
 * resolution, the verdict's hysteresis, sound and auto-capture on FAIL, the overlay, and per part (by
 * its name, so a retrained model keeps them) the region of interest and the live model.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { ResolutionId } from './camera';
import type { Hysteresis } from './hysteresis';
import type { Roi } from './roi';

export interface PartStation {
  /** The region inspected; null: the whole picture. */
  roi: Roi | null;
  /** The model camera frames are inspected with (e.g. the part trained with the live preset); null: the chosen one. */
  liveModelId: string | null;
}

export interface StationSettings extends Hysteresis {
  /** The camera chosen (a deviceId); null: the browser's default. */
  cameraId: string | null;
  resolution: ResolutionId;
  soundOnFail: boolean;
  /** Capture the frame of every FAIL event (once per event). */
  autoCapture: boolean;
  showHeatMap: boolean;
  overlayOpacity: number;
  showContour: boolean;
  /** Draw the frame the map was measured on under it, in place of the live picture: map and picture in step. */
  showInspectedFrame: boolean;
  parts: Record<string, PartStation>;
}

interface StationActions {
  set(patch: Partial<Omit<StationSettings, 'parts'>>): void;
  setPart(part: string, patch: Partial<PartStation>): void;
}

/** The hysteresis bounds the settings accept: a run of frames, 1 (no hysteresis) up to 100. */
export const RUN_LIMITS = { min: 1, max: 100 } as const;

export const DEFAULT_STATION: StationSettings = {
  cameraId: null,
  resolution: 'default',
  failAfter: 3,
  passAfter: 5,
  soundOnFail: false,
  autoCapture: false,
  showHeatMap: true,
  overlayOpacity: 0.6,
  showContour: true,
  showInspectedFrame: false,
  parts: {},
};

export const NO_PART_STATION: PartStation = { roi: null, liveModelId: null };

/** A run length as typed: a whole number within RUN_LIMITS, or null for anything else. */
export function runLength(typed: string): number | null {
  const n = Number(typed);
  return Number.isInteger(n) && n >= RUN_LIMITS.min && n <= RUN_LIMITS.max ? n : null;
}

export const useStation = create<StationSettings & StationActions>()(
  persist(
    (set) => ({
      ...DEFAULT_STATION,
      set: (patch) => set(patch),
      setPart: (part, patch) => set((s) => ({ parts: { ...s.parts, [part]: { ...NO_PART_STATION, ...s.parts[part], ...patch } } })),
    }),
    // where the browser forbids site storage, the settings hold for this visit only
    { name: 'patchflow-inspect.station', version: 1, storage: createJSONStorage(() => localStorage) },
  ),
);

/** The station's settings for a part (its name); defaults for a part not set up yet. */
export function usePartStation(part: string | null): PartStation {
  return useStation((s) => (part && s.parts[part]) || NO_PART_STATION);
}
