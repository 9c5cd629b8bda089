/**
 * The outbox: messages for the plant that have not been acknowledged yet, kept in IndexedDB in the order
 * they were made. A message enters in the same transaction as the record it reports, so a record is
 * never published without being kept, nor kept (while publishing is on) without being queued; it
 * leaves only once the broker or the webhook has acknowledged it.
 */
import { announce } from './changes';
import { openRecordsDb, writeRecords } from './records-db';
import type { MessageKind, PlantMessage } from './message';

export interface OutboxEntry {
  /** Order of making (the store's key); absent until stored. */
  seq?: number;
  messageId: string;
  kind: MessageKind;
  /** The topic is made when sending, so a corrected prefix applies to messages still waiting. */
  station: string;
  part: string;
  /** The message as JSON. */
  payload: string;
  queuedAt: number;
}

export function outboxEntry(message: PlantMessage, queuedAt: number): OutboxEntry {
  return { messageId: message.messageId, kind: message.kind, station: message.station, part: message.part, payload: JSON.stringify(message), queuedAt };
}

/** The oldest `limit` waiting messages after `afterSeq`, in order. */
export async function waitingMessages(afterSeq: number, limit: number): Promise<Required<OutboxEntry>[]> {
  const db = await openRecordsDb();
  return (await db.getAll('outbox', IDBKeyRange.lowerBound(afterSeq, true), limit)) as Required<OutboxEntry>[];
}

export async function outboxCount(): Promise<number> {
  return (await openRecordsDb()).count('outbox');
}

/** Removes an acknowledged message. */
export async function acknowledge(seq: number): Promise<void> {
  await writeRecords(['outbox'], (tx) => tx.objectStore('outbox').delete(seq));
  announce({ type: 'outbox' });
}
