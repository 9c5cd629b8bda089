/**
 * The header's word on the history and the plant: messages waiting in the outbox (the stable hook
 * data-testid="outbox", count in data-value), how publishing goes, and a storage problem that needs the
 * operator (a full quota), which stays until dismissed.
 */
import { useLink, type LinkStatus } from '../records/link-status';
import { useRecordsStatus } from '../records/records-status';
import { isLow } from '../records/storage-space';
import { useHistory } from './history-filter';
import { useOutboxCount } from './records-queries';
import { useStorageSpace } from './StoragePanel';

const LINK_WORDS: Record<LinkStatus['state'], string> = { off: 'publishing off', connecting: 'connecting…', connected: 'connected', failing: 'not sending' };

export function linkWords({ transport, state }: LinkStatus): string {
  if (transport === 'webhook' && state === 'connected') return 'webhook ready';
  return transport === 'off' ? LINK_WORDS.off : `${transport === 'mqtt' ? 'broker' : 'webhook'} ${LINK_WORDS[state]}`;
}

export function PlantReadout() {
  const link = useLink();
  const waiting = useOutboxCount().data ?? 0;
  const { problem, inReserve, dismiss } = useRecordsStatus();
  const space = useStorageSpace().data;
  return (
    <div className="plant-readout">
      <span className={`link-state link-${link.state}`} data-testid="link-state" data-state={link.state} title={link.detail ?? undefined}>
        {linkWords(link)}
      </span>
      {/* messages queued before publishing was turned off still wait */}
      {(link.transport !== 'off' || waiting > 0) && (
        <output className="outbox-counter" data-testid="outbox" data-value={waiting} title="Messages waiting to be sent to the plant">
          {waiting} waiting
        </output>
      )}
      {inReserve > 0 && (
        <span className="reserve-count">
          {inReserve} record{inReserve === 1 ? '' : 's'} waiting for storage space
        </span>
      )}
      {space && isLow(space) && (
        <a href="#history" className="storage-low-link" onClick={() => useHistory.getState().setTab('settings')}>
          storage low: prune pictures
        </a>
      )}
      {problem && (
        <p role="alert" className="storage-problem" data-testid="storage-problem">
          {problem}
          <button type="button" onClick={dismiss} aria-label="Dismiss storage message">
            ×
          </button>
        </p>
      )}
    </div>
  );
}
