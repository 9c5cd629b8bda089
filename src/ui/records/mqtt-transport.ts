/**
 * Publishing to an MQTT broker over WebSockets with mqtt.js: QoS 1, a topic per station and part, the
 * message id also as an MQTT 5 user property. mqtt.js reconnects by itself and sends again what the
 * broker had not acknowledged, so a message handed over resolves once the broker has it, whenever that is.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { topicFor, topicLevel } from './message';
import type { OutboxEntry } from './outbox';
import type { PlantSettings } from './plant-settings';
import type { LinkStatus } from './link-status';
import type { SenderTransport } from './outbox-sender';

/** Messages waiting for their PUBACK at once: the broker keeps them in order on one connection. */
const WINDOW = 32;
const RECONNECT_MS = 2000;

export interface LinkTransport extends SenderTransport<Required<OutboxEntry>> {
  close(): void;
}

export function mqttTransport(settings: PlantSettings, onStatus: (status: LinkStatus) => void, onReady: () => void): LinkTransport {
  const status = (state: LinkStatus['state'], detail: string | null) => onStatus({ transport: 'mqtt', state, detail });
  let lastError: string | null = null;
  const client: MqttClient = mqtt.connect(settings.brokerUrl, {
    protocolVersion: settings.mqttVersion,
    username: settings.username || undefined,
    password: settings.password || undefined,
    clientId: `patchflow-${topicLevel(settings.station)}-${crypto.randomUUID().slice(0, 8)}`,
    clean: true,
    reconnectPeriod: RECONNECT_MS,
    connectTimeout: 10_000,
    keepalive: 30,
    // mqtt.js's debug log would print the connect options, password included
    log: () => undefined,
  });
  status('connecting', null);
  client.on('connect', () => {
    lastError = null;
    status('connected', null);
    onReady();
  });
  client.on('error', (e) => {
    lastError = e.message;
    status('connecting', `${e.message}; trying again`);
  });
  client.on('offline', () => status('connecting', lastError ?? `the broker at ${settings.brokerUrl} cannot be reached; trying again`));
  return {
    window: WINDOW,
    ready: () => client.connected,
    send: (entry) =>
      new Promise<void>((resolve, reject) => {
        const topic = topicFor(settings.topicPrefix, entry.station, entry.part, entry.kind);
        const properties = settings.mqttVersion === 5 ? { contentType: 'application/json', payloadFormatIndicator: true, userProperties: { 'message-id': entry.messageId } } : undefined;
        client.publish(topic, entry.payload, { qos: 1, properties }, (e) => (e ? reject(e) : resolve()));
      }),
    close: () => void client.end(true),
  };
}
