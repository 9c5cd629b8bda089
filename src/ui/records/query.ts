/**
 * Which records a filter selects, and how IndexedDB finds them fast: every filter picks the index whose
 * key holds the most of its conditions, walks that index's range (newest first for paging), and checks
 * the rest on each record. Pure.
 */
import type { RecordIndex } from './records-db';
import type { InspectionRecord, ModelVerdict } from './record';

/** A verdict to filter on: the model's pass or fail, or records the operator overrode. */
export type VerdictFilter = ModelVerdict | 'overridden';

export interface RecordFilter {
  /** From this time on (ms since the epoch), inclusive; null: from the first record. */
  from: number | null;
  /** Before this time, exclusive; null: up to now. */
  to: number | null;
  part: string | null;
  station: string | null;
  verdict: VerdictFilter | null;
}

export const NO_FILTER: RecordFilter = { from: null, to: null, part: null, station: null, verdict: null };

export interface QueryPlan {
  index: RecordIndex;
  /** Index keys bounding the selection: lower inclusive, upper exclusive. */
  lower: IDBValidKey;
  upper: IDBValidKey;
  /** Conditions the index key does not hold, checked on each record; empty when the range is exact. */
  residual: (keyof RecordFilter)[];
}

/** The index and key range for a filter (the index key always ends in time). */
export function planQuery(filter: RecordFilter): QueryPlan {
  const from = filter.from ?? -Infinity;
  const to = filter.to ?? Infinity;
  const { part, station, verdict } = filter;
  const modelVerdict = verdict === 'pass' || verdict === 'fail' ? verdict : null;
  const rest = (...covered: (keyof RecordFilter)[]) =>
    (['part', 'station', 'verdict'] as const).filter((k) => filter[k] !== null && !covered.includes(k));
  if (part !== null && modelVerdict !== null) return { index: 'part-verdict-time', lower: [part, modelVerdict, from], upper: [part, modelVerdict, to], residual: rest('part', 'verdict') };
  if (verdict === 'overridden') return { index: 'overridden-time', lower: [1, from], upper: [1, to], residual: rest('verdict') };
  if (part !== null) return { index: 'part-time', lower: [part, from], upper: [part, to], residual: rest('part') };
  if (modelVerdict !== null) return { index: 'verdict-time', lower: [modelVerdict, from], upper: [modelVerdict, to], residual: rest('verdict') };
  if (station !== null) return { index: 'station-time', lower: [station, from], upper: [station, to], residual: rest('station') };
  return { index: 'time', lower: from, upper: to, residual: [] };
}

/** Whether a record passes the filter's conditions named in `only` (all of them by default). */
export function matches(record: InspectionRecord, filter: RecordFilter, only: readonly (keyof RecordFilter)[] = ['from', 'to', 'part', 'station', 'verdict']): boolean {
  return only.every((k) => {
    switch (k) {
      case 'from':
        return filter.from === null || record.time >= filter.from;
      case 'to':
        return filter.to === null || record.time < filter.to;
      case 'part':
        return filter.part === null || record.part === filter.part;
      case 'station':
        return filter.station === null || record.station === filter.station;
      case 'verdict':
        return filter.verdict === null || (filter.verdict === 'overridden' ? record.override !== null : record.verdict === filter.verdict);
    }
  });
}

/** The index key of a record in `index` (where paging goes on from). */
export function indexKey(record: InspectionRecord, index: RecordIndex): IDBValidKey {
  switch (index) {
    case 'time':
      return record.time;
    case 'part-time':
      return [record.part, record.time];
    case 'station-time':
      return [record.station, record.time];
    case 'verdict-time':
      return [record.verdict, record.time];
    case 'part-verdict-time':
      return [record.part, record.verdict, record.time];
    case 'overridden-time':
      return [1, record.time];
  }
}
