import { describe, expect, it } from 'vitest';
import { indexKey, matches, NO_FILTER, planQuery } from '../../src/ui/records/query';
import { withOverride } from '../../src/ui/records/record';
import { record } from './records-fixtures';

describe('planQuery', () => {
  it('walks the index that holds the most conditions, bounded by the time span', () => {
    expect(planQuery(NO_FILTER)).toEqual({ index: 'time', lower: -Infinity, upper: Infinity, residual: [] });
    expect(planQuery({ ...NO_FILTER, from: 10, to: 20 })).toEqual({ index: 'time', lower: 10, upper: 20, residual: [] });
    expect(planQuery({ ...NO_FILTER, part: 'bottle', verdict: 'fail', from: 5 })).toEqual({ index: 'part-verdict-time', lower: ['bottle', 'fail', 5], upper: ['bottle', 'fail', Infinity], residual: [] });
    expect(planQuery({ ...NO_FILTER, part: 'bottle' })).toMatchObject({ index: 'part-time', residual: [] });
    expect(planQuery({ ...NO_FILTER, verdict: 'pass' })).toMatchObject({ index: 'verdict-time', residual: [] });
    expect(planQuery({ ...NO_FILTER, station: 'line-2' })).toMatchObject({ index: 'station-time', lower: ['line-2', -Infinity], residual: [] });
    expect(planQuery({ ...NO_FILTER, verdict: 'overridden' })).toMatchObject({ index: 'overridden-time', lower: [1, -Infinity], residual: [] });
  });

  it('checks on each record only what the index key does not hold', () => {
    expect(planQuery({ ...NO_FILTER, part: 'bottle', station: 'line-2' })).toMatchObject({ index: 'part-time', residual: ['station'] });
    expect(planQuery({ ...NO_FILTER, part: 'bottle', verdict: 'overridden', station: 's' })).toMatchObject({ index: 'overridden-time', residual: ['part', 'station'] });
  });
});

describe('matches', () => {
  const r = record({ time: 100, part: 'casting', station: 'line-3', verdict: 'fail' });
  it('applies every condition of the filter, the end of the span excluded', () => {
    expect(matches(r, NO_FILTER)).toBe(true);
    expect(matches(r, { ...NO_FILTER, from: 100, to: 101 })).toBe(true);
    expect(matches(r, { ...NO_FILTER, to: 100 })).toBe(false);
    expect(matches(r, { ...NO_FILTER, part: 'bottle' })).toBe(false);
    expect(matches(r, { ...NO_FILTER, station: 'line-3', verdict: 'fail' })).toBe(true);
    expect(matches(r, { ...NO_FILTER, verdict: 'overridden' })).toBe(false);
    expect(matches(withOverride(r, 'pass', 5), { ...NO_FILTER, verdict: 'overridden' })).toBe(true);
  });

  it('checks only the named conditions', () => {
    expect(matches(r, { ...NO_FILTER, part: 'bottle', station: 'line-3' }, ['station'])).toBe(true);
  });
});

describe('indexKey', () => {
  it('is the record\'s key in each index, ending in its time', () => {
    const r = record({ time: 7, part: 'p', station: 's', verdict: 'fail' });
    expect(indexKey(r, 'time')).toBe(7);
    expect(indexKey(r, 'part-verdict-time')).toEqual(['p', 'fail', 7]);
    expect(indexKey(r, 'station-time')).toEqual(['s', 7]);
    expect(indexKey(r, 'overridden-time')).toEqual([1, 7]);
  });
});
