/**
 * Part models kept in this browser (IndexedDB): the ones imported, and shipped ones whose threshold was
 * edited. Shipped models themselves are not copied here; a stored model with a shipped one's id
 * overrides it. Every write is one transaction, so a failed one leaves the store as it was.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPObjectStore } from 'idb';
import type { PartManifest } from '../../engine/patchflow/manifest';
import { errorMessage, storageWriteError } from './storage-errors';
import { mib } from '../../engine/units';

export type StoredSource = 'imported' | 'shipped-edited' | 'taught';

export interface StoredPart {
  id: string;
  manifest: PartManifest;
  head: Uint8Array;
  source: StoredSource;
  /** ISO time it first entered the library (kept when the model is saved again). */
  addedAt: string;
}

interface LibraryDb extends DBSchema {
  parts: { key: string; value: StoredPart };
}

type PartsStore = IDBPObjectStore<LibraryDb, ['parts'], 'parts', 'readwrite'>;

const DB_NAME = 'patchflow-inspect';
const DB_VERSION = 1;

let database: Promise<IDBPDatabase<LibraryDb>> | undefined;

function open(): Promise<IDBPDatabase<LibraryDb>> {
  database ??= openDB<LibraryDb>(DB_NAME, DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('parts', { keyPath: 'id' });
    },
  }).catch((e: unknown) => {
    database = undefined; // tried again on the next call
    throw new Error(`this browser's storage cannot be opened (${errorMessage(e)}); imported part models cannot be kept`);
  });
  return database;
}

/** Runs one read-write transaction on the store, turning failures (a full quota above all) into readable errors. */
async function write(action: string, change: (store: PartsStore) => Promise<unknown>): Promise<void> {
  const tx = (await open()).transaction('parts', 'readwrite');
  try {
    await Promise.all([change(tx.store), tx.done]);
  } catch (e) {
    // a change that threw before its request left the transaction open: undo what it did do
    try {
      tx.abort();
    } catch {
      // already aborted by the failure itself
    }
    throw storageWriteError(e, tx.error, action);
  }
}

export async function listStoredParts(): Promise<StoredPart[]> {
  return (await open()).getAll('parts');
}

/** Stores a model (replacing one with its id, whose addedAt it keeps). */
export async function saveStoredPart(part: Omit<StoredPart, 'addedAt'>): Promise<void> {
  await write(`store part model '${part.manifest.part}' (${mib(part.head.byteLength)})`, async (store) => {
    const before = await store.get(part.id);
    await store.put({ ...part, addedAt: before?.addedAt ?? new Date().toISOString() });
  });
  // ask once models are kept here that the browser not evict them under storage pressure
  void navigator.storage?.persist?.().catch(() => false);
}

export async function deleteStoredPart(id: string): Promise<void> {
  await write(`delete part model ${id}`, (store) => store.delete(id));
}
