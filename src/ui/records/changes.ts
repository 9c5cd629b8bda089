/**
 * News about the history shared by every tab of the app (BroadcastChannel) and within this one: records
 * changed, the outbox changed, and how the tab that publishes is doing.
 */
import type { LinkStatus } from './link-status';

/** 'ask-link': a tab just opened asks the tab that publishes how it goes. */
export type RecordsNews = { type: 'records' } | { type: 'outbox' } | { type: 'link'; status: LinkStatus } | { type: 'ask-link' };

type Listener = (news: RecordsNews) => void;

const listeners = new Set<Listener>();
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('patchflow-records') : null;
channel?.addEventListener('message', (e: MessageEvent<RecordsNews>) => {
  for (const l of listeners) l(e.data);
});

/** Tells this tab and the others. */
export function announce(news: RecordsNews): void {
  for (const l of listeners) l(news);
  channel?.postMessage(news);
}

export function onRecordsNews(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
