import { describe, expect, it } from 'vitest';
import { failRate, HistoryDigest, tally, WorstRecords } from '../../src/ui/history/aggregate';
import { withOverride } from '../../src/ui/records/record';
import { record } from './records-fixtures';

const records = [
  record({ time: 0, score: 1, part: 'bottle' }),
  record({ time: 10, score: 9, verdict: 'fail', part: 'bottle' }),
  withOverride(record({ time: 20, score: 6, verdict: 'fail', part: 'casting', threshold: 4 }), 'pass', 0),
  record({ time: 35, score: 2, part: 'bottle', threshold: 6 }),
];

describe('HistoryDigest', () => {
  const digest = new HistoryDigest();
  digest.add(records.slice(0, 2));
  digest.add(records.slice(2));

  it('counts by the final verdict, overrides counted apart', () => {
    expect(digest.counts).toEqual({ total: 4, pass: 3, fail: 1, modelFail: 2, overridden: 1 });
    expect(failRate(digest.counts)).toBe(0.25);
    expect(failRate(tally([]))).toBeNull();
  });

  it('reduces scores to columns: range and FAILs per span', () => {
    expect(digest.scoreColumns(0, 40, 4)).toEqual([
      { start: 0, end: 10, min: 1, max: 1, count: 1, fails: 0 },
      { start: 10, end: 20, min: 9, max: 9, count: 1, fails: 1 },
      { start: 20, end: 30, min: 6, max: 6, count: 1, fails: 0 },
      { start: 30, end: 40, min: 2, max: 2, count: 1, fails: 0 },
    ]);
    expect(digest.scoreColumns(0, 40, 1)).toEqual([{ start: 0, end: 40, min: 1, max: 9, count: 4, fails: 1 }]);
  });

  it('counts FAILs per time bin, leaving records outside the bins out', () => {
    const bins = [
      { start: 5, end: 15, label: 'a' },
      { start: 15, end: 30, label: 'b' },
    ];
    expect(digest.failRates(bins).map(({ total, fails }) => [total, fails])).toEqual([
      [1, 1],
      [1, 0],
    ]);
  });

  it('keeps scores per part with the latest threshold, and each threshold change as a step', () => {
    expect(digest.scoresByPart.get('bottle')).toEqual({ scores: [1, 9, 2], threshold: 6 });
    expect(digest.scoresByPart.get('casting')).toEqual({ scores: [6], threshold: 4 });
    expect(digest.thresholds).toEqual([
      { from: 0, threshold: 5 },
      { from: 20, threshold: 4 },
      { from: 35, threshold: 6 },
    ]);
    expect(digest.extent()).toEqual({ from: 0, to: 36 });
  });
});

describe('WorstRecords', () => {
  it('keeps the n highest scores, highest first, across chunks', () => {
    const worst = new WorstRecords(2);
    worst.add(records.slice(0, 3));
    worst.add(records.slice(3));
    expect(worst.records.map((r) => r.score)).toEqual([9, 6]);
  });
});
