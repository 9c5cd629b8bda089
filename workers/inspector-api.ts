/**
 * What the page and the inspection worker say to each other. The UI imports these types only; the
 * worker (inspector.worker.ts) implements them.
 */
import type { PartManifest } from '../src/engine/patchflow/manifest';

export type Backend = 'webgpu' | 'wasm';

/** Which backend a part model should run on: 'auto' tries WebGPU and falls back to WASM. */
export type BackendChoice = 'auto' | Backend;

export interface Environment {
  /** Why WebGPU cannot be used here, or null when an adapter exists. */
  webgpuUnavailable: string | null;
  crossOriginIsolated: boolean;
  /** WASM threads the runtime uses. */
  threads: number;
}

/** A validated part model, ready to store or load. */
export interface PartPackageData {
  id: string;
  manifest: PartManifest;
  head: Uint8Array;
}

/** The loaded part model and how it runs. */
export interface LoadedPart {
  id: string;
  part: string;
  backend: Backend;
  /** Why it is not on WebGPU (e.g. "WebGPU failed: …, using WASM"), or null. */
  backendNote: string | null;
  /** Seconds spent building the session and the warm-up inference. */
  loadSeconds: number;
}

/** A photo's score and heat map (the Inspect view's results, the Teach view's checks). */
export interface ScoredPhoto {
  /** Image anomaly score; the verdict is score ≥ threshold. */
  score: number;
  /** Anomaly map in good-σ units over the whole photo, row-major [mapHeight × mapWidth]. */
  anomalyMap: Float32Array;
  mapWidth: number;
  mapHeight: number;
  /** The photo as decoded (EXIF orientation applied), before any reduction. */
  width: number;
  height: number;
  /** A small copy of the photo for lists (longer side THUMBNAIL_SIZE). */
  thumbnail: ImageBitmap;
}

export interface PhotoResult extends ScoredPhoto {
  /** The verdict at the model's stored threshold (the page re-judges at its own). */
  verdict: 'pass' | 'fail';
  decodeMs: number;
  inferenceMs: number;
  /** The share of the model's input the photo filled: below 1 when it was letterboxed (another shape than the model's). */
  filled: number;
  backend: Backend;
  /** Set when this photo made the model leave WebGPU (e.g. "WebGPU lost: …; using WASM"). */
  backendNote: string | null;
}

export const THUMBNAIL_SIZE = 96;

/** A rectangle of a camera frame, in the frame's pixels. */
export interface FrameRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One camera frame inspected: the region the model read, as it read it, with its score and map. */
export interface FrameResult extends Omit<PhotoResult, 'thumbnail' | 'decodeMs' | 'width' | 'height'> {
  /** The region as the model read it (reduced as a photo of it would be), for drawing and capture. */
  picture: ImageBitmap;
  /** The region inspected, in frame pixels (clamped to the frame). */
  region: FrameRegion;
  /** Milliseconds spent cropping, reducing and reading the frame's pixels. */
  readMs: number;
  /** The model that inspected it: the part's live model when one is loaded, else the chosen one. */
  modelId: string;
}

/** `public/models/parts/index.json`: the part models shipped with the app (made by `npm run setup`). */
export interface ShippedParts {
  format: 'patchflow-inspect/shipped-parts@1';
  parts: { part: string; file: string; bytes: number; description: string }[];
}
