/**
 * Batches a closed or crashed tab left unfinished: the photos not inspected yet, offered for resuming
 * (with the part model they were started with, loaded first if another one is chosen) or discarding.
 * Every photo that had finished is in the history already.
 */
import { useQuery } from '@tanstack/react-query';
import type { PartPackageData } from '../../../workers/inspector-api';
import { useState } from 'react';
import { queryClient } from '../app/query-client';
import { useBatch } from '../inspect/batch-store';
import { useCurrentPart } from '../library/current-part';
import { useLibrary } from '../library/library';
import { errorMessage } from '../library/storage-errors';
import { claimInterrupted, discardInterrupted, interruptedBatches, type InterruptedBatch } from '../records/pending-photos';
import { clockLabel, dateLabel } from './time-bins';

const KEY = ['interrupted-batches'] as const;

/** Resolves once `pkg` is the chosen, loaded part model (loading it unless it is loaded or loading already). */
async function chosen(pkg: PartPackageData): Promise<void> {
  const current = useCurrentPart.getState();
  if (current.choosing !== pkg.id && (current.pkg?.id !== pkg.id || current.loading)) await current.choose(pkg);
  else if (current.choosing === pkg.id)
    await new Promise<void>((resolve) => {
      const stop = useCurrentPart.subscribe((s) => {
        if (s.choosing !== null) return;
        stop();
        resolve();
      });
    });
  const { pkg: now, error } = useCurrentPart.getState();
  if (now?.id !== pkg.id) throw new Error(`the part model could not be loaded${error ? `: ${error}` : ''}`);
}

export function InterruptedBatches() {
  // asked again now and then: a tab closed a moment ago may still hold its lock at the first ask
  const batches = useQuery({ queryKey: KEY, queryFn: interruptedBatches, refetchInterval: 5000 }).data ?? [];
  if (batches.length === 0) return null;
  return (
    <div className="interrupted-batches dark-panel">
      {batches.map((b) => (
        <InterruptedBatchLine key={b.modelId} batch={b} />
      ))}
    </div>
  );
}

function InterruptedBatchLine({ batch }: { batch: InterruptedBatch }) {
  const entry = useLibrary().data?.entries.find((e) => e.pkg.id === batch.modelId) ?? null;
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const part = entry?.pkg.manifest.part ?? 'a part model no longer in the library';

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
      await queryClient.invalidateQueries({ queryKey: KEY });
    } catch (e) {
      setProblem(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const resume = () =>
    act(async () => {
      await chosen(entry!.pkg);
      useBatch.getState().resume(await claimInterrupted(batch.modelId), batch.modelId);
      location.hash = '#inspect';
    });

  return (
    <p className="interrupted-batch" role="status" data-testid="interrupted-batch" data-count={batch.count}>
      An unfinished batch of <strong>{part}</strong> from {dateLabel(batch.since)} {clockLabel(batch.since)}: {batch.count} photo{batch.count === 1 ? '' : 's'} not
      inspected yet (the finished ones are in History).
      <button type="button" className="primary" disabled={busy || !entry} onClick={() => void resume()}>
        Resume batch
      </button>
      <button type="button" disabled={busy} onClick={() => void act(() => discardInterrupted(batch.modelId))}>
        Discard
      </button>
      {problem && <span className="error">{problem}</span>}
    </p>
  );
}
