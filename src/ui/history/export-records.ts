/**
 * Records as CSV and JSON, written chunk by chunk as the history is scanned (an export of 100 000
 * records never builds one giant string). Only what the records hold: no setting, no credential. Pure.
 */
import { csvText } from '../inspect/export';
import { finalVerdict, type InspectionRecord } from '../records/record';

export const RECORD_CSV_COLUMNS = [
  'id',
  'time',
  'station',
  'part',
  'model_id',
  'model_version',
  'file',
  'source',
  'score',
  'threshold',
  'verdict',
  'override',
  'final_verdict',
  'note',
  'images',
] as const;

/** A record as exported (the index helper `overridden` left out). */
export function exportedRecord(r: InspectionRecord) {
  return {
    id: r.id,
    time: new Date(r.time).toISOString(),
    station: r.station,
    part: r.part,
    modelId: r.modelId,
    modelVersion: r.modelVersion,
    file: r.file,
    source: r.source,
    score: r.score,
    threshold: r.threshold,
    pixelThreshold: r.pixelThreshold,
    verdict: r.verdict,
    override: r.override && { verdict: r.override.verdict, at: new Date(r.override.at).toISOString() },
    finalVerdict: finalVerdict(r),
    note: r.note,
    width: r.width,
    height: r.height,
    images: r.images,
  };
}

export function csvHeader(): string {
  return RECORD_CSV_COLUMNS.join(',') + '\n';
}

export function csvLines(records: readonly InspectionRecord[]): string {
  return records
    .map((r) =>
      [
        r.id,
        new Date(r.time).toISOString(),
        csvText(r.station),
        csvText(r.part),
        csvText(r.modelId),
        csvText(r.modelVersion),
        csvText(r.file),
        r.source,
        String(r.score),
        String(r.threshold),
        r.verdict,
        r.override?.verdict ?? '',
        finalVerdict(r),
        csvText(r.note),
        r.images,
      ].join(',') + '\n',
    )
    .join('');
}

/** A JSON array written in pieces: the opening, each chunk's items (comma-led after the first), the close. */
export class JsonArrayWriter {
  private first = true;
  readonly parts: string[] = ['[\n'];

  add(records: readonly InspectionRecord[]): void {
    for (const r of records) {
      this.parts.push((this.first ? '  ' : ',\n  ') + JSON.stringify(exportedRecord(r)));
      this.first = false;
    }
  }

  close(): string[] {
    this.parts.push(this.first ? ']\n' : '\n]\n');
    return this.parts;
  }
}
