/**
 * This station's settings for the plant: its name, its shifts, and where records are published (an MQTT
 * broker over WebSockets, or a webhook) with credentials. Checked before they are saved; saved settings
 * apply at once (the tab that publishes reconnects). Credentials stay in this browser.
 */
import { useState, type ReactNode } from 'react';
import { useLink } from '../records/link-status';
import { topicFor, topicPrefixProblem } from '../records/message';
import { publishingProblem } from '../records/publisher';
import { usePlant, type PlantSettings, type Transport } from '../records/plant-settings';
import { linkWords } from './PlantReadout';
import { parseShiftStarts } from './time-bins';

type Draft = Omit<PlantSettings, 'shiftStarts'> & { shiftStarts: string };

const draftOf = ({ save: _save, ...s }: PlantSettings & { save: unknown }): Draft => ({ ...s, shiftStarts: s.shiftStarts.join(', ') });

/** The saved settings a draft makes, or what is wrong with it. */
function check(draft: Draft): { settings: PlantSettings } | { problem: string } {
  if (!draft.station.trim()) return { problem: 'the station needs a name' };
  const shifts = parseShiftStarts(draft.shiftStarts);
  if ('problem' in shifts) return { problem: `shifts: ${shifts.problem}` };
  const settings: PlantSettings = { ...draft, station: draft.station.trim(), brokerUrl: draft.brokerUrl.trim(), webhookUrl: draft.webhookUrl.trim(), topicPrefix: draft.topicPrefix.trim(), shiftStarts: shifts.starts };
  const problem = publishingProblem(settings) ?? (settings.transport === 'mqtt' ? topicPrefixProblem(settings.topicPrefix) : null);
  return problem ? { problem } : { settings };
}

export function PublishSettings() {
  const saved = usePlant();
  const link = useLink();
  const [draft, setDraft] = useState<Draft>(() => draftOf(saved));
  const [note, setNote] = useState<{ text: string; failed: boolean } | null>(null);
  const edit = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setNote(null);
  };
  const save = () => {
    const checked = check(draft);
    if ('problem' in checked) return setNote({ text: `Not saved: ${checked.problem}.`, failed: true });
    saved.save(checked.settings);
    setNote({ text: 'Saved.', failed: false });
  };

  return (
    <form
      className="panel publish-settings"
      aria-label="Station and publishing"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <h3 className="panel-title">Station and publishing</h3>
      <Field label="Station name">
        <input value={draft.station} onChange={(e) => edit({ station: e.target.value })} required />
      </Field>
      <Field label="Shifts start at">
        <input value={draft.shiftStarts} onChange={(e) => edit({ shiftStarts: e.target.value })} placeholder="06:00, 14:00, 22:00" />
      </Field>
      <Field label="Publish records">
        <select value={draft.transport} onChange={(e) => edit({ transport: e.target.value as Transport })}>
          <option value="off">no</option>
          <option value="mqtt">to an MQTT broker (WebSockets)</option>
          <option value="webhook">to a webhook (HTTP POST)</option>
        </select>
      </Field>
      {draft.transport === 'mqtt' && (
        <>
          <Field label="Broker URL">
            <input value={draft.brokerUrl} onChange={(e) => edit({ brokerUrl: e.target.value })} placeholder="wss://broker.plant.local:8884/mqtt" />
          </Field>
          <Field label="MQTT version">
            <select value={draft.mqttVersion} onChange={(e) => edit({ mqttVersion: Number(e.target.value) as 4 | 5 })}>
              <option value={5}>5</option>
              <option value={4}>3.1.1</option>
            </select>
          </Field>
          <Field label="Topic prefix">
            <input value={draft.topicPrefix} onChange={(e) => edit({ topicPrefix: e.target.value })} />
          </Field>
          <p className="hint">
            Topics: <code>{topicFor(draft.topicPrefix, draft.station, '<part>', 'inspection')}</code> (and <code>…/review</code> for operator reviews), QoS 1. Each
            message carries a <code>messageId</code>: drop repeats by it.
          </p>
        </>
      )}
      {draft.transport === 'webhook' && (
        <Field label="Webhook URL">
          <input value={draft.webhookUrl} onChange={(e) => edit({ webhookUrl: e.target.value })} placeholder="https://mes.plant.local/inspections" />
        </Field>
      )}
      {draft.transport !== 'off' && (
        <>
          <Field label="User name">
            <input value={draft.username} autoComplete="off" onChange={(e) => edit({ username: e.target.value })} />
          </Field>
          <Field label="Password">
            <input type="password" value={draft.password} autoComplete="new-password" onChange={(e) => edit({ password: e.target.value })} />
          </Field>
          <label className="check">
            <input type="checkbox" checked={draft.includeThumbnail} onChange={(e) => edit({ includeThumbnail: e.target.checked })} /> include the thumbnail (a small JPEG) in each
            record
          </label>
          <p className="hint">Credentials are kept in this browser only: never logged, never in exports.</p>
        </>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          Save settings
        </button>
        {note && (
          <span role={note.failed ? 'alert' : 'status'} className={note.failed ? 'error' : 'hint'}>
            {note.text}
          </span>
        )}
        <span className={`link-state link-${link.state}`}>{linkWords(link)}</span>
        {link.detail && <span className="hint">{link.detail}</span>}
      </div>
    </form>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}
