/**
 * The history's IndexedDB database: records, their pictures, the outbox of messages for the plant, and
 * the photos of batches not finished yet. Its own database (not the library's), so each can change its
 * schema without the other.
 *
 * Several tabs share it safely: every change is one transaction (all or nothing), and a tab that holds
 * the database open closes it when another tab needs a newer schema, then opens it again on its next call.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { errorMessage, isQuotaError } from '../library/storage-errors';
import type { OutboxEntry } from './outbox';
import type { PendingPhoto } from './pending-photos';
import type { InspectionRecord, ModelVerdict, RecordImages } from './record';

export interface RecordsDb extends DBSchema {
  records: {
    key: string;
    value: InspectionRecord;
    // every index ends in time: each filter walks its index newest first, already in order
    indexes: {
      time: number;
      'part-time': [string, number];
      'station-time': [string, number];
      'verdict-time': [ModelVerdict, number];
      'part-verdict-time': [string, ModelVerdict, number];
      'overridden-time': [1, number];
    };
  };
  images: { key: string; value: RecordImages; indexes: { time: number } };
  /** Messages for the plant in the order they were made (the key counts up). */
  outbox: { key: number; value: OutboxEntry };
  pending: { key: number; value: PendingPhoto; indexes: { owner: string } };
}

export type RecordIndex = keyof RecordsDb['records']['indexes'];
type Stores = StoreNames<RecordsDb>;
export type WriteTx<S extends Stores[]> = IDBPTransaction<RecordsDb, S, 'readwrite'>;

const DB_NAME = 'patchflow-records';
const DB_VERSION = 1;

let database: Promise<IDBPDatabase<RecordsDb>> | undefined;

export function openRecordsDb(): Promise<IDBPDatabase<RecordsDb>> {
  database ??= openDB<RecordsDb>(DB_NAME, DB_VERSION, {
    upgrade(db) {
      const records = db.createObjectStore('records', { keyPath: 'id' });
      records.createIndex('time', 'time');
      records.createIndex('part-time', ['part', 'time']);
      records.createIndex('station-time', ['station', 'time']);
      records.createIndex('verdict-time', ['verdict', 'time']);
      records.createIndex('part-verdict-time', ['part', 'verdict', 'time']);
      records.createIndex('overridden-time', ['overridden', 'time']);
      db.createObjectStore('images', { keyPath: 'id' }).createIndex('time', 'time');
      db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
      db.createObjectStore('pending', { keyPath: 'id', autoIncrement: true }).createIndex('owner', 'owner');
    },
    // another tab opens a newer schema: let it, and open again on the next call
    blocking() {
      void database?.then((db) => db.close());
      database = undefined;
    },
    terminated() {
      database = undefined;
    },
  }).catch((e: unknown) => {
    database = undefined; // tried again on the next call
    throw new Error(`this browser's storage cannot be opened (${errorMessage(e)})`);
  });
  return database;
}

/** A write the browser refused because its storage quota is used up. */
export class StorageFullError extends Error {}

/**
 * Runs one read-write transaction over `stores` and gives what `change` returned. On failure nothing of it is kept, and the error says
 * whether the quota was the cause (a full quota often surfaces only as the transaction's abort).
 */
export async function writeRecords<S extends Stores[], T>(stores: S, change: (tx: WriteTx<S>) => Promise<T>): Promise<T> {
  const tx = (await openRecordsDb()).transaction(stores, 'readwrite');
  try {
    const [result] = await Promise.all([change(tx), tx.done]);
    return result;
  } catch (e) {
    try {
      tx.abort(); // a change that threw before its request left the transaction open
    } catch {
      // already aborted by the failure itself
    }
    if (isQuotaError(e) || isQuotaError(tx.error)) throw new StorageFullError(`browser storage is full (${errorMessage(e)})`);
    throw new Error(`the history could not be written (${errorMessage(tx.error ?? e)})`);
  }
}
