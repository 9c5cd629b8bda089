/** Batch items for the UI's pure functions: no DOM, no worker. */
import type { PhotoResult } from '../../workers/inspector-api';
import type { BatchItem } from '../../src/ui/inspect/batch-item';

let nextId = 1;

export function item(path: string, outcome: number | string | null): BatchItem {
  const name = path.split('/').pop()!;
  const base = { id: nextId++, file: { name } as File, name, path, finishedAt: outcome === null ? null : '2025-06-01T10:00:00.000Z' };
  if (outcome === null) return { ...base, status: 'queued', result: null, error: null };
  if (typeof outcome === 'string') return { ...base, status: 'error', result: null, error: outcome };
  const result = { score: outcome, verdict: 'pass' } as PhotoResult;
  return { ...base, status: 'done', result, error: null };
}
