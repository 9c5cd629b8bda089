/**
 * The history's room in the browser: how much the site uses of its quota, whether that is running low,
 * and pruning the pictures (never the records) of inspections older than a date.
 */
import { announce } from './changes';
import { saveReserved } from './keep-record';
import { openRecordsDb, writeRecords } from './records-db';

export interface StorageSpace {
  /** Bytes the site uses (history, library, caches) and may use; null where the browser does not say. */
  usage: number | null;
  quota: number | null;
  /** Whether the browser promised not to evict the site's data under pressure. */
  persisted: boolean;
}

/** Space is low when less than this share of the quota is left, or less than LOW_BYTES. */
const LOW_SHARE = 0.1;
const LOW_BYTES = 200 * 2 ** 20;

export function isLow({ usage, quota }: StorageSpace): boolean {
  if (usage === null || quota === null) return false;
  return quota - usage < Math.max(quota * LOW_SHARE, LOW_BYTES);
}

export async function storageSpace(): Promise<StorageSpace> {
  const estimate = await navigator.storage?.estimate?.().catch(() => null);
  const persisted = (await navigator.storage?.persisted?.().catch(() => false)) ?? false;
  return { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted };
}

/** Asks the browser not to evict the history under storage pressure (once records are kept). */
export function askToPersist(): void {
  void navigator.storage?.persist?.().catch(() => false);
}

/** How many records still have pictures from before `before` (ms since the epoch). */
export async function picturesBefore(before: number): Promise<number> {
  return (await openRecordsDb()).countFromIndex('images', 'time', IDBKeyRange.upperBound(before, true));
}

const PRUNE_CHUNK = 500;

/**
 * Deletes the pictures of records older than `before`, in chunks (each one transaction: a record is
 * marked 'pruned' together with the removal of its pictures); the records themselves stay. Returns how
 * many records lost their pictures.
 */
export async function prunePictures(before: number, onProgress: (done: number) => void): Promise<number> {
  const db = await openRecordsDb();
  let done = 0;
  for (;;) {
    const ids = await db.getAllKeysFromIndex('images', 'time', IDBKeyRange.upperBound(before, true), PRUNE_CHUNK);
    if (ids.length === 0) break;
    await writeRecords(['records', 'images'], async (tx) => {
      const records = tx.objectStore('records');
      await Promise.all(
        ids.map(async (id) => {
          await tx.objectStore('images').delete(id);
          const record = await records.get(id);
          if (record) await records.put({ ...record, images: 'pruned' });
        }),
      );
    });
    done += ids.length;
    onProgress(done);
  }
  announce({ type: 'records' });
  // space was freed: records waiting in reserve can come in now
  await saveReserved();
  return done;
}
