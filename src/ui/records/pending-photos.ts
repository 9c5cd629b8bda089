/**
 * The photos of a batch that are not inspected yet, kept in IndexedDB so a reload or a crashed tab can
 * resume the batch. A photo leaves in the same transaction that writes its record, so after any crash
 * each photo is either recorded or still pending: never both, never neither.
 *
 * Each tab owns the photos it added and holds a Web Lock for its lifetime; photos whose owner holds no
 * lock belong to a tab that is gone, and are offered for resuming (claiming them makes this tab the owner).
 */
import { openRecordsDb, writeRecords } from './records-db';

export interface PendingPhoto {
  /** The store's key; absent until stored. */
  id?: number;
  /** The tab that owns it. */
  owner: string;
  file: File;
  path: string;
  /** The part model the batch was inspected with. */
  modelId: string;
  addedAt: number;
}

/** Photos left by tabs that are gone, for one part model. */
export interface InterruptedBatch {
  modelId: string;
  count: number;
  /** When the first of them was added. */
  since: number;
}

const TAB = crypto.randomUUID();
const LOCK_PREFIX = 'patchflow-records.tab.';
const hasLocks = typeof navigator !== 'undefined' && 'locks' in navigator;
if (hasLocks) void navigator.locks.request(LOCK_PREFIX + TAB, () => new Promise<never>(() => undefined));

/** The pending entry of each batch item of this tab (by item id); null when it could not be kept. */
const entryOf = new Map<number, Promise<number | null>>();

/** Photos kept per transaction: a record waits for its photo's entry, so the first ones must not wait for all. */
const KEEP_CHUNK = 16;

/** Keeps a batch's photos (items of this tab, by id), a chunk at a time; rejects when they could not be kept. */
export async function keepPending(items: readonly { id: number; file: File; path: string }[], modelId: string): Promise<void> {
  const addedAt = Date.now();
  const chunks = Array.from({ length: Math.ceil(items.length / KEEP_CHUNK) }, (_, k) => items.slice(k * KEEP_CHUNK, (k + 1) * KEEP_CHUNK));
  // each chunk starts once the one before is kept; a failure leaves the rest unkept
  let before: Promise<unknown> = Promise.resolve();
  const kept = chunks.map((chunk) => {
    const keys = before.then(() =>
      writeRecords(['pending'], (tx) => Promise.all(chunk.map((i) => tx.objectStore('pending').add({ owner: TAB, file: i.file, path: i.path, modelId, addedAt })))),
    );
    before = keys;
    chunk.forEach((item, k) => entryOf.set(item.id, keys.then((all) => all[k], () => null)));
    return keys;
  });
  await Promise.all(kept);
}

/** Items resumed from claimed photos already own their entries. */
export function adoptPending(itemId: number, entryId: number): void {
  entryOf.set(itemId, Promise.resolve(entryId));
}

/** The entry an item's record must remove, forgetting the item (its record is about to be written). */
export async function takePendingEntry(itemId: number | undefined): Promise<number | null> {
  if (itemId === undefined) return null;
  const entry = entryOf.get(itemId) ?? Promise.resolve(null);
  entryOf.delete(itemId);
  return entry;
}

/** Forgets items that will not be inspected (cancelled, cleared, failed). */
export async function dropPending(itemIds: readonly number[]): Promise<void> {
  const entries = (await Promise.all(itemIds.map((id) => takePendingEntry(id)))).filter((e): e is number => e !== null);
  if (entries.length) await writeRecords(['pending'], (tx) => Promise.all(entries.map((e) => tx.objectStore('pending').delete(e))));
}

async function liveOwners(): Promise<Set<string>> {
  if (!hasLocks) return new Set([TAB]);
  const { held = [] } = await navigator.locks.query();
  return new Set(held.flatMap((l) => (l.name?.startsWith(LOCK_PREFIX) ? [l.name.slice(LOCK_PREFIX.length)] : [])));
}

/** Photos of tabs that are gone, grouped by part model. */
async function orphans(): Promise<PendingPhoto[]> {
  const [all, live] = await Promise.all([openRecordsDb().then((db) => db.getAll('pending')), liveOwners()]);
  return all.filter((p) => !live.has(p.owner) && p.owner !== TAB);
}

export async function interruptedBatches(): Promise<InterruptedBatch[]> {
  const byModel = new Map<string, InterruptedBatch>();
  for (const p of await orphans()) {
    const batch = byModel.get(p.modelId) ?? { modelId: p.modelId, count: 0, since: p.addedAt };
    byModel.set(p.modelId, { ...batch, count: batch.count + 1, since: Math.min(batch.since, p.addedAt) });
  }
  return [...byModel.values()];
}

/** Makes this tab the owner of a model's interrupted photos and returns them in the order they were added. */
export async function claimInterrupted(modelId: string): Promise<Required<PendingPhoto>[]> {
  const claimed = (await orphans()).filter((p) => p.modelId === modelId) as Required<PendingPhoto>[];
  await writeRecords(['pending'], (tx) => Promise.all(claimed.map((p) => tx.objectStore('pending').put({ ...p, owner: TAB }))));
  return claimed.sort((a, b) => a.id - b.id).map((p) => ({ ...p, owner: TAB }));
}

export async function discardInterrupted(modelId: string): Promise<void> {
  const dropped = (await orphans()).filter((p) => p.modelId === modelId);
  await writeRecords(['pending'], (tx) => Promise.all(dropped.map((p) => tx.objectStore('pending').delete(p.id!))));
}
