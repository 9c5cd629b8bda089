/**
 * What the History view shows: the filter, the page, the record opened, the tab. The filter also lives
 * in the address (#history?part=bottle&verdict=fail&from=…), so a reload keeps it and a link opens
 * the History view already filtered.
 */
import { create } from 'zustand';
import { NO_FILTER, type RecordFilter, type VerdictFilter } from '../records/query';
import type { PageCursor } from '../records/records-query';

export type HistoryTab = 'records' | 'charts' | 'report' | 'settings';

export interface HistoryState {
  filter: RecordFilter;
  /** Where each page after the first starts; empty on the first page. */
  pages: PageCursor[];
  selectedId: string | null;
  tab: HistoryTab;
  setFilter(patch: Partial<RecordFilter>): void;
  older(next: PageCursor): void;
  newer(): void;
  newest(): void;
  select(id: string | null): void;
  setTab(tab: HistoryTab): void;
}

const VERDICTS: readonly VerdictFilter[] = ['pass', 'fail', 'overridden'];

/** The filter a query string names ("part=bottle&verdict=fail&from=2025-06-01T06:00:00.000Z"). Pure. */
export function filterFromQuery(query: string): RecordFilter {
  const q = new URLSearchParams(query);
  const time = (key: string) => {
    const t = Date.parse(q.get(key) ?? '');
    return Number.isFinite(t) ? t : null;
  };
  const verdict = q.get('verdict') as VerdictFilter | null;
  return { from: time('from'), to: time('to'), part: q.get('part') || null, station: q.get('station') || null, verdict: verdict && VERDICTS.includes(verdict) ? verdict : null };
}

/** The query string of a filter (empty for no filter). Pure. */
export function queryOfFilter(filter: RecordFilter): string {
  const q = new URLSearchParams();
  if (filter.from !== null) q.set('from', new Date(filter.from).toISOString());
  if (filter.to !== null) q.set('to', new Date(filter.to).toISOString());
  if (filter.part !== null) q.set('part', filter.part);
  if (filter.station !== null) q.set('station', filter.station);
  if (filter.verdict !== null) q.set('verdict', filter.verdict);
  return q.toString();
}

const SECTION = '#history';
const queryOfHash = (hash: string) => (hash.startsWith(`${SECTION}?`) ? hash.slice(SECTION.length + 1) : null);

export const useHistory = create<HistoryState>((set) => ({
  filter: (typeof location !== 'undefined' && queryOfHash(location.hash) !== null && filterFromQuery(queryOfHash(location.hash)!)) || NO_FILTER,
  pages: [],
  selectedId: null,
  tab: 'records',
  setFilter: (patch) => set((s) => ({ filter: { ...s.filter, ...patch }, pages: [] })),
  older: (next) => set((s) => ({ pages: [...s.pages, next] })),
  newer: () => set((s) => ({ pages: s.pages.slice(0, -1) })),
  newest: () => set({ pages: [] }),
  select: (selectedId) => set({ selectedId }),
  setTab: (tab) => set({ tab }),
}));

if (typeof window !== 'undefined') {
  // the address follows the filter while the History view is shown…
  const writeHash = () => {
    if (!location.hash.startsWith(SECTION)) return;
    const query = queryOfFilter(useHistory.getState().filter);
    const hash = query ? `${SECTION}?${query}` : SECTION;
    if (hash !== location.hash) history.replaceState(null, '', hash);
  };
  useHistory.subscribe((now, before) => now.filter !== before.filter && writeHash());
  // …and a link with a filter sets it; the plain section link keeps the filter there is
  window.addEventListener('hashchange', () => {
    const query = queryOfHash(location.hash);
    if (query !== null && query !== queryOfFilter(useHistory.getState().filter)) useHistory.getState().setFilter(filterFromQuery(query));
    else writeHash();
  });
}
