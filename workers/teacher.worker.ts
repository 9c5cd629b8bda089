/**
 * The browser's teaching worker: a thin comlink façade over the engine's trainer. The page hands it good
 * photos (Blobs) and the run's settings; it decodes them with the browser's decoders, trains on
 * onnxruntime-web (WebGPU, its state kept on the GPU between steps, or WASM) and reports progress and a
 * checkpoint per epoch. A GPU that fails mid-run hands the run to WASM, which goes on from the last
 * checkpoint: here, or in a fresh worker when the GPU was lost (see GpuLostError). The taught model
 * stays loaded here to score held-out and validation photos.
 */
import * as Comlink from 'comlink';
import { sha256Hex } from '../src/engine/backbone/provision';
import { decodeSide } from '../src/engine/patchflow/tiling';
import { packPartPackage, readPartPackage } from '../src/engine/patchflow/part-package';
import { PartModel } from '../src/engine/patchflow/pipeline';
import { destroyGpuDevice, GpuLostError, unlessGpuLost, webGpuUnavailable, webRuntime, wasmThreads, type WebBackend } from '../src/engine/runtime/web';
import { trainDefaults, trainPartModel, type TrainOptions, type TrainedModel } from '../src/engine/train/trainer';
import { decodePhoto, decodePixels } from './decode-photo';
import { THUMBNAIL_SIZE, type Environment, type PartPackageData } from './inspector-api';
import { servedBackbone } from './served-backbone';
import type { ExaminedPhoto, ScoredPhoto, TaughtPart, TeachListener, TeachRequest } from './teacher-api';

let threads = wasmThreads();
/** The model taught last, loaded for scoring photos. */
let taught: PartModel | undefined;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const runtimeFor = (backend: WebBackend) => webRuntime(backend, { threads });

/** Trains on WebGPU where the request allows and an adapter exists; on WASM otherwise, or from where WebGPU failed. */
async function teachOn(request: TeachRequest, listener: TeachListener, train: (backend: WebBackend) => Promise<TrainedModel>, resumedAt: () => number) {
  if (request.backend !== 'wasm') {
    const unavailable = await webGpuUnavailable();
    if (unavailable && request.backend === 'webgpu') throw new Error(`WebGPU unavailable: ${unavailable}`);
    if (!unavailable) {
      listener.backend('webgpu', null);
      try {
        return { trained: await unlessGpuLost(train('webgpu')), backend: 'webgpu' as const };
      } catch (e) {
        // a lost GPU leaves this worker's onnxruntime stuck: the page goes on in a fresh worker
        if (request.backend === 'webgpu' || e instanceof GpuLostError) throw e;
        const epoch = resumedAt();
        listener.backend('wasm', `WebGPU failed: ${message(e)}; training goes on on WASM from ${epoch ? `epoch ${epoch + 1}` : 'the start'}`);
      }
    } else listener.backend('wasm', `WebGPU unavailable: ${unavailable}; training on WASM`);
  } else listener.backend('wasm', null);
  return { trained: await train('wasm'), backend: 'wasm' as const };
}

const api = {
  async environment(): Promise<Environment> {
    return { webgpuUnavailable: await webGpuUnavailable(), crossOriginIsolated: globalThis.crossOriginIsolated, threads };
  },

  /** WASM threads for this worker's sessions; onnxruntime-web reads it once, before the first session. */
  setThreads(n: number): void {
    threads = Math.max(1, Math.min(n, wasmThreads()));
  },

  /** Checks that a photo decodes; its size, content hash (duplicates) and a thumbnail. */
  async examine(photo: Blob, name: string, inputSide: number): Promise<ExaminedPhoto> {
    const [decoded, sha256] = await Promise.all([decodePhoto(photo, name, inputSide, THUMBNAIL_SIZE), photo.arrayBuffer().then((b) => sha256Hex(new Uint8Array(b)))]);
    const out: ExaminedPhoto = { width: decoded.width, height: decoded.height, sha256, thumbnail: decoded.thumbnail };
    return Comlink.transfer(out, [out.thumbnail]);
  },

  /** Teaches a part; resolves with the new model, which stays loaded here for `score`. */
  async teach(request: TeachRequest, listener: TeachListener): Promise<TaughtPart> {
    const backbone = await servedBackbone();
    const images = await Promise.all(request.photos.map(async (p) => ({ name: p.name, bytes: new Uint8Array(await p.photo.arrayBuffer()) })));
    let last = request.resumeFrom;
    const options = (): TrainOptions => ({
      ...trainDefaults(),
      part: request.part,
      dataLabel: request.dataLabel,
      settings: request.settings,
      epochs: request.epochs,
      seed: request.seed,
      decode: (bytes, label, size) => decodePixels(new Blob([bytes as Uint8Array<ArrayBuffer>]), label, size),
      onProgress: (p) => void listener.progress(p),
      resumeFrom: last ?? undefined,
      onCheckpoint: async (c) => {
        await listener.checkpoint(c);
        last = c;
      },
    });
    const { trained, backend } = await teachOn(request, listener, (b) => trainPartModel(runtimeFor(b), backbone, images, options()), () => last?.epoch ?? 0);
    const pkg = await readPartPackage([{ name: `${request.part}.zip`, bytes: packPartPackage(trained.manifest, trained.head) }]);
    const previous = taught;
    taught = await PartModel.load(runtimeFor(backend), backbone, pkg.manifest, pkg.head);
    await previous?.release();
    return { pkg, heldOut: trained.heldOut, backend };
  },

  /** Loads a model taught before (kept across a reload) for `score`. */
  async adopt(pkg: PartPackageData, backend: WebBackend): Promise<void> {
    const previous = taught;
    taught = await PartModel.load(runtimeFor(backend), await servedBackbone(), pkg.manifest, pkg.head);
    await previous?.release();
  },

  /** Scores a photo with the model taught last: its score, heat map and a thumbnail. */
  async score(photo: Blob, name: string): Promise<ScoredPhoto> {
    if (!taught) throw new Error('no part model has been taught in this session');
    const decoded = await decodePhoto(photo, name, decodeSide(taught.manifest.settings), THUMBNAIL_SIZE);
    const r = await taught.inspect(decoded.image);
    const out: ScoredPhoto = { score: r.score, anomalyMap: r.anomalyMap, mapWidth: r.mapWidth, mapHeight: r.mapHeight, width: decoded.width, height: decoded.height, thumbnail: decoded.thumbnail };
    return Comlink.transfer(out, [out.anomalyMap.buffer, out.thumbnail]);
  },

  /** Diagnostics: destroys the GPU device under a WebGPU run, as a lost GPU would (used by the end-to-end tests). */
  loseGpu: destroyGpuDevice,
};

export type TeacherWorkerApi = typeof api;

Comlink.expose(api);
