import { describe, expect, it } from 'vitest';
import { advance, formatDuration, secondsLeft } from '../../src/ui/inspect/progress';

describe('batch progress', () => {
  const run = { startedAt: 1000, total: 10, finished: 0, endedAt: null };

  it('estimates nothing before the first photo, then extrapolates the pace', () => {
    expect(secondsLeft(run, 5000)).toBeNull();
    expect(secondsLeft({ ...run, finished: 4 }, 9000)).toBe(12); // 2 s a photo, 6 to go
  });

  it('ends when every photo finished or the rest was cancelled', () => {
    const nine = advance(run, 9, 0, 2000);
    expect(nine.endedAt).toBeNull();
    expect(advance(nine, 1, 0, 3000)).toMatchObject({ finished: 10, endedAt: 3000 });
    expect(advance(nine, 0, -1, 4000)).toMatchObject({ total: 9, endedAt: 4000 });
    expect(advance(advance(nine, 1, 0, 3000), 0, 0, 5000).endedAt).toBe(3000);
  });

  it('formats durations for reading at a glance', () => {
    expect(formatDuration(44.6)).toBe('45 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
  });
});
