/**
 * Checking the taught part on photos: the good photos it held out, and real defect and good photos the
 * line engineer adds. Each is scored by the teaching worker, one at a time, for its heat map and for
 * the operating point.
 */
import { errorMessage } from '../library/storage-errors';
import { teacher } from '../teacher-client';
import type { SessionPhoto } from './session-storage';
import { newId, useTeach, type CheckKind, type CheckPhoto } from './teach-store';

let queue: Promise<void> = Promise.resolve();

function update(id: number, patch: Partial<CheckPhoto>): void {
  useTeach.setState((s) => ({ checks: s.checks.map((c) => (c.id === id ? { ...c, ...patch } : c)) }));
}

/** Scores photos of one kind with the taught part (after the photos already waiting). */
export function addChecks(kind: CheckKind, photos: readonly SessionPhoto[]): void {
  const added = photos.map((p): CheckPhoto => ({ id: newId(), name: p.name, file: p.file, kind, status: 'scoring', result: null, error: null }));
  useTeach.setState((s) => ({ checks: [...s.checks, ...added] }));
  for (const c of added) {
    queue = queue.then(async () => {
      // a check removed, or a part taught anew, meanwhile: nothing to score
      if (!useTeach.getState().checks.some((x) => x.id === c.id)) return;
      try {
        update(c.id, { status: 'done', result: await teacher.score(c.file, c.name) });
      } catch (e) {
        update(c.id, { status: 'error', error: errorMessage(e) });
      }
    });
  }
}

/** Scores the good photos the run held out (named in the taught part). */
export function checkHeldOut(photos: readonly SessionPhoto[], heldOut: readonly string[]): void {
  const names = new Set(heldOut);
  addChecks(
    'held-out',
    photos.filter((p) => names.has(p.name)),
  );
}
