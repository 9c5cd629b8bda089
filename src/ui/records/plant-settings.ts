/**
 * How this tablet reports to the plant, kept in the browser (localStorage): its station name (written
 * into every record), the shifts its reports use, and where records are published: an MQTT broker over
 * WebSockets or a webhook, with credentials. Credentials stay here: they are never logged or exported.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export type Transport = 'off' | 'mqtt' | 'webhook';

export interface PlantSettings {
  station: string;
  transport: Transport;
  /** ws:// or wss:// URL of the broker's WebSocket listener. */
  brokerUrl: string;
  /** 4: MQTT 3.1.1; 5: MQTT 5 (adds the message id as a user property). */
  mqttVersion: 4 | 5;
  /** http(s) URL records are POSTed to as JSON. */
  webhookUrl: string;
  username: string;
  password: string;
  /** Topics are `<prefix>/<station>/<part>/<kind>`. */
  topicPrefix: string;
  /** Publish each record with its thumbnail (a small JPEG, base64) rather than without images. */
  includeThumbnail: boolean;
  /** Local times shifts start at ("06:00"), in order through the day. */
  shiftStarts: string[];
}

export const DEFAULT_PLANT: PlantSettings = {
  station: 'station-1',
  transport: 'off',
  brokerUrl: '',
  mqttVersion: 5,
  webhookUrl: '',
  username: '',
  password: '',
  topicPrefix: 'patchflow',
  includeThumbnail: false,
  shiftStarts: ['06:00', '14:00', '22:00'],
};

const STORAGE_KEY = 'patchflow-inspect.plant';

export const usePlant = create<PlantSettings & { save(patch: Partial<PlantSettings>): void }>()(
  persist(
    (set) => ({
      ...DEFAULT_PLANT,
      save: (patch) => set(patch),
    }),
    // where the browser forbids site storage, the settings hold for this visit only
    { name: STORAGE_KEY, version: 1, storage: createJSONStorage(() => localStorage) },
  ),
);

// settings saved in another tab apply here too (the tab that publishes reconnects with them)
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => e.key === STORAGE_KEY && void usePlant.persist.rehydrate());
}

/** The settings as plain data (what the publisher and the records read). */
export function plantSettings(): PlantSettings {
  const { save: _save, ...settings } = usePlant.getState();
  return settings;
}
