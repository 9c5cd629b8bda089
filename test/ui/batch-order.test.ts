/**
 * The batch keeps its results in the order the photos were sent, whatever order the worker answers in
 * (it decodes two photos at once, and the second may be ready first). The worker and the record writer
 * are stand-ins here; the e2e suite checks the same order at a real broker.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface Pending {
  name: string;
  resolve: (result: unknown) => void;
  reject: (e: Error) => void;
}

const worker = vi.hoisted(() => ({ pending: [] as Pending[] }));
const kept = vi.hoisted(() => [] as string[]);

vi.mock('../../src/ui/inspector-client', () => ({
  WorkerCrashedError: class extends Error {},
  inspector: {
    inspect: (_photo: Blob, name: string) => new Promise((resolve, reject) => worker.pending.push({ name, resolve, reject })),
    onRestart: () => () => undefined,
  },
}));
vi.mock('../../src/ui/library/current-part', () => ({
  useCurrentPart: { getState: () => ({ pkg: { id: 'part' }, noteBackend: () => undefined }), subscribe: () => () => undefined },
}));
vi.mock('../../src/ui/records/keep-record', () => ({
  recordModel: () => ({ id: 'part' }),
  keepInspection: async ({ path }: { path: string }) => {
    kept.push(path);
  },
}));
vi.mock('../../src/ui/records/pending-photos', () => ({
  keepPending: async () => undefined,
  dropPending: async () => undefined,
  adoptPending: () => undefined,
}));

const { useBatch } = await import('../../src/ui/inspect/batch-store');

const result = { score: 1, backend: 'wasm', backendNote: null, thumbnail: { close: () => undefined } };
const photos = (...names: string[]) => names.map((name) => ({ file: new File([], name), path: name }));
const answer = (name: string, how: 'resolve' | 'reject') => {
  const call = worker.pending.find((p) => p.name === name)!;
  if (how === 'resolve') call.resolve(result);
  else call.reject(new Error(`${name} is not a photo`));
};
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('the inspection batch', () => {
  beforeEach(() => {
    vi.stubGlobal('requestAnimationFrame', (f: () => void) => setTimeout(f, 0));
    worker.pending.length = 0;
    kept.length = 0;
  });
  afterEach(() => {
    useBatch.getState().clear();
    vi.unstubAllGlobals();
  });

  it('keeps results in the order their photos were sent when the worker answers out of order', async () => {
    useBatch.getState().add(photos('001.jpg', '002.jpg', '003.jpg'), 'part');
    expect(worker.pending.map((p) => p.name)).toEqual(['001.jpg', '002.jpg']);
    answer('002.jpg', 'resolve');
    await settle();
    expect(kept).toEqual([]);
    answer('001.jpg', 'resolve');
    await vi.waitFor(() => expect(worker.pending.map((p) => p.name)).toContain('003.jpg'));
    answer('003.jpg', 'resolve');
    await vi.waitFor(() => expect(kept).toEqual(['001.jpg', '002.jpg', '003.jpg']));
    await vi.waitFor(() => expect(useBatch.getState().items.map((i) => i.status)).toEqual(['done', 'done', 'done']));
  });

  it('does not hold a result back for a photo before it that failed', async () => {
    useBatch.getState().add(photos('bad.jpg', 'good.jpg'), 'part');
    answer('good.jpg', 'resolve');
    answer('bad.jpg', 'reject');
    await vi.waitFor(() => expect(kept).toEqual(['good.jpg']));
    await vi.waitFor(() => expect(useBatch.getState().items.map((i) => [i.name, i.status])).toEqual([['bad.jpg', 'error'], ['good.jpg', 'done']]));
  });
});
