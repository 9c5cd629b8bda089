/**
 * Publishing by webhook: each message POSTed as JSON, one after the other; a 2xx answer acknowledges it.
 * The `Idempotency-Key` header carries the message id, so the receiver can drop repeats. With a user
 * name the credentials go as HTTP Basic, with a password alone as a Bearer token.
 */
import type { LinkStatus } from './link-status';
import type { LinkTransport } from './mqtt-transport';
import type { PlantSettings } from './plant-settings';

const TIMEOUT_MS = 15_000;

function authorization({ username, password }: PlantSettings): Record<string, string> {
  if (username) return { Authorization: `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${username}:${password}`)))}` };
  return password ? { Authorization: `Bearer ${password}` } : {};
}

export function webhookTransport(settings: PlantSettings, onStatus: (status: LinkStatus) => void): LinkTransport {
  const aborts = new AbortController();
  onStatus({ transport: 'webhook', state: 'connected', detail: null });
  return {
    window: 1,
    ready: () => !aborts.signal.aborted,
    async send(entry) {
      const signal = AbortSignal.any([aborts.signal, AbortSignal.timeout(TIMEOUT_MS)]);
      let answer: Response;
      try {
        answer = await fetch(settings.webhookUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': entry.messageId, ...authorization(settings) },
          body: entry.payload,
          signal,
        });
      } catch (e) {
        const why = `the webhook cannot be reached (${(e as Error).message}); trying again`;
        onStatus({ transport: 'webhook', state: 'failing', detail: why });
        throw new Error(why);
      }
      if (!answer.ok) {
        const why = `the webhook answered ${answer.status} ${answer.statusText}; trying again`;
        onStatus({ transport: 'webhook', state: 'failing', detail: why });
        throw new Error(why);
      }
      onStatus({ transport: 'webhook', state: 'connected', detail: null });
    },
    close: () => aborts.abort(),
  };
}
