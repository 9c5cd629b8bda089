/**
 * An inspection as the history keeps it: what was inspected, by which model, where, when, with what
 * score and verdict, and what the operator made of it. Types and pure functions only.
 */

export type ModelVerdict = 'pass' | 'fail';

/** How the photo came in: added to the Inspect view, or captured from the Live camera. */
export type RecordSource = 'photo' | 'capture';

/** Whether the record's pictures are kept: stored; pruned to save space; not stored (storage was full). */
export type ImageState = 'stored' | 'pruned' | 'not-stored';

/** The operator's verdict beside the model's: a FAIL judged acceptable, or a PASS rejected. */
export interface Override {
  verdict: ModelVerdict;
  /** When it was set (ms since the epoch). */
  at: number;
}

export interface InspectionRecord {
  /** A random UUID; also the message id the plant de-duplicates published messages by. */
  id: string;
  /** When the verdict was reached, ms since the epoch. */
  time: number;
  station: string;
  part: string;
  modelId: string;
  /** `r<revision> <training date>` (see modelVersion). */
  modelVersion: string;
  /** The photo's path in the folder it came from, else its name. */
  file: string;
  source: RecordSource;
  score: number;
  /** The model's image threshold when it judged (the verdict is score ≥ threshold). */
  threshold: number;
  /** Where the heat map starts colouring (the model's pixel threshold). */
  pixelThreshold: number;
  /** The model's verdict; an override never replaces it. */
  verdict: ModelVerdict;
  override: Override | null;
  /** 1 while an override is set, absent otherwise: the 'overridden' index holds just those records. */
  overridden?: 1;
  note: string;
  /** The photo's size as decoded. */
  width: number;
  height: number;
  images: ImageState;
}

/**
 * A record's pictures, stored apart so paging through records never reads them. Bytes, not Blobs: the
 * browser keeps small values inside its database, but writes every Blob to a file of its own (about 3×
 * slower per record).
 */
export interface RecordImages {
  /** The record's id. */
  id: string;
  /** The record's time, so pictures older than a date can be pruned without reading the records. */
  time: number;
  /** The worker's small copy of the photo, JPEG bytes. */
  thumbnail: ArrayBuffer;
  /** The photo reduced for the detail view and reports, JPEG bytes. */
  picture: ArrayBuffer;
  /** The anomaly map quantised to 8 bits, PNG bytes (a grey picture; see heat-map-codec). */
  heatMap: ArrayBuffer;
  mapWidth: number;
  mapHeight: number;
  /** Map values at grey 0 and grey 255, in good-σ units. */
  mapRange: [number, number];
}

/** The verdict that counts for the part: the operator's where set, else the model's. */
export function finalVerdict(record: Pick<InspectionRecord, 'verdict' | 'override'>): ModelVerdict {
  return record.override?.verdict ?? record.verdict;
}

/**
 * The record with the operator's verdict set (or cleared by `null`, or by choosing the model's own
 * verdict: an override only ever disagrees with the model).
 */
export function withOverride(record: InspectionRecord, verdict: ModelVerdict | null, at: number): InspectionRecord {
  const { overridden: _dropped, ...rest } = record;
  if (verdict === null || verdict === record.verdict) return { ...rest, override: null };
  return { ...rest, override: { verdict, at }, overridden: 1 };
}
