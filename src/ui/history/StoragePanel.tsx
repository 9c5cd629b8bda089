/**
 * The history's room in the browser: what the site uses of its quota, a warning when it runs low, and
 * pruning the pictures of records older than a date (the records themselves stay).
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { queryClient } from '../app/query-client';
import { mib } from '../../engine/units';
import { errorMessage } from '../library/storage-errors';
import { NO_FILTER } from '../records/query';
import { countRecords } from '../records/records-query';
import { isLow, picturesBefore, prunePictures, storageSpace } from '../records/storage-space';
import { SUMMARIES_KEY } from './records-queries';
import { dateLabel } from './time-bins';

const DAY = 24 * 3600_000;
export const SPACE_KEY = ['storage-space'] as const;

export function useStorageSpace() {
  return useQuery({ queryKey: SPACE_KEY, queryFn: storageSpace, refetchInterval: 60_000 });
}

const size = (bytes: number) => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : mib(bytes));

export function StoragePanel() {
  const space = useStorageSpace().data;
  const records = useQuery({ queryKey: [...SUMMARIES_KEY, 'count', NO_FILTER], queryFn: () => countRecords(NO_FILTER) }).data;
  const [before, setBefore] = useState(() => dateLabel(Date.now() - 30 * DAY));
  const cutoff = new Date(`${before}T00:00`).getTime();
  const affected = useQuery({ queryKey: [...SUMMARIES_KEY, 'pictures-before', cutoff], queryFn: () => picturesBefore(cutoff), enabled: Number.isFinite(cutoff) }).data;
  const [confirming, setConfirming] = useState(false);
  const [pruning, setPruning] = useState<{ done: number } | null>(null);
  const [note, setNote] = useState<{ text: string; failed: boolean } | null>(null);
  const low = space ? isLow(space) : false;

  const prune = async () => {
    setConfirming(false);
    setNote(null);
    setPruning({ done: 0 });
    try {
      const n = await prunePictures(cutoff, (done) => setPruning({ done }));
      setNote({ text: `Pictures of ${n.toLocaleString('en')} records pruned; the records are kept.`, failed: false });
    } catch (e) {
      setNote({ text: `Pruning stopped: ${errorMessage(e)}`, failed: true });
    } finally {
      setPruning(null);
      void queryClient.invalidateQueries({ queryKey: SPACE_KEY });
      void queryClient.invalidateQueries({ queryKey: SUMMARIES_KEY });
    }
  };

  return (
    <section className="panel storage-panel" aria-label="Storage">
      <h3 className="panel-title">Storage</h3>
      {space?.usage != null && space.quota != null ? (
        <p>
          <meter min={0} max={space.quota} value={space.usage} low={space.quota * 0.7} high={space.quota * 0.9} /> this site uses {size(space.usage)} of{' '}
          {size(space.quota)} ({((space.usage / space.quota) * 100).toFixed(1)} %) · {records === undefined ? '…' : records.toLocaleString('en')} records ·{' '}
          {space.persisted ? 'kept under storage pressure' : 'may be evicted under storage pressure'}
        </p>
      ) : (
        <p className="hint">This browser does not tell how much storage the site may use.</p>
      )}
      {low && (
        <p className="warning" role="alert" data-testid="storage-low">
          Storage is running low: prune the pictures of older records (the records stay), or allow the site more storage.
        </p>
      )}
      <div className="actions">
        <label>
          Prune pictures of records before <input type="date" value={before} onChange={(e) => setBefore(e.target.value)} />
        </label>
        {confirming ? (
          <span className="confirm">
            The pictures of {affected?.toLocaleString('en')} records go for good.
            <button type="button" className="danger" onClick={() => void prune()}>
              Yes, prune
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep them
            </button>
          </span>
        ) : (
          <button type="button" disabled={pruning !== null || !affected} onClick={() => setConfirming(true)}>
            {pruning ? `Pruning… ${pruning.done.toLocaleString('en')}` : `Prune ${affected === undefined ? '…' : affected.toLocaleString('en')} records' pictures`}
          </button>
        )}
        {note && (
          <span role={note.failed ? 'alert' : 'status'} className={note.failed ? 'error' : 'hint'}>
            {note.text}
          </span>
        )}
      </div>
    </section>
  );
}
