import { describe, expect, it } from 'vitest';
import { granularityFor, parseShiftStarts, shiftAt, shiftsOfDay, timeBins } from '../../src/ui/history/time-bins';

const at = (d: number, h: number, m = 0) => new Date(2025, 5, d, h, m).getTime();
const SHIFTS = ['06:00', '14:00', '22:00'];

describe('shifts', () => {
  it('run from one start to the next, the last one past midnight', () => {
    const [early, late, night] = shiftsOfDay(new Date(2025, 5, 2), SHIFTS);
    expect([early.start, early.end]).toEqual([at(2, 6), at(2, 14)]);
    expect([late.start, late.end]).toEqual([at(2, 14), at(2, 22)]);
    expect([night.start, night.end]).toEqual([at(2, 22), at(3, 6)]);
    expect(night.label).toBe('2025-06-02 shift 3 (22:00–06:00)');
  });

  it('place a moment in its shift, the night shift of the day before included', () => {
    expect(shiftAt(at(2, 13, 59), SHIFTS).start).toBe(at(2, 6));
    expect(shiftAt(at(2, 14), SHIFTS).start).toBe(at(2, 14));
    expect(shiftAt(at(3, 3), SHIFTS).start).toBe(at(2, 22));
    expect(shiftAt(at(3, 5, 30), ['00:00']).start).toBe(at(3, 0));
  });

  it('are read as typed, sorted, and refused with a reason', () => {
    expect(parseShiftStarts('22:00, 6:00; 14:00')).toEqual({ starts: ['06:00', '14:00', '22:00'] });
    expect(parseShiftStarts('6:00 25:00')).toEqual({ problem: "'25:00' is not a time of day (HH:MM)" });
    expect(parseShiftStarts(' ')).toHaveProperty('problem');
  });
});

describe('timeBins', () => {
  it('cuts a span into whole hours, shifts or days', () => {
    const hours = timeBins(at(2, 6, 30), at(2, 9), 'hour', SHIFTS);
    expect(hours.map((b) => b.start)).toEqual([at(2, 6), at(2, 7), at(2, 8)]);
    const shifts = timeBins(at(2, 7), at(3, 7), 'shift', SHIFTS);
    expect(shifts.map((b) => b.start)).toEqual([at(2, 6), at(2, 14), at(2, 22), at(3, 6)]);
    const days = timeBins(at(2, 7), at(4, 1), 'day', SHIFTS);
    expect(days.map((b) => b.label)).toEqual(['2025-06-02', '2025-06-03', '2025-06-04']);
  });

  it('chooses a granularity that gives a readable number of bars', () => {
    expect(granularityFor(24 * 3600_000)).toBe('hour');
    expect(granularityFor(30 * 24 * 3600_000)).toBe('shift');
    expect(granularityFor(365 * 24 * 3600_000)).toBe('day');
  });
});
