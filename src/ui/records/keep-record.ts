/**
 * Writing an inspection into the history, before anyone sees its verdict. One transaction holds the
 * record, its pictures, its message for the plant (while publishing is on) and the removal of its photo
 * from the pending batch, so a crash at any moment leaves all of them or none.
 *
 * A full quota never loses a record: the record is written again without its pictures, and if even that
 * is refused it is held in reserve (reserve.ts) until there is room. Each fallback is reported.
 * Records are written in the order their inspections finished, so the outbox sends them in that order.
 */
import type { PartPackageData, PhotoResult } from '../../../workers/inspector-api';
import { modelVersion } from '../inspect/export';
import { errorMessage } from '../library/storage-errors';
import { announce } from './changes';
import { inspectionMessage } from './message';
import { outboxEntry, type OutboxEntry } from './outbox';
import { takePendingEntry } from './pending-photos';
import { plantSettings } from './plant-settings';
import { base64Of, encodeImages, type EncodedImages } from './record-images';
import type { InspectionRecord, RecordSource } from './record';
import { StorageFullError, writeRecords } from './records-db';
import { useRecordsStatus } from './records-status';
import { release, reserve, reserved } from './reserve';

/** The part model an inspection was judged by, as the record names it. */
export interface RecordModel {
  id: string;
  part: string;
  /** `r<revision> <training date>`. */
  version: string;
  threshold: number;
  pixelThreshold: number;
}

export function recordModel({ id, manifest }: PartPackageData): RecordModel {
  return { id, part: manifest.part, version: modelVersion(manifest), threshold: manifest.thresholds.image, pixelThreshold: manifest.thresholds.pixel };
}

export interface FinishedInspection {
  photo: File;
  /** Path in the folder the photo came from, else its name. */
  path: string;
  source: RecordSource;
  result: PhotoResult;
  model: RecordModel;
  /** The batch item the photo was, whose pending copy the record replaces. */
  itemId?: number;
}

/** Records are written one after the other, in the order their inspections finished. */
let writing: Promise<unknown> = Promise.resolve();

function newRecord({ path, source, result, model }: FinishedInspection, station: string): InspectionRecord {
  return {
    id: crypto.randomUUID(),
    time: Date.now(),
    station,
    part: model.part,
    modelId: model.id,
    modelVersion: model.version,
    file: path,
    source,
    score: result.score,
    threshold: model.threshold,
    pixelThreshold: model.pixelThreshold,
    verdict: result.score >= model.threshold ? 'fail' : 'pass',
    override: null,
    note: '',
    width: result.width,
    height: result.height,
    images: 'stored',
  };
}

/**
 * Keeps a finished inspection and resolves with its record once it is safely written (or, with the
 * storage full, held in reserve). Never rejects: a problem is reported and the record kept as it can be.
 */
export function keepInspection(inspection: FinishedInspection): Promise<InspectionRecord> {
  const settings = plantSettings();
  const record = newRecord(inspection, settings.station);
  const pendingEntry = takePendingEntry(inspection.itemId);
  const images = encodeImages(inspection.photo, inspection.result).catch((e: unknown) => {
    useRecordsStatus.getState().report(`The pictures of ${record.file} could not be made (${errorMessage(e)}); its record is kept without them.`);
    return null;
  });
  // the turn is taken now, while the pictures are encoded: a photo whose pictures encode faster must not
  // overtake one that finished before it
  return inTurn(async () => {
    const encoded = await images;
    const thumbnail = settings.transport !== 'off' && settings.includeThumbnail && encoded ? base64Of(encoded.thumbnail) : undefined;
    const message = settings.transport === 'off' ? null : outboxEntry(inspectionMessage(record, thumbnail), record.time);
    return store(encoded ? record : { ...record, images: 'not-stored' }, encoded, message, await pendingEntry);
  });
}

function inTurn<T>(write: () => Promise<T>): Promise<T> {
  const turn = writing.then(write);
  writing = turn.catch(() => undefined);
  return turn;
}

async function write(record: InspectionRecord, images: EncodedImages | null, message: OutboxEntry | null, pendingEntry: number | null): Promise<void> {
  await writeRecords(['records', 'images', 'outbox', 'pending'], async (tx) => {
    const writes: Promise<unknown>[] = [tx.objectStore('records').put(record)];
    if (images) writes.push(tx.objectStore('images').put({ ...images, id: record.id, time: record.time }));
    if (message) writes.push(tx.objectStore('outbox').add(message));
    if (pendingEntry !== null) writes.push(tx.objectStore('pending').delete(pendingEntry));
    await Promise.all(writes);
  });
}

async function store(record: InspectionRecord, images: EncodedImages | null, message: OutboxEntry | null, pendingEntry: number | null): Promise<InspectionRecord> {
  const report = useRecordsStatus.getState().report;
  // records held in reserve go first, so the history and the outbox keep the order of inspection
  if (!(await moveReserved())) return keepInReserve(record, message, pendingEntry, 'older records still wait for room');
  try {
    await write(record, images, message, pendingEntry);
    announceWrite(message !== null);
    return record;
  } catch (e) {
    if (!(e instanceof StorageFullError) || !images) return keepInReserve(record, message, pendingEntry, errorMessage(e));
  }
  const bare: InspectionRecord = { ...record, images: 'not-stored' };
  try {
    await write(bare, null, message, pendingEntry);
    report(`Storage is full: the record of ${record.file} was kept without its pictures. Free space by pruning old pictures (History → Publishing & storage).`);
    announceWrite(message !== null);
    return bare;
  } catch (e) {
    return keepInReserve(bare, message, pendingEntry, errorMessage(e));
  }
}

function keepInReserve(record: InspectionRecord, message: OutboxEntry | null, pendingEntry: number | null, why: string): InspectionRecord {
  const kept = { ...record, images: 'not-stored' } as const;
  reserve({ record: kept, message });
  // the photo must not be offered for resuming as well: deleting needs no space
  if (pendingEntry !== null) void writeRecords(['pending'], (tx) => tx.objectStore('pending').delete(pendingEntry)).catch(() => undefined);
  useRecordsStatus
    .getState()
    .report(`The history could not take the record of ${record.file} (${why}); it is held in reserve and saved as soon as there is room. Free space by pruning old pictures (History → Publishing & storage).`);
  return kept;
}

function announceWrite(queued: boolean): void {
  announce({ type: 'records' });
  if (queued) announce({ type: 'outbox' });
}

/** Moves records held in reserve into the history, oldest first; true when none is left. */
async function moveReserved(): Promise<boolean> {
  const waiting = reserved();
  if (waiting.length === 0) return true;
  const saved = new Set<string>();
  for (const { record, message } of waiting) {
    try {
      await write(record, null, message, null);
      saved.add(record.id);
    } catch {
      break; // still no room: the rest stay in reserve, in order
    }
  }
  release(saved);
  if (saved.size) announceWrite(waiting.some((r) => r.message && saved.has(r.record.id)));
  return saved.size === waiting.length;
}

/** Tries to move records held in reserve into the history (at start, and once space was freed). */
export function saveReserved(): Promise<boolean> {
  return inTurn(moveReserved);
}
