/** One photo of an inspection batch and how it is judged. Types and pure functions only. */
import type { PhotoResult } from '../../../workers/inspector-api';

export type ItemStatus = 'queued' | 'inspecting' | 'done' | 'error';

export interface BatchItem {
  id: number;
  file: File;
  /** The file's name (what `data-file` shows). */
  name: string;
  /** Path inside a chosen or dropped folder, else the name: tells apart two 000.jpg from two folders. */
  path: string;
  status: ItemStatus;
  result: PhotoResult | null;
  /** The worker's message when the photo could not be inspected. */
  error: string | null;
  /** When the photo finished (ISO 8601). */
  finishedAt: string | null;
}

export type Verdict = 'pass' | 'fail' | 'error';

/** The model's rule: a score at or above the threshold rejects the part. */
export function judge(score: number, threshold: number): 'pass' | 'fail' {
  return score >= threshold ? 'fail' : 'pass';
}

/** The verdict at `threshold`, or null while the photo waits or is being inspected. */
export function verdictOf(item: Pick<BatchItem, 'status' | 'result'>, threshold: number): Verdict | null {
  if (item.status === 'error') return 'error';
  return item.result ? judge(item.result.score, threshold) : null;
}

/** Scores as the page shows them; exports and data attributes keep full precision. */
export function formatScore(score: number): string {
  return score.toFixed(3);
}
