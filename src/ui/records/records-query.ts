/**
 * Reading the history: pages of records newest first (keyset paging: a page costs the same at record
 * 100 000 as at record 1), every record of a filter in chunks (charts, exports, reports), counts, and
 * the parts and stations that occur.
 */
import { openRecordsDb, type RecordIndex, type RecordsDb } from './records-db';
import { indexKey, matches, planQuery, type QueryPlan, type RecordFilter } from './query';
import type { InspectionRecord, RecordImages } from './record';

/** Where the next page goes on from: the last record shown, in the index the filter walks. */
export interface PageCursor {
  key: IDBValidKey;
  id: string;
}

export interface RecordPage {
  records: InspectionRecord[];
  /** Null on the last page. */
  next: PageCursor | null;
}

type IndexKey = RecordsDb['records']['indexes'][RecordIndex];

const range = (plan: QueryPlan) => IDBKeyRange.bound(plan.lower, plan.upper, false, true);

/** Up to `size` records of the filter, newest first, after `after` (null: from the newest). */
export async function readPage(filter: RecordFilter, size: number, after: PageCursor | null): Promise<RecordPage> {
  const plan = planQuery(filter);
  const db = await openRecordsDb();
  const index = db.transaction('records').store.index(plan.index);
  const bounds = after ? IDBKeyRange.bound(plan.lower, after.key, false, false) : range(plan);
  let cursor = await index.openCursor(bounds, 'prev');
  // skip to just past the last record shown (records with the same key are ordered by id)
  if (cursor && after && indexedDB.cmp(cursor.key, after.key) === 0 && cursor.primaryKey >= after.id) {
    if (cursor.primaryKey > after.id) cursor = await cursor.continuePrimaryKey(after.key as IndexKey, after.id);
    if (cursor?.primaryKey === after.id) cursor = await cursor.continue();
  }
  const records: InspectionRecord[] = [];
  while (cursor && records.length < size) {
    if (matches(cursor.value, filter, plan.residual)) records.push(cursor.value);
    cursor = await cursor.continue();
  }
  const last = records.at(-1);
  return { records, next: cursor && last ? { key: indexKey(last, plan.index), id: last.id } : null };
}

const SCAN_CHUNK = 2000;

/**
 * Every record of the filter, oldest first, handed over in chunks (read with getAll, much faster than a
 * cursor). `visit` may stop the scan by returning false.
 */
export async function scanRecords(filter: RecordFilter, visit: (chunk: InspectionRecord[]) => boolean | void): Promise<void> {
  const plan = planQuery(filter);
  const db = await openRecordsDb();
  let lower: IDBValidKey = plan.lower;
  // records read already whose key equals the lower bound (a chunk may end inside a run of equal keys)
  let seenAtLower = 0;
  for (;;) {
    const chunk = await db.getAllFromIndex('records', plan.index, IDBKeyRange.bound(lower, plan.upper, false, true), SCAN_CHUNK + seenAtLower);
    const fresh = chunk.slice(seenAtLower);
    if (fresh.length === 0) return;
    if (visit(fresh.filter((r) => matches(r, filter, plan.residual))) === false) return;
    if (chunk.length < SCAN_CHUNK + seenAtLower) return;
    const lastKey = indexKey(chunk[chunk.length - 1], plan.index);
    seenAtLower = countFromEnd(chunk, plan.index, lastKey);
    lower = lastKey;
  }
}

function countFromEnd(chunk: InspectionRecord[], index: RecordIndex, key: IDBValidKey): number {
  let n = 0;
  while (n < chunk.length && indexedDB.cmp(indexKey(chunk[chunk.length - 1 - n], index), key) === 0) n++;
  return n;
}

/** How many records the filter selects. */
export async function countRecords(filter: RecordFilter): Promise<number> {
  const plan = planQuery(filter);
  if (plan.residual.length === 0) return (await openRecordsDb()).countFromIndex('records', plan.index, range(plan));
  let n = 0;
  await scanRecords(filter, (chunk) => void (n += chunk.length));
  return n;
}

/** The values of the first key of an index ('part-time' → the parts), each once, jumping over runs. */
async function distinctLeading(index: 'part-time' | 'station-time'): Promise<string[]> {
  const tx = (await openRecordsDb()).transaction('records');
  const values: string[] = [];
  let cursor = await tx.store.index(index).openKeyCursor();
  while (cursor) {
    const value = (cursor.key as [string, number])[0];
    values.push(value);
    // an array sorts after every number: [value, []] is past all of value's keys
    cursor = await cursor.continue([value, []] as unknown as [string, number]);
  }
  return values;
}

export const recordedParts = () => distinctLeading('part-time');
export const recordedStations = () => distinctLeading('station-time');

export async function readRecord(id: string): Promise<InspectionRecord | undefined> {
  return (await openRecordsDb()).get('records', id);
}

export async function readImages(id: string): Promise<RecordImages | undefined> {
  return (await openRecordsDb()).get('images', id);
}
