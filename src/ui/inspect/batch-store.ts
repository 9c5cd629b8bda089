/**
 * The inspection batch: the photos added, the queue that feeds them to the worker, and how the results
 * are looked at (threshold being tried, selection, sort, overlay settings).
 *
 * The queue keeps at most two photos in the worker, so the next one decodes while the current one runs.
 * Answers are applied to the store at most once per animation frame, so a 500-photo batch re-renders
 * the page a few times a second rather than once per photo.
 *
 * Every finished inspection is written to the history before its verdict shows, in the order its photo
 * was sent (so the history and the plant's messages follow the batch's order), and the photos still
 * waiting are kept in the browser, so a reload or a crash loses no result and the batch can be resumed.
 */
import { create } from 'zustand';
import { inspector, WorkerCrashedError } from '../inspector-client';
import { useCurrentPart } from '../library/current-part';
import { keepInspection, recordModel, type RecordModel } from '../records/keep-record';
import { adoptPending, dropPending, keepPending, type PendingPhoto } from '../records/pending-photos';
import type { BatchItem } from './batch-item';
import type { PhotoResult } from '../../../workers/inspector-api';
import type { PickedPhoto } from './collect-files';
import { advance, type RunProgress } from './progress';
import { ADDED_ORDER, nextSort, type SortColumn, type SortOrder } from './results-order';

/** Photos in the worker at once: one decoding while one runs; more would only queue there. */
const MAX_IN_FLIGHT = 2;

export interface BatchState {
  items: BatchItem[];
  /** The part model the results come from; another model's results are not mixed in. */
  modelId: string | null;
  run: RunProgress | null;
  /** A threshold tried on this batch without re-running the model; null: the model's own. */
  trialThreshold: number | null;
  selectedId: number | null;
  sort: SortOrder;
  overlayOpacity: number;
  showHeatMap: boolean;
  /** A line about the batch as a whole (results cleared, a folder that could not be read). */
  notice: string | null;
  add(photos: PickedPhoto[], modelId: string): void;
  /** Goes on with an interrupted batch's photos (claimed from the pending store) by the model `modelId`. */
  resume(photos: Required<PendingPhoto>[], modelId: string): void;
  /** Adds a photo inspected elsewhere (a Live capture) by the model `modelId`, as a finished result, once recorded. */
  addCapturedResult(file: File, result: PhotoResult, modelId: string): Promise<void>;
  /** Drops the photos still waiting; finished ones and the ones in the worker stay. */
  cancel(): void;
  clear(): void;
  select(id: number | null): void;
  sortBy(column: SortColumn): void;
  setTrialThreshold(threshold: number | null): void;
  setOverlayOpacity(opacity: number): void;
  setShowHeatMap(show: boolean): void;
  setNotice(notice: string | null): void;
}

let nextId = 1;
/** Photos not yet sent to the worker, in order. */
let waiting: BatchItem[] = [];
let inFlight = 0;
/**
 * Settles once the photo sent last is kept, or has failed. Answers are kept in the order their photos
 * were sent: the worker decodes two at once, and the one sent second may finish decoding, and so
 * inference, first. The history and the plant's messages follow the batch's order.
 */
let keptBefore: Promise<void> = Promise.resolve();
/** Counts clears: an answer for a cleared batch is dropped. */
let generation = 0;
/** Photos sent again after the worker crashed under them; a second crash is their error. */
const resent = new Set<number>();
/** While a restarted worker reloads the part model, nothing is sent (it would find no model). */
let held: Promise<void> | null = null;
/** The model the batch's records name (set when photos are added with the chosen model). */
let recording: RecordModel | null = null;

/** Changes to items not yet applied to the store, and how many photos finished meanwhile. */
const pendingPatches = new Map<number, Partial<BatchItem>>();
let pendingFinished = 0;
let flushScheduled = false;

function applyPending(): void {
  flushScheduled = false;
  if (pendingPatches.size === 0) return;
  const patches = new Map(pendingPatches);
  const finished = pendingFinished;
  pendingPatches.clear();
  pendingFinished = 0;
  useBatch.setState((s) => {
    const items = s.items.map((item) => {
      const patch = patches.get(item.id);
      return patch ? { ...item, ...patch } : item;
    });
    // the first result opens in the viewer, so a batch shows a heat map without a click
    const selectedId = s.selectedId ?? items.find((i) => i.status === 'done')?.id ?? null;
    return { items, selectedId, run: s.run && advance(s.run, finished, 0, performance.now()) };
  });
}

function schedulePatch(id: number, patch: Partial<BatchItem>): void {
  pendingPatches.set(id, { ...pendingPatches.get(id), ...patch });
  if (flushScheduled) return;
  flushScheduled = true;
  requestAnimationFrame(() => flushScheduled && applyPending());
  // animation frames stop in a background tab; the timer keeps the list current there
  setTimeout(() => flushScheduled && applyPending(), 250);
}

function finish(id: number, patch: Partial<BatchItem>): void {
  pendingFinished++;
  schedulePatch(id, { ...patch, finishedAt: new Date().toISOString() });
}

function pump(): void {
  while (held === null && inFlight < MAX_IN_FLIGHT && waiting.length > 0) {
    const item = waiting.shift()!;
    const batch = generation;
    const model = recording;
    const sentBefore = keptBefore;
    let settled!: () => void;
    keptBefore = new Promise<void>((resolve) => (settled = resolve));
    inFlight++;
    schedulePatch(item.id, { status: 'inspecting' });
    inspector
      .inspect(item.file, item.name)
      .then(
        async (result) => {
          resent.delete(item.id);
          if (result.backendNote) useCurrentPart.getState().noteBackend(result.backend, result.backendNote);
          await sentBefore;
          // recorded before the verdict shows (even for a cleared batch: the part was inspected)
          if (model) await keepInspection({ photo: item.file, path: item.path, source: 'photo', result, model, itemId: item.id });
          if (batch !== generation) result.thumbnail.close();
          else finish(item.id, { status: 'done', result });
        },
        (e: unknown) => {
          // the worker died under it (a lost GPU, out of memory): sent once more to the restarted one
          if (e instanceof WorkerCrashedError && !resent.has(item.id) && batch === generation) {
            resent.add(item.id);
            const later = waiting.findIndex((w) => w.id > item.id);
            waiting.splice(later < 0 ? waiting.length : later, 0, item);
            schedulePatch(item.id, { status: 'queued' });
            return;
          }
          resent.delete(item.id);
          void dropPending([item.id]);
          if (batch === generation) finish(item.id, { status: 'error', error: e instanceof Error ? e.message : String(e) });
        },
      )
      .finally(() => {
        settled();
        inFlight--;
        pump();
      });
  }
}

export const useBatch = create<BatchState>((set, get) => ({
  items: [],
  modelId: null,
  run: null,
  trialThreshold: null,
  selectedId: null,
  sort: ADDED_ORDER,
  overlayOpacity: 0.7,
  showHeatMap: true,
  notice: null,

  add(photos, modelId) {
    const added = enqueue(photos, modelId);
    if (added.length === 0) return;
    keepPending(added, modelId).catch((e: Error) => set({ notice: `This batch cannot be resumed after a reload (${e.message}); its results are recorded as they finish.` }));
    pump();
  },

  resume(photos, modelId) {
    enqueue(photos, modelId).forEach((item, k) => adoptPending(item.id, photos[k].id));
    pump();
  },

  async addCapturedResult(file, result, modelId) {
    const pkg = useCurrentPart.getState().pkg;
    if (pkg?.id === modelId) await keepInspection({ photo: file, path: file.name, source: 'capture', result, model: recordModel(pkg) });
    applyPending();
    const item: BatchItem = { id: nextId++, file, name: file.name, path: file.name, status: 'done', result, error: null, finishedAt: new Date().toISOString() };
    set((s) => ({ items: [...s.items, item], modelId, selectedId: s.selectedId ?? item.id, notice: null }));
  },

  cancel() {
    if (waiting.length === 0) return;
    const dropped = new Set(waiting.map((i) => i.id));
    void dropPending([...dropped]);
    waiting = [];
    set((s) => ({ items: s.items.filter((i) => !dropped.has(i.id)), run: s.run && advance(s.run, 0, -dropped.size, performance.now()) }));
  },

  clear() {
    generation++;
    void dropPending(waiting.map((i) => i.id));
    waiting = [];
    pendingPatches.clear();
    pendingFinished = 0;
    const old = get().items;
    set({ items: [], run: null, selectedId: null, trialThreshold: null, notice: null });
    for (const item of old) item.result?.thumbnail.close();
  },

  select: (selectedId) => set({ selectedId }),
  sortBy: (column) => set({ sort: nextSort(get().sort, column) }),
  setTrialThreshold: (trialThreshold) => set({ trialThreshold }),
  setOverlayOpacity: (overlayOpacity) => set({ overlayOpacity }),
  setShowHeatMap: (showHeatMap) => set({ showHeatMap }),
  setNotice: (notice) => set({ notice }),
}));

/** Puts photos in the queue (not yet sent); returns their items. */
function enqueue(photos: readonly PickedPhoto[], modelId: string): BatchItem[] {
  if (photos.length === 0) return [];
  applyPending(); // so the run's count is current before deciding whether this starts a new run
  const pkg = useCurrentPart.getState().pkg;
  if (pkg?.id === modelId) recording = recordModel(pkg);
  const added: BatchItem[] = photos.map(({ file, path }) => ({ id: nextId++, file, name: file.name, path, status: 'queued', result: null, error: null, finishedAt: null }));
  waiting.push(...added);
  const { run, items } = useBatch.getState();
  const idle = !run || run.endedAt !== null;
  useBatch.setState({
    items: [...items, ...added],
    modelId,
    run: idle ? { startedAt: performance.now(), total: added.length, finished: 0, endedAt: null } : advance(run, 0, added.length, performance.now()),
    notice: null,
  });
  return added;
}

// a restarted worker reloads the part model first; photos sent before that would find none
inspector.onRestart((_why, reload) => {
  const reloaded = (reload ?? Promise.resolve()).then(
    () => undefined,
    () => undefined,
  );
  held = reloaded;
  void reloaded.then(() => {
    if (held !== reloaded) return;
    held = null;
    pump();
  });
});

// results of one part model are not judged by another's threshold: a new model starts a new batch
useCurrentPart.subscribe((part, previous) => {
  const id = part.loaded?.id;
  if (!id || id === previous.loaded?.id) return;
  const batch = useBatch.getState();
  if (batch.modelId === id) return;
  const hadResults = batch.items.length > 0;
  batch.clear();
  useBatch.setState({ modelId: id, notice: hadResults ? 'Another part model was chosen: the results of the previous one were cleared.' : null });
});

/** The thresholds in force, or null before a part model is chosen. */
export interface Thresholds {
  /** Verdicts: the one being tried, else the model's. */
  threshold: number;
  modelThreshold: number;
  /** Heat maps colour above this (the model's). */
  pixelThreshold: number;
}

export function useThresholds(): Thresholds | null {
  const stored = useCurrentPart((s) => s.pkg?.manifest.thresholds);
  const trial = useBatch((s) => s.trialThreshold);
  if (!stored) return null;
  return { threshold: trial ?? stored.image, modelThreshold: stored.image, pixelThreshold: stored.pixel };
}
