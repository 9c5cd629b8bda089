import { describe, expect, it } from 'vitest';
import { finalVerdict, withOverride } from '../../src/ui/records/record';
import { record } from './records-fixtures';

describe('override', () => {
  it('sits beside the model\'s verdict, never replacing it', () => {
    const fail = record({ verdict: 'fail' });
    const accepted = withOverride(fail, 'pass', 42);
    expect(accepted.verdict).toBe('fail');
    expect(accepted.override).toEqual({ verdict: 'pass', at: 42 });
    expect(accepted.overridden).toBe(1);
    expect(finalVerdict(accepted)).toBe('pass');
    expect(finalVerdict(fail)).toBe('fail');
  });

  it('is cleared by null or by the model\'s own verdict, and leaves the index', () => {
    const accepted = withOverride(record({ verdict: 'fail' }), 'pass', 1);
    for (const cleared of [withOverride(accepted, null, 2), withOverride(accepted, 'fail', 2)]) {
      expect(cleared.override).toBeNull();
      expect('overridden' in cleared).toBe(false);
      expect(finalVerdict(cleared)).toBe('fail');
    }
  });
});
