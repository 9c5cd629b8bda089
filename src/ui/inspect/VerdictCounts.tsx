/** The batch's verdicts at the threshold in force, counted: big enough to read from across the bench. */
import { useMemo } from 'react';
import { verdictOf, type BatchItem, type Verdict } from './batch-item';

const SHOWN: Verdict[] = ['pass', 'fail', 'error'];

export function VerdictCounts({ items, threshold }: { items: BatchItem[]; threshold: number }) {
  const counts = useMemo(() => {
    const c: Record<Verdict, number> = { pass: 0, fail: 0, error: 0 };
    for (const item of items) {
      const v = verdictOf(item, threshold);
      if (v) c[v]++;
    }
    return c;
  }, [items, threshold]);
  return (
    <div className="verdict-counts" data-testid="verdict-counts">
      {SHOWN.map((v) => (
        <span key={v} className={`verdict verdict-${v}`} data-count={counts[v]}>
          {v.toUpperCase()} {counts[v]}
        </span>
      ))}
    </div>
  );
}
