/** Sorting of the results table. Pure. */
import { verdictOf, type BatchItem, type Verdict } from './batch-item';

export type SortColumn = 'name' | 'score' | 'verdict';
export type SortDirection = 'ascending' | 'descending';

/** `column` null: the order the photos were added in. */
export interface SortOrder {
  column: SortColumn | null;
  direction: SortDirection;
}

export const ADDED_ORDER: SortOrder = { column: null, direction: 'ascending' };

/** What a first click on a column shows: worst scores and rejects first, names A→Z. */
const FIRST_DIRECTION: Record<SortColumn, SortDirection> = { name: 'ascending', score: 'descending', verdict: 'descending' };

/** The order after a click on a column's header: its first direction, then flipping. */
export function nextSort(current: SortOrder, column: SortColumn): SortOrder {
  if (current.column !== column) return { column, direction: FIRST_DIRECTION[column] };
  return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
}

/** Descending puts rejects first, then errors, then passes. */
const VERDICT_RANK: Record<Verdict, number> = { pass: 0, error: 1, fail: 2 };

const names = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

type Sortable = Pick<BatchItem, 'id' | 'path' | 'status' | 'result'>;

/**
 * The items in `order`, judged at `threshold`. Photos without the sorted quantity (waiting ones; errors
 * when sorting by score) go last in either direction; ties keep the order the photos were added in.
 */
export function sortItems<T extends Sortable>(items: readonly T[], order: SortOrder, threshold: number): T[] {
  const column = order.column;
  if (column === null) return [...items];
  const keyOf = (item: T): number | string | null => {
    if (column === 'name') return item.path;
    if (column === 'score') return item.result?.score ?? null;
    const verdict = verdictOf(item, threshold);
    return verdict === null ? null : VERDICT_RANK[verdict];
  };
  const sign = order.direction === 'ascending' ? 1 : -1;
  const keyed = items.map((item) => ({ item, key: keyOf(item) }));
  keyed.sort((a, b) => {
    if (a.key === null || b.key === null) return a.key === b.key ? a.item.id - b.item.id : a.key === null ? 1 : -1;
    const c = typeof a.key === 'string' ? names.compare(a.key, b.key as string) : a.key - (b.key as number);
    return c !== 0 ? sign * c : a.item.id - b.item.id;
  });
  return keyed.map((k) => k.item);
}
