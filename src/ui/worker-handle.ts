/**
 * A worker the page talks to through comlink, watched for its death. Both clients (inspection and
 * teaching) start theirs here: the same thread setting, the same crash detection, and calls in flight
 * that fail with the client's own error when the worker dies or is ended.
 */
import * as Comlink from 'comlink';
import { Tripwire } from '../engine/tripwire';
import type { BackendChoice } from '../../workers/inspector-api';

/**
 * Settings from the page address, for line set-up and benchmarks: `?backend=wasm|webgpu|auto` and
 * `?threads=N` (WASM threads).
 */
export function addressSettings(): { backend: BackendChoice; threads: number | null } {
  const query = new URLSearchParams(globalThis.location?.search ?? '');
  const backend = query.get('backend');
  const threads = Number(query.get('threads'));
  return { backend: backend === 'wasm' || backend === 'webgpu' ? backend : 'auto', threads: threads > 0 ? threads : null };
}

export interface WorkerHandle<Api> {
  api: Comlink.Remote<Api>;
  /** Runs one call, failing it if the worker dies or is ended meanwhile. */
  call<T>(f: (api: Comlink.Remote<Api>) => Promise<T>): Promise<T>;
  /** Terminates the worker; the calls in flight, and any later ones, fail with `error`. */
  end(error: Error): void;
}

/**
 * An uncaught error's event text without the "Uncaught SomeError: " the browser puts before it: a person
 * reads why (the GPU was lost, out of memory), not how it surfaced.
 */
export function crashReason(eventMessage: string): string {
  return eventMessage.replace(/^Uncaught (\w*(Error|Exception): )?/, '') || 'uncaught error';
}

/**
 * Wraps `worker` (constructed at the caller, where the bundler can see its URL); `onCrash` is told why
 * when it dies on its own, and is expected to `end` it with the client's error.
 */
export function watchWorker<Api extends { setThreads(threads: number): unknown }>(worker: Worker, onCrash: (why: string) => void): WorkerHandle<Api> {
  const api = Comlink.wrap<Api>(worker);
  const { threads } = addressSettings();
  if (threads) void api.setThreads(threads);
  const ended = new Tripwire();
  worker.addEventListener('error', (e) => onCrash(crashReason(e.message)));
  worker.addEventListener('messageerror', () => onCrash('a message could not be read'));
  return {
    api,
    call: (f) => ended.guard(f(api)),
    end: (error) => {
      worker.terminate();
      ended.trip(error);
    },
  };
}
