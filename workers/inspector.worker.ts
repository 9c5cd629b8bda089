/**
 * The browser's inspection worker: a thin comlink façade over the engine. The page hands it part model
 * packages and photos (as Blobs: no copy of the bytes); it answers with scores, maps and thumbnails. All
 * decoding and ONNX work stays off the UI thread.
 */
import * as Comlink from 'comlink';
import { servedBackbone } from './served-backbone';
import { decodeSide } from '../src/engine/patchflow/tiling';
import { checkBackbone, readPartPackage, type NamedBytes } from '../src/engine/patchflow/part-package';
import type { RgbImage } from '../src/engine/image/decode';
import { PartModel, type Inspection } from '../src/engine/patchflow/pipeline';
import { destroyGpuDevice, GpuLostError, webGpuUnavailable, webRuntime, wasmThreads } from '../src/engine/runtime/web';
import { decodePhoto } from './decode-photo';
import { THUMBNAIL_SIZE, type Backend, type BackendChoice, type Environment, type FrameRegion, type FrameResult, type LoadedPart, type PartPackageData, type PhotoResult } from './inspector-api';
import { readFrame } from './read-frame';

let threads = wasmThreads();

interface Loaded {
  model: PartModel;
  id: string;
  backend: Backend;
}
/** The chosen part model. */
let current: Loaded | undefined;
/** The station's live model for that part (e.g. the live preset), used for camera frames when loaded. */
let live: Loaded | undefined;

/** Builds the part model's session on one backend and proves it with a warm-up inference. */
async function open(pkg: PartPackageData, backend: Backend): Promise<PartModel> {
  const model = await PartModel.load(webRuntime(backend, { threads }), await servedBackbone(), pkg.manifest, pkg.head);
  try {
    await model.warmUp();
    return model;
  } catch (e) {
    await model.release().catch(() => undefined);
    throw e;
  }
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface Opened {
  loaded: Loaded;
  /** Why it is not on WebGPU, or null. */
  backendNote: string | null;
}

/** What the page learns of a model opened since `t0`. */
const describe = (pkg: PartPackageData, { loaded, backendNote }: Opened, t0: number): LoadedPart => ({
  id: pkg.id,
  part: pkg.manifest.part,
  backend: loaded.backend,
  backendNote,
  loadSeconds: (performance.now() - t0) / 1000,
});

/**
 * Opens a part model on the backend `choice` allows: 'auto' tries WebGPU (a warm-up inference must give
 * finite scores) and falls back to WASM, saying why.
 */
async function openChosen(pkg: PartPackageData, choice: BackendChoice): Promise<Opened> {
  checkBackbone(pkg.manifest, (await servedBackbone()).manifest);
  let backendNote: string | null = null;
  if (choice !== 'wasm') {
    const unavailable = await webGpuUnavailable();
    if (unavailable) backendNote = `WebGPU unavailable: ${unavailable}; using WASM`;
    else {
      try {
        return { loaded: { model: await open(pkg, 'webgpu'), id: pkg.id, backend: 'webgpu' }, backendNote };
      } catch (e) {
        if (choice === 'webgpu') throw new Error(`WebGPU failed: ${message(e)}`);
        backendNote = `WebGPU failed: ${message(e)}; using WASM`;
      }
    }
  }
  return { loaded: { model: await open(pkg, 'wasm'), id: pkg.id, backend: 'wasm' }, backendNote };
}

/**
 * Inspects on a loaded model; a failing GPU moves that model to WASM, from this image on. A lost GPU
 * leaves this worker's onnxruntime stuck: the worker ends as a crash would (the call never answers), and
 * the page starts a fresh one with the models reloaded and sends the photo again.
 */
async function inspectOn(slot: Loaded, image: RgbImage): Promise<{ result: Inspection; slot: Loaded; backendNote: string | null }> {
  try {
    return { result: await slot.model.inspect(image), slot, backendNote: null };
  } catch (e) {
    if (e instanceof GpuLostError) {
      setTimeout(() => {
        throw e;
      });
      return new Promise<never>(() => undefined);
    }
    if (slot.backend !== 'webgpu') throw e;
    const moved: Loaded = { model: await PartModel.load(webRuntime('wasm', { threads }), await servedBackbone(), slot.model.manifest, slot.model.head), id: slot.id, backend: 'wasm' };
    await slot.model.release().catch(() => undefined);
    return { result: await moved.model.inspect(image), slot: moved, backendNote: `WebGPU lost: ${message(e)}; using WASM` };
  }
}

const api = {
  async environment(): Promise<Environment> {
    return { webgpuUnavailable: await webGpuUnavailable(), crossOriginIsolated: globalThis.crossOriginIsolated, threads };
  },

  /** WASM threads for this worker's sessions; onnxruntime-web reads it once, before the first session. */
  setThreads(n: number): void {
    threads = Math.max(1, Math.min(n, wasmThreads()));
  },

  /** Unpacks and checks a part model package, including that it was trained on this app's backbone. */
  async readPackage(files: NamedBytes[]): Promise<PartPackageData> {
    const pkg = await readPartPackage(files);
    checkBackbone(pkg.manifest, (await servedBackbone()).manifest);
    return Comlink.transfer(pkg, [pkg.head.buffer]);
  },

  /** Loads a part model (see openChosen). The model loaded before stays in use if this one fails. */
  async loadPart(pkg: PartPackageData, choice: BackendChoice): Promise<LoadedPart> {
    const t0 = performance.now();
    const opened = await openChosen(pkg, choice);
    const previous = current;
    current = opened.loaded;
    if (previous) await previous.model.release();
    return describe(pkg, opened, t0);
  },

  /**
   * Loads the model camera frames are inspected with instead of the chosen one; null goes back to the
   * chosen one. The live model loaded before stays in use if this one fails.
   */
  async loadLivePart(pkg: PartPackageData | null, choice: BackendChoice): Promise<LoadedPart | null> {
    const t0 = performance.now();
    const opened = pkg ? await openChosen(pkg, choice) : null;
    const previous = live;
    live = opened?.loaded;
    if (previous) await previous.model.release();
    return pkg && opened && describe(pkg, opened, t0);
  },

  async inspect(photo: Blob, name: string): Promise<PhotoResult> {
    const slot = current;
    if (!slot) throw new Error('choose a part model first');
    const t0 = performance.now();
    const settings = slot.model.manifest.settings;
    const decoded = await decodePhoto(photo, name, decodeSide(settings), THUMBNAIL_SIZE);
    const t1 = performance.now();
    const { result, slot: ran, backendNote } = await inspectOn(slot, decoded.image);
    if (current === slot) current = ran;
    const out: PhotoResult = {
      score: result.score,
      verdict: result.verdict,
      anomalyMap: result.anomalyMap,
      mapWidth: result.mapWidth,
      mapHeight: result.mapHeight,
      width: decoded.width,
      height: decoded.height,
      thumbnail: decoded.thumbnail,
      decodeMs: t1 - t0,
      inferenceMs: result.milliseconds,
      filled: result.filled,
      backend: ran.backend,
      backendNote,
    };
    return Comlink.transfer(out, [out.anomalyMap.buffer, out.thumbnail]);
  },

  /**
   * Inspects one camera frame (transferred, and closed here): `region` (frame pixels; null: the whole
   * frame) is cropped and reduced as a photo of it would be, and scored by the live model if one is
   * loaded, else by the chosen one.
   */
  async inspectFrame(frame: ImageBitmap | VideoFrame, region: FrameRegion | null): Promise<FrameResult> {
    const slot = live ?? current;
    if (!slot) {
      frame.close();
      throw new Error('choose a part model first');
    }
    const t0 = performance.now();
    const read = await readFrame(frame, region, decodeSide(slot.model.manifest.settings));
    const readMs = performance.now() - t0;
    const { result, slot: ran, backendNote } = await inspectOn(slot, read.image);
    if (live === slot) live = ran;
    else if (current === slot) current = ran;
    const out: FrameResult = {
      score: result.score,
      verdict: result.verdict,
      anomalyMap: result.anomalyMap,
      mapWidth: result.mapWidth,
      mapHeight: result.mapHeight,
      picture: read.picture,
      region: read.region,
      readMs,
      inferenceMs: result.milliseconds,
      filled: result.filled,
      backend: ran.backend,
      backendNote,
      modelId: ran.id,
    };
    return Comlink.transfer(out, [out.anomalyMap.buffer, out.picture]);
  },

  /** Diagnostics: destroys the GPU device under a WebGPU run, as a lost GPU would (used by the end-to-end tests). */
  loseGpu: destroyGpuDevice,

  /** Diagnostics: dies as an uncaught error would (the page restarts the worker). */
  crash(): void {
    setTimeout(() => {
      throw new Error('crash requested for testing');
    });
  },
};

export type InspectorWorkerApi = typeof api;

Comlink.expose(api);
