/**
 * The history as react-query queries: a page of records, the count of a filter, the parts and stations
 * recorded, the outbox count. News of a change (from this tab or another) refreshes them, at most a few
 * times a second while a batch writes records; what scans many records (counts, charts, reports) at
 * most every few seconds.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { queryClient } from '../app/query-client';
import { onRecordsNews } from '../records/changes';
import { outboxCount } from '../records/outbox';
import type { RecordFilter } from '../records/query';
import { countRecords, readPage, recordedParts, recordedStations, type PageCursor } from '../records/records-query';

export const RECORDS_KEY = ['records'] as const;
/** Queries that may scan the whole history. */
export const SUMMARIES_KEY = ['record-summaries'] as const;
const OUTBOX_KEY = ['outbox'] as const;
const REFRESH_MS = 400;
const SUMMARY_REFRESH_MS = 5000;

export const PAGE_SIZE = 100;

export function useRecordPage(filter: RecordFilter, after: PageCursor | null, enabled: boolean) {
  return useQuery({ queryKey: [...RECORDS_KEY, 'page', filter, after], queryFn: () => readPage(filter, PAGE_SIZE, after), enabled, placeholderData: keepPreviousData });
}

export function useRecordCount(filter: RecordFilter, enabled: boolean) {
  return useQuery({ queryKey: [...SUMMARIES_KEY, 'count', filter], queryFn: () => countRecords(filter), enabled, placeholderData: keepPreviousData });
}

export function useRecordedNames(enabled: boolean) {
  return useQuery({
    queryKey: [...RECORDS_KEY, 'names'],
    queryFn: async () => ({ parts: await recordedParts(), stations: await recordedStations() }),
    enabled,
  });
}

export function useOutboxCount() {
  return useQuery({ queryKey: OUTBOX_KEY, queryFn: outboxCount });
}

/** Refreshes the queries under `queryKey` at most once per `ms`. */
function refresher(queryKey: readonly string[], ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    timer ??= setTimeout(() => {
      timer = null;
      void queryClient.invalidateQueries({ queryKey });
    }, ms);
  };
}

const refreshRecords = refresher(RECORDS_KEY, REFRESH_MS);
const refreshSummaries = refresher(SUMMARIES_KEY, SUMMARY_REFRESH_MS);
const refreshOutbox = refresher(OUTBOX_KEY, REFRESH_MS);

onRecordsNews((news) => {
  if (news.type === 'records') {
    refreshRecords();
    refreshSummaries();
  }
  if (news.type === 'outbox') refreshOutbox();
});
