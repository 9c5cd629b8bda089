/**
 * The operator's review of a record: a note, and an override of the model's verdict kept beside it. The
 * change and its message for the plant (while publishing is on) are one transaction.
 */
import { announce } from './changes';
import { reviewMessage } from './message';
import { outboxEntry } from './outbox';
import { plantSettings } from './plant-settings';
import { withOverride, type InspectionRecord, type ModelVerdict } from './record';
import { StorageFullError, writeRecords } from './records-db';

export interface Review {
  note: string;
  /** The operator's verdict; null (or the model's own) leaves the model's verdict standing. */
  override: ModelVerdict | null;
}

export async function saveReview(id: string, review: Review): Promise<InspectionRecord> {
  const at = Date.now();
  const publishing = plantSettings().transport !== 'off';
  try {
    const saved = await writeRecords(['records', 'outbox'], async (tx) => {
      const before = await tx.objectStore('records').get(id);
      if (!before) throw new Error('the record is no longer in the history');
      const record = { ...withOverride(before, review.override, at), note: review.note };
      await tx.objectStore('records').put(record);
      if (publishing) await tx.objectStore('outbox').add(outboxEntry(reviewMessage(record, crypto.randomUUID(), at), at));
      return record;
    });
    announce({ type: 'records' });
    if (publishing) announce({ type: 'outbox' });
    return saved;
  } catch (e) {
    if (e instanceof StorageFullError) throw new Error('storage is full: the review was not saved. Free space by pruning old pictures (History → Publishing & storage).');
    throw e;
  }
}
