/** The rows of a scrolling container to render now (see windowing.ts); every row when `enabled` is false. */
import { useEffect, useState, type RefObject } from 'react';
import { visibleRows, type RowWindow } from './windowing';

const OVERSCAN = 8;

export function useWindowedRows(container: RefObject<HTMLElement | null>, count: number, rowHeight: number, enabled: boolean, headerHeight: number): RowWindow {
  const [view, setView] = useState({ scrollTop: 0, height: 0 });
  useEffect(() => {
    const el = container.current;
    if (!el || !enabled) return;
    const measure = () => setView({ scrollTop: el.scrollTop, height: el.clientHeight });
    measure();
    el.addEventListener('scroll', measure, { passive: true });
    const resize = new ResizeObserver(measure);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', measure);
      resize.disconnect();
    };
  }, [container, enabled]);
  if (!enabled) return { start: 0, end: count, padTop: 0, padBottom: 0 };
  // rows start below the sticky header, which also covers the top of the viewport
  return visibleRows({ count, rowHeight, scrollTop: view.scrollTop, viewportHeight: view.height - headerHeight, overscan: OVERSCAN });
}
