/**
 * The last line of defence against a full quota: records (with their outbox messages) that IndexedDB
 * refused even without pictures are held in localStorage, which browsers budget apart, and moved into
 * the history as soon as it takes writes again. Where localStorage is refused too they are held in
 * memory for as long as the tab lives.
 */
import type { OutboxEntry } from './outbox';
import type { InspectionRecord } from './record';
import { useRecordsStatus } from './records-status';

export interface Reserved {
  record: InspectionRecord;
  message: OutboxEntry | null;
}

const KEY = 'patchflow-records.reserve';
let inMemory: Reserved[] = [];

function stored(): Reserved[] {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '[]') as Reserved[];
  } catch {
    return [];
  }
}

/** Everything in reserve, oldest first (read afresh: another tab may have added or moved some). */
export function reserved(): Reserved[] {
  const all = new Map([...stored(), ...inMemory].map((r) => [r.record.id, r]));
  return [...all.values()];
}

function setReserved(all: Reserved[]): void {
  try {
    if (all.length) localStorage.setItem(KEY, JSON.stringify(all));
    else localStorage.removeItem(KEY);
    inMemory = [];
  } catch {
    inMemory = all;
  }
  useRecordsStatus.setState({ inReserve: all.length });
}

export function reserve(entry: Reserved): void {
  setReserved([...reserved(), entry]);
}

/** Removes records that made it into the history. */
export function release(ids: ReadonlySet<string>): void {
  setReserved(reserved().filter((r) => !ids.has(r.record.id)));
}
