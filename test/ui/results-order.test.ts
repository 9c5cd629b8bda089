import { describe, expect, it } from 'vitest';
import { judge, verdictOf } from '../../src/ui/inspect/batch-item';
import { ADDED_ORDER, nextSort, sortItems } from '../../src/ui/inspect/results-order';
import { item } from './batch-items';

describe('verdicts', () => {
  it('rejects at or above the threshold', () => {
    expect(judge(2, 2)).toBe('fail');
    expect(judge(1.999, 2)).toBe('pass');
  });

  it('has none while a photo waits, and error for a failed one', () => {
    expect(verdictOf(item('a.jpg', null), 1)).toBeNull();
    expect(verdictOf(item('a.jpg', 'broken'), 1)).toBe('error');
  });
});

describe('results order', () => {
  const items = [item('b10.jpg', 3), item('b2.jpg', null), item('a.jpg', 'broken'), item('c.jpg', 9), item('d.jpg', 1)];
  const paths = (list: typeof items) => list.map((i) => i.path);

  it('keeps the order added by default', () => {
    expect(paths(sortItems(items, ADDED_ORDER, 5))).toEqual(['b10.jpg', 'b2.jpg', 'a.jpg', 'c.jpg', 'd.jpg']);
  });

  it('sorts scores worst first on the first click, with unscored photos last both ways', () => {
    const first = nextSort(ADDED_ORDER, 'score');
    expect(paths(sortItems(items, first, 5))).toEqual(['c.jpg', 'b10.jpg', 'd.jpg', 'b2.jpg', 'a.jpg']);
    expect(paths(sortItems(items, nextSort(first, 'score'), 5))).toEqual(['d.jpg', 'b10.jpg', 'c.jpg', 'b2.jpg', 'a.jpg']);
  });

  it('sorts names in natural order', () => {
    expect(paths(sortItems(items, nextSort(ADDED_ORDER, 'name'), 5))).toEqual(['a.jpg', 'b2.jpg', 'b10.jpg', 'c.jpg', 'd.jpg']);
  });

  it('sorts verdicts rejects first at the threshold in force', () => {
    const byVerdict = nextSort(ADDED_ORDER, 'verdict');
    expect(paths(sortItems(items, byVerdict, 5))).toEqual(['c.jpg', 'a.jpg', 'b10.jpg', 'd.jpg', 'b2.jpg']);
    expect(paths(sortItems(items, byVerdict, 2))).toEqual(['b10.jpg', 'c.jpg', 'a.jpg', 'd.jpg', 'b2.jpg']);
  });
});
