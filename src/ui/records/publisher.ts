/**
 * Publishing the outbox to the plant from exactly one tab: the tabs of the app queue for a Web Lock and
 * the one holding it sends (when it closes, the next takes over); the others show what it reports. The
 * sender follows the settings: a change closes the link and opens the new one.
 */
import { announce, onRecordsNews } from './changes';
import { LINK_OFF, useLink, type LinkStatus } from './link-status';
import { endpointProblem, BROKER_SCHEMES, WEBHOOK_SCHEMES } from './message';
import { mqttTransport, type LinkTransport } from './mqtt-transport';
import { acknowledge, waitingMessages, type OutboxEntry } from './outbox';
import { OutboxSender } from './outbox-sender';
import { plantSettings, usePlant, type PlantSettings } from './plant-settings';
import { webhookTransport } from './webhook-transport';

const RETRY_MS = 3000;
const LOCK = 'patchflow-records.publisher';

let link: { transport: LinkTransport; sender: OutboxSender<Required<OutboxEntry>> } | null = null;
/** Whether this tab holds the lock and publishes. */
let leading = false;

function setStatus(status: LinkStatus): void {
  useLink.setState(status);
  announce({ type: 'link', status });
}

/** Why these settings cannot publish, or null. */
export function publishingProblem(settings: PlantSettings): string | null {
  if (settings.transport === 'mqtt') return endpointProblem(settings.brokerUrl, BROKER_SCHEMES);
  if (settings.transport === 'webhook') return endpointProblem(settings.webhookUrl, WEBHOOK_SCHEMES);
  return null;
}

function connect(settings: PlantSettings): void {
  link?.sender.stop();
  link?.transport.close();
  link = null;
  if (settings.transport === 'off') return setStatus(LINK_OFF);
  const problem = publishingProblem(settings);
  if (problem) return setStatus({ transport: settings.transport, state: 'failing', detail: problem });
  const pump = () => link?.sender.pump();
  const transport = settings.transport === 'mqtt' ? mqttTransport(settings, setStatus, pump) : webhookTransport(settings, setStatus);
  const sender = new OutboxSender(transport, { after: waitingMessages, acknowledge }, RETRY_MS);
  link = { transport, sender };
  sender.pump();
}

/** What decides the link: a change to anything else (the station's shifts) keeps it up. */
const linkKey = (s: PlantSettings) => JSON.stringify([s.transport, s.brokerUrl, s.mqttVersion, s.webhookUrl, s.username, s.password, s.topicPrefix]);

/** Starts publishing from this tab once it holds the lock (at once if it is the only tab). */
export function startPublisher(): void {
  // the tab that sends tells the others how it goes
  onRecordsNews((news) => {
    if (news.type === 'link' && !leading) useLink.setState(news.status);
    if (news.type === 'ask-link' && leading) announce({ type: 'link', status: useLink.getState() });
    if (news.type === 'outbox') link?.sender.pump();
  });
  announce({ type: 'ask-link' });
  const lead = () => {
    leading = true;
    connect(plantSettings());
    usePlant.subscribe((now, before) => linkKey(now) !== linkKey(before) && connect(plantSettings()));
    return new Promise<never>(() => undefined); // held for the tab's lifetime
  };
  if ('locks' in navigator) void navigator.locks.request(LOCK, lead);
  else void lead();
}
