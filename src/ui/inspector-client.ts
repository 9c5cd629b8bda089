/**
 * The page's handle on the inspection worker. One worker per tab; if it crashes (out of memory, a lost
 * GPU) the calls in flight fail with a WorkerCrashedError, a fresh worker starts and the last part model
 * is loaded into it again, so a batch goes on (and sends the photos it had in flight once more).
 */
import * as Comlink from 'comlink';
import { addressSettings, watchWorker, type WorkerHandle } from './worker-handle';
import type { BackendChoice, Environment, FrameRegion, FrameResult, LoadedPart, PartPackageData, PhotoResult } from '../../workers/inspector-api';
import type { InspectorWorkerApi } from '../../workers/inspector.worker';

export class WorkerCrashedError extends Error {}

export class InspectorClient {
  private live: WorkerHandle<InspectorWorkerApi>;
  private lastPart: { pkg: PartPackageData; backend: BackendChoice } | null = null;
  private lastLivePart: { pkg: PartPackageData; backend: BackendChoice } | null = null;
  private listeners = new Set<(why: string, part: Promise<LoadedPart> | null) => void>();

  constructor() {
    this.live = this.start();
  }

  private start(): WorkerHandle<InspectorWorkerApi> {
    const live = watchWorker<InspectorWorkerApi>(new Worker(new URL('../../workers/inspector.worker.ts', import.meta.url), { type: 'module' }), (why) => {
      live.end(new WorkerCrashedError(`the inspection worker crashed (${why}); it was restarted`));
      if (this.live === live) this.restart(why);
    });
    return live;
  }

  private restart(why: string) {
    this.live = this.start();
    const { lastPart, lastLivePart } = this;
    // the live model comes back with the part model, before frames are inspected again
    const reload = lastPart
      ? this.live.call(async (api) => {
          const loaded = await api.loadPart(lastPart.pkg, lastPart.backend);
          if (lastLivePart) await api.loadLivePart(lastLivePart.pkg, lastLivePart.backend);
          return loaded;
        })
      : null;
    reload?.catch(() => undefined);
    for (const l of this.listeners) l(why, reload);
  }

  /** Called after each restart with the reason and the reload of the last part model (if any). */
  onRestart(listener: (why: string, part: Promise<LoadedPart> | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  environment(): Promise<Environment> {
    return this.live.call((api) => api.environment());
  }

  /** Unpacks and validates a part model (a .zip, or manifest.json + head.onnx) against this app's backbone. */
  async readPackage(files: File[]): Promise<PartPackageData> {
    const named = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    return this.live.call((api) => api.readPackage(named));
  }

  /** Loads a part model; the one loaded before stays in use if this fails. */
  async loadPart(pkg: PartPackageData, backend: BackendChoice = addressSettings().backend): Promise<LoadedPart> {
    const loaded = await this.live.call((api) => api.loadPart(pkg, backend));
    this.lastPart = { pkg, backend };
    return loaded;
  }

  inspect(photo: Blob, name: string): Promise<PhotoResult> {
    return this.live.call((api) => api.inspect(photo, name));
  }

  /** Loads the model camera frames are inspected with (a part's live model); null: the chosen one. */
  async loadLivePart(pkg: PartPackageData | null, backend: BackendChoice = addressSettings().backend): Promise<LoadedPart | null> {
    const loaded = await this.live.call((api) => api.loadLivePart(pkg, backend));
    this.lastLivePart = pkg && { pkg, backend };
    return loaded;
  }

  /** Inspects `region` (frame pixels; null: all) of a camera frame, which is handed over to the worker. */
  inspectFrame(frame: ImageBitmap | VideoFrame, region: FrameRegion | null): Promise<FrameResult> {
    return this.live.call((api) => api.inspectFrame(Comlink.transfer(frame, [frame]), region));
  }

  /** Diagnostics: makes the worker die as a crash would (used by the end-to-end tests). */
  crashWorker(): void {
    void this.live.api.crash();
  }

  /** Diagnostics: destroys the worker's GPU device, as a lost GPU would (used by the end-to-end tests). */
  loseGpu(): Promise<void> {
    return this.live.api.loseGpu();
  }
}

export const inspector = new InspectorClient();

// for plant automation and the benchmarks: the same client the page uses
(globalThis as { patchflow?: { inspector: InspectorClient } }).patchflow = { inspector };
