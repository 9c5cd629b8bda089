/**
 * The page's handle on the teaching worker, started on first use. Cancelling a run ends the worker at
 * once (an ONNX step cannot be interrupted from outside, and its memory goes with it); a crashed worker
 * fails the calls in flight with a message. Either way the next call starts a fresh worker, and a run
 * goes on from its last checkpoint when asked to.
 */
import * as Comlink from 'comlink';
import type { Backend, PartPackageData } from '../../workers/inspector-api';
import type { ExaminedPhoto, ScoredPhoto, TaughtPart, TeachListener, TeachRequest } from '../../workers/teacher-api';
import type { TeacherWorkerApi } from '../../workers/teacher.worker';
import { addressSettings, watchWorker, type WorkerHandle } from './worker-handle';

export class TeachingStoppedError extends Error {}

export class TeacherClient {
  private live: WorkerHandle<TeacherWorkerApi> | null = null;

  /** Runs one call on the worker (started if need be), failing it if the worker ends meanwhile. */
  private call<T>(f: (api: Comlink.Remote<TeacherWorkerApi>) => Promise<T>): Promise<T> {
    if (!this.live) {
      const live = watchWorker<TeacherWorkerApi>(new Worker(new URL('../../workers/teacher.worker.ts', import.meta.url), { type: 'module' }), (why) =>
        this.end(live, new TeachingStoppedError(`the teaching worker crashed (${why})`)),
      );
      this.live = live;
    }
    return this.live.call(f);
  }

  /** Ends `live`; the next call starts a fresh worker. */
  private end(live: WorkerHandle<TeacherWorkerApi>, error: Error): void {
    live.end(error);
    if (this.live === live) this.live = null;
  }

  /** Checks a good photo: that it decodes, its size, its content hash, a thumbnail. */
  examine(photo: Blob, name: string, inputSize: number): Promise<ExaminedPhoto> {
    return this.call((api) => api.examine(photo, name, inputSize));
  }

  /**
   * Teaches a part (the backend from `?backend=`); reports through `listener`. A GPU lost mid-run leaves
   * the worker's onnxruntime stuck, so the run goes on in a fresh worker, on WASM, from its last checkpoint.
   */
  async teach(request: Omit<TeachRequest, 'backend'>, listener: TeachListener): Promise<TaughtPart> {
    let last = request.resumeFrom;
    const tracked: TeachListener = {
      ...listener,
      checkpoint: async (c) => {
        await listener.checkpoint(c);
        last = c;
      },
    };
    try {
      return await this.call((api) => api.teach({ ...request, backend: addressSettings().backend }, Comlink.proxy(tracked)));
    } catch (e) {
      if ((e as Error | undefined)?.name !== 'GpuLostError') throw e;
      this.stop('the GPU was lost');
      const why = `WebGPU failed: ${(e as Error).message}; training goes on on WASM from ${last ? `epoch ${last.epoch + 1}` : 'the start'}`;
      listener.backend('wasm', why);
      // the fresh worker says it trains on WASM: still for this reason
      const resumed: TeachListener = { ...tracked, backend: (backend, note) => listener.backend(backend, note ?? why) };
      return this.call((api) => api.teach({ ...request, resumeFrom: last, backend: 'wasm' }, Comlink.proxy(resumed)));
    }
  }

  /** Loads a part taught before (kept across a reload) for scoring. */
  adopt(pkg: PartPackageData, backend: Backend): Promise<void> {
    return this.call((api) => api.adopt(pkg, backend));
  }

  /** Scores a photo with the part taught last. */
  score(photo: Blob, name: string): Promise<ScoredPhoto> {
    return this.call((api) => api.score(photo, name));
  }

  /** Ends whatever the worker is doing, at once; the calls in flight fail with a TeachingStoppedError. */
  stop(why: string): void {
    if (this.live) this.end(this.live, new TeachingStoppedError(why));
  }

  /** Diagnostics: loses the GPU under a WebGPU run (used by the end-to-end tests). */
  loseGpu(): Promise<void> {
    return this.call((api) => api.loseGpu());
  }
}

export const teacher = new TeacherClient();

// for plant automation and the benchmarks: the same client the page uses
const page = globalThis as { patchflow?: Record<string, unknown> };
page.patchflow = { ...page.patchflow, teacher };
