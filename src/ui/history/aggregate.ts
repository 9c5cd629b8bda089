/**
 * What the charts and the shift report read from a set of records, gathered chunk by chunk as the
 * history is scanned (100 000 records never sit in memory as records): score over time reduced to what
 * a chart can show, FAIL rates per time bin, scores per part, counts, and the worst records. Pure.
 */
import { finalVerdict, type InspectionRecord } from '../records/record';
import type { TimeBin } from './time-bins';

/** One column of the score-over-time chart: the range of scores in it and how many failed. */
export interface ScoreColumn {
  start: number;
  end: number;
  min: number;
  max: number;
  count: number;
  fails: number;
}

/** A model threshold in force from a time on (a saved threshold or a new model starts a new step). */
export interface ThresholdStep {
  from: number;
  threshold: number;
}

export interface Tally {
  total: number;
  /** By final verdict (the operator's where set). */
  pass: number;
  fail: number;
  /** FAILs by the model's own verdict. */
  modelFail: number;
  /** Records the operator overrode. */
  overridden: number;
}

export const NO_TALLY: Tally = { total: 0, pass: 0, fail: 0, modelFail: 0, overridden: 0 };

export function tally(records: Iterable<InspectionRecord>, into: Tally = { ...NO_TALLY }): Tally {
  for (const r of records) {
    into.total++;
    into[finalVerdict(r)]++;
    if (r.verdict === 'fail') into.modelFail++;
    if (r.override) into.overridden++;
  }
  return into;
}

/** FAIL share of a tally, or null with nothing counted. */
export const failRate = (t: Tally) => (t.total ? t.fail / t.total : null);

/** The gathered figures of a scan. */
export class HistoryDigest {
  readonly times: number[] = [];
  readonly scores: number[] = [];
  readonly fails: boolean[] = [];
  readonly scoresByPart = new Map<string, { scores: number[]; threshold: number }>();
  readonly thresholds: ThresholdStep[] = [];
  readonly counts: Tally = { ...NO_TALLY };

  /** Chunks come oldest first. */
  add(chunk: readonly InspectionRecord[]): void {
    tally(chunk, this.counts);
    for (const r of chunk) {
      this.times.push(r.time);
      this.scores.push(r.score);
      this.fails.push(finalVerdict(r) === 'fail');
      const part = this.scoresByPart.get(r.part) ?? { scores: [], threshold: r.threshold };
      part.scores.push(r.score);
      part.threshold = r.threshold; // the latest one
      this.scoresByPart.set(r.part, part);
      if (this.thresholds.at(-1)?.threshold !== r.threshold) this.thresholds.push({ from: r.time, threshold: r.threshold });
    }
  }

  /** The scores reduced to `columns` equal spans of [from, to): min, max and FAIL count per span. */
  scoreColumns(from: number, to: number, columns: number): ScoreColumn[] {
    const width = (to - from) / columns;
    const out: ScoreColumn[] = [];
    let current: ScoreColumn | null = null;
    for (let i = 0; i < this.times.length; i++) {
      const k = Math.min(columns - 1, Math.floor((this.times[i] - from) / width));
      if (k < 0) continue;
      const start = from + k * width;
      if (!current || current.start !== start) {
        current = { start, end: start + width, min: Infinity, max: -Infinity, count: 0, fails: 0 };
        out.push(current);
      }
      current.min = Math.min(current.min, this.scores[i]);
      current.max = Math.max(current.max, this.scores[i]);
      current.count++;
      if (this.fails[i]) current.fails++;
    }
    return out;
  }

  /** Records and FAILs per bin (bins in time order, as the records are). */
  failRates(bins: readonly TimeBin[]): (TimeBin & { total: number; fails: number })[] {
    const out = bins.map((b) => ({ ...b, total: 0, fails: 0 }));
    let k = 0;
    for (let i = 0; i < this.times.length; i++) {
      while (k < out.length && this.times[i] >= out[k].end) k++;
      if (k === out.length) break;
      if (this.times[i] < out[k].start) continue;
      out[k].total++;
      if (this.fails[i]) out[k].fails++;
    }
    return out;
  }

  /** The first and last record's times, or null without records. */
  extent(): { from: number; to: number } | null {
    return this.times.length ? { from: this.times[0], to: this.times[this.times.length - 1] + 1 } : null;
  }
}

/** Keeps the `n` records with the highest scores seen. */
export class WorstRecords {
  private kept: InspectionRecord[] = [];
  constructor(private readonly n: number) {}

  add(chunk: readonly InspectionRecord[]): void {
    for (const r of chunk) {
      if (this.kept.length < this.n) this.kept.push(r);
      else if (r.score > this.kept[this.kept.length - 1].score) this.kept[this.kept.length - 1] = r;
      else continue;
      this.kept.sort((a, b) => b.score - a.score);
    }
  }

  /** Highest score first. */
  get records(): readonly InspectionRecord[] {
    return this.kept;
  }
}
