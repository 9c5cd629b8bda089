/**
 * Starting the history with the page: records held in reserve move in if there is room, the tab queues
 * to publish the outbox, the browser is asked to keep the history under storage pressure, and the
 * record writer joins the page's automation handle (window.patchflow) for the benchmarks.
 */
import { keepInspection, saveReserved } from './keep-record';
import { startPublisher } from './publisher';
import { reserved } from './reserve';
import { useRecordsStatus } from './records-status';
import { askToPersist } from './storage-space';

let started = false;

export function startRecords(): void {
  if (started) return;
  started = true;
  useRecordsStatus.setState({ inReserve: reserved().length });
  void saveReserved();
  startPublisher();
  askToPersist();
  const handle = ((globalThis as { patchflow?: Record<string, unknown> }).patchflow ??= {});
  handle.records = { keepInspection };
}
