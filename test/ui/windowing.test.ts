import { describe, expect, it } from 'vitest';
import { scrollToReveal, visibleRows } from '../../src/ui/components/windowing';

describe('windowing', () => {
  it('renders the rows in view plus overscan, spacers for the rest', () => {
    const w = visibleRows({ count: 500, rowHeight: 48, scrollTop: 4800, viewportHeight: 480, overscan: 5 });
    expect(w).toEqual({ start: 95, end: 116, padTop: 95 * 48, padBottom: (500 - 116) * 48 });
  });

  it('stays within the list at both ends', () => {
    expect(visibleRows({ count: 10, rowHeight: 48, scrollTop: -20, viewportHeight: 480, overscan: 5 })).toEqual({ start: 0, end: 10, padTop: 0, padBottom: 0 });
    const end = visibleRows({ count: 10, rowHeight: 48, scrollTop: 10_000, viewportHeight: 480, overscan: 5 });
    expect(end.end).toBe(10);
    expect(end.padTop + (end.end - end.start) * 48 + end.padBottom).toBe(480);
  });

  it('scrolls only as far as needed to reveal a row', () => {
    expect(scrollToReveal(5, 48, 0, 480)).toBe(0);
    expect(scrollToReveal(20, 48, 0, 480)).toBe(21 * 48 - 480);
    expect(scrollToReveal(2, 48, 500, 480)).toBe(96);
  });
});
