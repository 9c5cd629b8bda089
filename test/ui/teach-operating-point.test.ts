import { describe, expect, it } from 'vitest';
import { formatRate, operatingScores, ratesAt, withOperatingPoint } from '../../src/ui/teach/operating-point';
import type { CheckPhoto } from '../../src/ui/teach/teach-store';
import { manifestOf } from './library-fixtures';

describe('operating point', () => {
  const good = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const defect = [4, 9, 12, 15];

  it('counts what a threshold misses and rejects (scores at or above it are rejected)', () => {
    expect(ratesAt(9, good, defect)).toEqual({ missed: 1, defects: 4, rejected: 2, goods: 10 });
    expect(formatRate(1, 4)).toBe('1 of 4 (25.0 %)');
    expect(formatRate(0, 0)).toBe('—');
  });

  it('writes a moved threshold into the manifest with what it does, and leaves the calibrated one alone', () => {
    const manifest = manifestOf('bottle');
    expect(withOperatingPoint(manifest, manifest.thresholds.image, ratesAt(manifest.thresholds.image, good, defect))).toBe(manifest);
    const moved = withOperatingPoint(manifest, 8.5, ratesAt(8.5, good, defect));
    expect(moved.thresholds.image).toBe(8.5);
    expect(moved.thresholds.pixel).toBe(manifest.thresholds.pixel);
    expect(moved.thresholds.rule).toMatch(/^set in the Teach view at 8\.5 .*misses 1 of 4 \(25\.0 %\) defect photos, rejects 2 of 10 \(20\.0 %\) good photos/);
    expect(() => withOperatingPoint(manifest, NaN, ratesAt(0, [], []))).toThrow(/number/);
  });

  it('judges false rejects on good photos set aside when there are any, else on the held-out ones', () => {
    const check = (kind: CheckPhoto['kind'], score: number | null): CheckPhoto => ({
      id: score ?? -1,
      name: `${kind}-${score}`,
      file: new Blob(),
      kind,
      status: score === null ? 'scoring' : 'done',
      result: score === null ? null : ({ score } as CheckPhoto['result']),
      error: null,
    });
    const heldOut = [check('held-out', 1), check('held-out', 2), check('defect', 9), check('defect', null)];
    expect(operatingScores(heldOut)).toEqual({ good: [1, 2], defect: [9], goodFrom: 'held out' });
    expect(operatingScores([...heldOut, check('good', 3)])).toEqual({ good: [3], defect: [9], goodFrom: 'set aside' });
  });
});
