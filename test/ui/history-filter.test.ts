import { describe, expect, it } from 'vitest';
import { filterFromQuery, queryOfFilter } from '../../src/ui/history/history-filter';
import { NO_FILTER } from '../../src/ui/records/query';

describe('the filter in the address', () => {
  it('round-trips every condition', () => {
    const filter = { from: Date.UTC(2025, 5, 1, 6), to: Date.UTC(2025, 5, 1, 14), part: 'bottle line/2', station: 'line 7', verdict: 'fail' as const };
    const query = queryOfFilter(filter);
    expect(query).toBe('from=2025-06-01T06%3A00%3A00.000Z&to=2025-06-01T14%3A00%3A00.000Z&part=bottle+line%2F2&station=line+7&verdict=fail');
    expect(filterFromQuery(query)).toEqual(filter);
    expect(queryOfFilter(NO_FILTER)).toBe('');
  });

  it('ignores what it cannot read', () => {
    expect(filterFromQuery('from=yesterday&verdict=maybe&part=')).toEqual(NO_FILTER);
  });
});
