/** State of the inspection page: the loaded part model and one entry per inspected photo. */
import { create } from 'zustand';
import type { Inspection } from '../../engine/patchflow/pipeline';
import { inspector } from '../inspector-client';

export interface LoadedPart {
  part: string;
  runtime: string;
  threshold: number;
  pixelThreshold: number;
}

export interface InspectedPhoto {
  id: number;
  name: string;
  url: string;
  result?: Inspection;
  error?: string;
}

interface InspectState {
  part: LoadedPart | null;
  loadingPart: boolean;
  partError: string | null;
  photos: InspectedPhoto[];
  loadPart(files: File[]): Promise<void>;
  inspect(files: File[]): Promise<void>;
}

let nextId = 1;
const bytesOf = async (f: File) => new Uint8Array(await f.arrayBuffer());

export const useInspectStore = create<InspectState>((set, get) => ({
  part: null,
  loadingPart: false,
  partError: null,
  photos: [],

  async loadPart(files) {
    const manifest = files.find((f) => f.name === 'manifest.json');
    const head = files.find((f) => f.name.endsWith('.onnx'));
    if (!manifest || !head) {
      set({ partError: 'choose a part model: its manifest.json and head.onnx together (or the folder holding them)' });
      return;
    }
    set({ loadingPart: true, partError: null });
    try {
      const part = await inspector.loadPart(await manifest.text(), await bytesOf(head), manifest.webkitRelativePath || manifest.name);
      set({ part, loadingPart: false });
    } catch (e) {
      // the previous part model stays loaded in the worker
      set({ loadingPart: false, partError: (e as Error).message });
    }
  },

  async inspect(files) {
    const added = files.map((f) => ({ id: nextId++, name: f.name, url: URL.createObjectURL(f), file: f }));
    set({ photos: [...added.map(({ file: _file, ...p }) => p), ...get().photos] });
    for (const p of added) {
      const update = (patch: Partial<InspectedPhoto>) => set({ photos: get().photos.map((x) => (x.id === p.id ? { ...x, ...patch } : x)) });
      try {
        update({ result: await inspector.inspect(await bytesOf(p.file), p.name) });
      } catch (e) {
        update({ error: (e as Error).message });
      }
    }
  },
}));
