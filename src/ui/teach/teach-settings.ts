/**
 * How this browser teaches parts, remembered across visits (localStorage): the preset, the epochs and
 * the seed. The numbers that define a model come from the preset; these only choose among them.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { DEFAULT_PRESET, PRESETS, presetSettings, type ModelSettings, type PresetName } from '../../engine/patchflow/manifest';
import { trainDefaults } from '../../engine/train/defaults';
import type { StoredSession } from './session-storage';

export interface TeachSettings {
  preset: PresetName;
  epochs: number;
  seed: number;
  setPreset(preset: PresetName): void;
  setEpochs(epochs: number): void;
  setSeed(seed: number): void;
}

/** The model settings a session teaches with: its preset, crop, region and kind of defect. */
export function modelSettingsOf(session: Pick<StoredSession, 'preset' | 'centerCrop' | 'region' | 'thinDefects'>): ModelSettings {
  return { ...presetSettings(session.preset, session.thinDefects), centerCrop: session.centerCrop, ...(session.region && { region: session.region }) };
}

export const isPreset = (name: string): name is PresetName => name in PRESETS;

/** What each preset is for, in a line the Teach view shows beside its name. */
export const PRESET_NOTES: Record<PresetName, string> = {
  balanced: 'the default: position-aware flow and two Gaussian companions; the best heat maps for fixtured parts',
  fast: 'the flow alone: the smallest model and the fastest inspection',
  'fine-detail': 'balanced at 384 px: the finest heat maps, about twice the time',
  tiled: 'balanced on 2 × 2 overlapping tiles of each photo: small defects on large photos; about four times the time, and some 2 GB of memory to teach',
  paper: 'PatchFlow as published, for reference',
  live: 'balanced at 192 px: for camera streams, about half the work per frame',
};

export const useTeachSettings = create<TeachSettings>()(
  persist(
    (set) => ({
      preset: DEFAULT_PRESET,
      epochs: trainDefaults().epochs,
      seed: trainDefaults().seed,
      setPreset: (preset) => set({ preset }),
      setEpochs: (epochs) => set({ epochs: Math.max(1, Math.min(100, Math.round(epochs))) }),
      setSeed: (seed) => set({ seed: Math.round(seed) }),
    }),
    {
      name: 'patchflow-inspect.teach-settings',
      storage: createJSONStorage(() => localStorage),
      // a preset removed since it was chosen falls back to the default
      merge: (saved, current) => {
        const s = saved as Partial<TeachSettings> | undefined;
        return { ...current, ...s, preset: s?.preset && isPreset(s.preset) ? s.preset : current.preset };
      },
    },
  ),
);
