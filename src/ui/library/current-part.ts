/**
 * The part model the app inspects with: which one is chosen, how it runs, and saving a threshold into it.
 * The library feature chooses (choose), the inspect feature reads and saves thresholds.
 */
import { create } from 'zustand';
import type { LoadedPart, PartPackageData } from '../../../workers/inspector-api';
import { inspector } from '../inspector-client';

export interface CurrentPartState {
  /** The chosen package (manifest + head), or null before a choice. */
  pkg: PartPackageData | null;
  /** How it runs in the worker once loaded. */
  loaded: LoadedPart | null;
  loading: boolean;
  /** The id of the package being loaded (the chooser shows it while the old one still runs). */
  choosing: string | null;
  error: string | null;
  /** Loads a package into the worker; the previous one stays if this fails. */
  choose(pkg: PartPackageData): Promise<void>;
  /** Records a backend switch seen on a result (a lost GPU fell back to WASM). */
  noteBackend(backend: LoadedPart['backend'], note: string | null): void;
  /** Forgets the choice (its model was deleted); the worker's copy is simply no longer used. */
  clear(): void;
}

export const useCurrentPart = create<CurrentPartState>((set, get) => ({
  pkg: null,
  loaded: null,
  loading: false,
  choosing: null,
  error: null,
  async choose(pkg) {
    set({ loading: true, choosing: pkg.id, error: null });
    try {
      const loaded = await inspector.loadPart(pkg);
      set({ pkg, loaded, loading: false, choosing: null });
    } catch (e) {
      set({ loading: false, choosing: null, error: (e as Error).message });
    }
  },
  noteBackend(backend, note) {
    const loaded = get().loaded;
    if (loaded && loaded.backend !== backend) set({ loaded: { ...loaded, backend, backendNote: note } });
  },
  clear() {
    set({ pkg: null, loaded: null, error: null });
  },
}));

// a restarted worker reloads the last part model; keep the readout true to what it now runs on, and why
inspector.onRestart((why, reload) => {
  void reload?.then(
    // a choice cleared meanwhile stays cleared
    (loaded) => {
      const backendNote = [loaded.backendNote, `the inspection worker restarted (${why})`].filter(Boolean).join('; ');
      if (useCurrentPart.getState().pkg) useCurrentPart.setState({ loaded: { ...loaded, backendNote }, error: null });
    },
    (e: Error) => useCurrentPart.setState({ error: `worker restarted (${why}) but the part model did not reload: ${e.message}` }),
  );
});
