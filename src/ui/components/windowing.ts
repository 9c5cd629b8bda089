/**
 * Which rows of a long list of equal-height rows to render for a scroll position (the rest become two
 * spacers), so a 500-photo table costs what its visible part costs. Pure.
 */

export interface RowWindow {
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Heights of the spacers before and after the rendered rows. */
  padTop: number;
  padBottom: number;
}

export interface WindowInput {
  count: number;
  rowHeight: number;
  /** Scroll offset measured from the first row. */
  scrollTop: number;
  viewportHeight: number;
  /** Rows rendered beyond each edge, so fast scrolling shows no gap. */
  overscan: number;
}

export function visibleRows({ count, rowHeight, scrollTop, viewportHeight, overscan }: WindowInput): RowWindow {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const start = Math.max(0, Math.min(count, first - overscan));
  const end = Math.min(count, first + Math.ceil(viewportHeight / rowHeight) + 1 + overscan);
  return { start, end: Math.max(start, end), padTop: start * rowHeight, padBottom: (count - Math.max(start, end)) * rowHeight };
}

/**
 * The scroll offset (from the first row) that brings row `index` fully into view with the least movement.
 */
export function scrollToReveal(index: number, rowHeight: number, scrollTop: number, viewportHeight: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return scrollTop;
}
